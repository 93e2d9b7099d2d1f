/**
 * Preparing a convolution's input for the kernels, and undoing it in backward:
 *
 * - `withBatch`: an unbatched input `[C, ...spatial]` becomes `[1, C, ...spatial]` (a view), as
 *   PyTorch's conv modules unsqueeze it; the kernels only take `[N, C, ...spatial]`.
 * - `padSpatial` / `foldPadding`: the non-zero padding modes of `torch.nn.Conv{1,2,3}d`. PyTorch
 *   runs `F.conv(F.pad(x, pads, mode=padding_mode), w, b, stride, 0, dilation, groups)`, so the
 *   layer pads with the mode first and then convolves without padding. Each padded position reads
 *   one input position (its *source*), per axis independently:
 *
 *       i = j − before (the unpadded coordinate of padded position j), n = input size
 *       reflect    i < 0 → −i;  i ≥ n → 2(n − 1) − i          (mirror, edge not repeated; before, after < n)
 *       replicate  clamp(i, 0, n − 1)                         (edge repeated)
 *       circular   i mod n                                    (wrap; before, after ≤ n)
 *
 *   The backward of that gather is the scatter-add `foldPadding`: every padded position's gradient
 *   is added onto its source, so an edge row of a replicate padding collects the gradients of all
 *   its copies (what autograd does through `F.pad`).
 */
import { type DType, type DataOf, type Tensor, allocate, numel, reshape } from '../../tensor/tensor.js';
import { assertNever } from '../../util/assert.js';

export type PaddingMode = 'reflect' | 'replicate' | 'circular';

/** `x` with a leading batch axis of 1 when it has only `rank + 1` axes (a view; no copy). */
export function withBatch<D extends DType>(x: Tensor<D>, rank: number): Tensor<D> {
    return x.shape.length === rank + 1 ? reshape(x, [1, ...x.shape]) : x;
}

/** Source of every padded position along one axis (see the header). */
export function paddingSources(n: number, before: number, after: number, mode: PaddingMode): Int32Array {
    const src = new Int32Array(n + before + after);
    for (let j = 0; j < src.length; j++) {
        const i = j - before;
        let s: number;
        switch (mode) {
            case 'reflect': s = i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i; break;
            case 'replicate': s = i < 0 ? 0 : i >= n ? n - 1 : i; break;
            case 'circular': s = ((i % n) + n) % n; break;
            default: return assertNever(mode, 'padding mode');
        }
        if (s < 0 || s >= n) throw new RangeError(`${mode} padding of ${before}|${after} on an axis of ${n} wraps more than once`);
        src[j] = s;
    }
    return src;
}

interface Plan {
    /** planes: the product of the axes before the spatial ones */
    readonly planes: number;
    /** per-axis sources lifted to 3 axes (a single 0 for the missing leading ones) */
    readonly sources: readonly [Int32Array, Int32Array, Int32Array];
    /** input sizes lifted to 3 axes */
    readonly inSize: readonly [number, number, number];
    readonly paddedShape: number[];
}

function plan(shape: readonly number[], rank: number, before: readonly number[], after: readonly number[], mode: PaddingMode): Plan {
    const lead = shape.slice(0, shape.length - rank);
    const spatial = shape.slice(shape.length - rank);
    const zero = Int32Array.of(0);
    const sources: Int32Array[] = [zero, zero, zero];
    const inSize = [1, 1, 1];
    spatial.forEach((n, i) => {
        sources[3 - rank + i] = paddingSources(n, before[i]!, after[i]!, mode);
        inSize[3 - rank + i] = n;
    });
    return {
        planes: numel(lead),
        sources: sources as unknown as Plan['sources'],
        inSize: inSize as unknown as Plan['inSize'],
        paddedShape: [...lead, ...spatial.map((n, i) => n + before[i]! + after[i]!)],
    };
}

/** `F.pad(x, pads, mode)` over the last `rank` axes: before/after per spatial axis, in axis order. */
export function padSpatial<D extends DType>(x: Tensor<D>, rank: number, before: readonly number[], after: readonly number[], mode: PaddingMode): Tensor<D> {
    const p = plan(x.shape, rank, before, after, mode);
    const y = allocate(x.dtype, numel(p.paddedShape));
    gather(x.data, y, p);
    return { shape: p.paddedShape, data: y, dtype: x.dtype };
}

/** The adjoint of `padSpatial`: sums the gradient of the padded tensor back onto `xShape`. */
export function foldPadding<D extends DType>(dPadded: Tensor<D>, xShape: readonly number[], rank: number, before: readonly number[], after: readonly number[], mode: PaddingMode): Tensor<D> {
    const p = plan(xShape, rank, before, after, mode);
    // accumulated in float64 whatever the dtype (an edge may collect many copies), rounded once
    const acc = new Float64Array(numel(xShape));
    const g = dPadded.data;
    if (g instanceof Float64Array) scatter64(g, acc, p);
    else scatter64(Float64Array.from(g), acc, p);
    const dx = allocate(dPadded.dtype, acc.length);
    dx.set(acc);
    return { shape: [...xShape], data: dx as DataOf<D>, dtype: dPadded.dtype };
}

function gather(x: Float32Array | Float64Array, y: Float32Array | Float64Array, p: Plan): void {
    const [sd, sh, sw] = p.sources;
    const [D, H, W] = p.inSize;
    const plane = D * H * W;
    let o = 0;
    for (let q = 0; q < p.planes; q++) {
        for (let a = 0; a < sd.length; a++) {
            for (let b = 0; b < sh.length; b++) {
                const base = q * plane + (sd[a]! * H + sh[b]!) * W;
                for (let c = 0; c < sw.length; c++) y[o++] = x[base + sw[c]!]!;
            }
        }
    }
}

function scatter64(g: Float64Array, dx: Float64Array, p: Plan): void {
    const [sd, sh, sw] = p.sources;
    const [D, H, W] = p.inSize;
    const plane = D * H * W;
    let o = 0;
    for (let q = 0; q < p.planes; q++) {
        for (let a = 0; a < sd.length; a++) {
            for (let b = 0; b < sh.length; b++) {
                const base = q * plane + (sd[a]! * H + sh[b]!) * W;
                for (let c = 0; c < sw.length; c++) {
                    const k = base + sw[c]!;
                    dx[k] = dx[k]! + g[o++]!;
                }
            }
        }
    }
}
