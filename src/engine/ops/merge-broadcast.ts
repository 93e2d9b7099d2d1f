/**
 * The arithmetic of the broadcasting merges (add, mul): an elementwise binary op over two tensors
 * whose shapes broadcast (NumPy's rule, aligned on the last axes; the shape rule itself is
 * `broadcastPair` in src/layers/broadcast.ts), and its adjoint `sumTo`, which sums a gradient
 * over the axes an operand was broadcast along — what autograd's `sum_to_size` does.
 */
import { type DType, type DataOf, type Tensor, allocate, formatShape, numel, sameShape, strides } from '../../tensor/tensor.js';
import { broadcastPair } from '../../layers/broadcast.js';
import { EngineError } from '../layer-run.js';

export type BinaryOp = 'add' | 'mul';

/** Strides of `shape` as seen from `outShape`, which it broadcasts to (0 along broadcast and missing axes). */
function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
    const own = strides(shape);
    const lead = outShape.length - shape.length;
    return outShape.map((d, i) => (i < lead || (shape[i - lead] === 1 && d !== 1) ? 0 : own[i - lead]!));
}

/**
 * Walks `outShape` in C order one last-axis row at a time: `run(o, ia, ib, len, da, db)` gets the
 * row's first flat offset o, the offsets of the matching elements of a and b (by their strides,
 * 0 along broadcast axes), the row length and a's and b's strides along it. An odometer over the
 * other axes.
 */
function walk(outShape: readonly number[], sa: readonly number[], sb: readonly number[],
    run: (o: number, ia: number, ib: number, len: number, da: number, db: number) => void): void {
    const rank = outShape.length;
    const total = numel(outShape);
    if (total === 0) return;
    if (rank === 0) return run(0, 0, 0, 1, 0, 0);
    const len = outShape[rank - 1]!;
    const da = sa[rank - 1]!, db = sb[rank - 1]!;
    const index = new Array<number>(rank - 1).fill(0);
    let ia = 0, ib = 0;
    for (let o = 0; o < total; o += len) {
        run(o, ia, ib, len, da, db);
        for (let ax = rank - 2; ax >= 0; ax--) {
            index[ax]!++;
            ia += sa[ax]!;
            ib += sb[ax]!;
            if (index[ax]! < outShape[ax]!) break;
            ia -= sa[ax]! * outShape[ax]!;
            ib -= sb[ax]! * outShape[ax]!;
            index[ax] = 0;
        }
    }
}

/** a op b broadcast to `outShape` (which must be the broadcast of their shapes), in a's dtype. */
export function broadcastBinary<D extends DType>(op: BinaryOp, a: Tensor<D>, b: Tensor, outShape: readonly number[]): Tensor<D> {
    const y = allocate(a.dtype, numel(outShape));
    const x = a.data, z = b.data;
    if (sameShape(a.shape, outShape) && sameShape(b.shape, outShape)) {
        if (op === 'add') for (let i = 0; i < y.length; i++) y[i] = x[i]! + z[i]!;
        else for (let i = 0; i < y.length; i++) y[i] = x[i]! * z[i]!;
    } else {
        const sa = broadcastStrides(a.shape, outShape), sb = broadcastStrides(b.shape, outShape);
        walk(outShape, sa, sb, op === 'add'
            ? (o, ia, ib, len, da, db) => { for (let j = 0; j < len; j++) y[o + j] = x[ia + j * da]! + z[ib + j * db]!; }
            : (o, ia, ib, len, da, db) => { for (let j = 0; j < len; j++) y[o + j] = x[ia + j * da]! * z[ib + j * db]!; });
    }
    return { shape: [...outShape], data: y, dtype: a.dtype };
}

/**
 * Σ of `g` over the axes where `shape` was broadcast to g's shape: the gradient of an operand of
 * that shape. Sums in float64, rounded once to g's dtype. A fresh tensor even when nothing is summed.
 */
export function sumTo<D extends DType>(g: Tensor<D>, shape: readonly number[]): Tensor<D> {
    const out = allocate(g.dtype, numel(shape));
    if (sameShape(g.shape, shape)) {
        out.set(g.data);
    } else {
        const acc = new Float64Array(out.length);
        const sg = strides(g.shape), st = broadcastStrides(shape, g.shape);
        const src = g.data;
        walk(g.shape, sg, st, (_o, ig, it, len, dg, dt) => {
            if (dt === 0) {
                let s = 0;
                for (let j = 0; j < len; j++) s += src[ig + j * dg]!;
                acc[it] = acc[it]! + s;
            } else {
                for (let j = 0; j < len; j++) {
                    const k = it + j * dt;
                    acc[k] = acc[k]! + src[ig + j * dg]!;
                }
            }
        });
        out.set(acc);
    }
    return { shape: [...shape], data: out as DataOf<D>, dtype: g.dtype };
}

/** The shapes of the left fold ((x0 op x1) op x2)…: entry i is the broadcast of shapes 0 … i. */
export function foldShapes(shapes: ReadonlyArray<readonly number[]>): number[][] {
    const out: number[][] = [[...shapes[0]!]];
    for (let i = 1; i < shapes.length; i++) {
        const r = broadcastPair(out[i - 1]!, shapes[i]!);
        if (!r.ok) throw new EngineError(`shapes ${formatShape(out[i - 1]!)} and ${formatShape(shapes[i]!)} do not broadcast (axis ${r.axis})`);
        out.push(r.shape as number[]);
    }
    return out;
}
