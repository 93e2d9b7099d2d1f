/**
 * concat — torch.cat: joins two or more tensors along `dim` (wrapping negative values against the
 * first input's rank). All inputs have the same rank and agree on every other axis.
 *
 * Compute: seen as [outer, size_i·inner] blocks (outer = the product of the axes before `dim`,
 * inner of those after), each output row is the inputs' rows side by side; backward cuts dy's
 * rows back into the same pieces.
 */
import { formatShape } from '../shape/dims.js';
import { type Tensor, allocate, numel } from '../tensor/tensor.js';
import { wrapAxis } from './common.js';
import { defineLayer, type Dim } from './types.js';

/** Sum of dims, symbolic when any is: `2·N`, `N+3`. */
function sumDim(dims: readonly Dim[]): Dim {
    let n = 0;
    const names = new Map<string, number>();
    for (const d of dims) {
        if (typeof d === 'number') n += d;
        else names.set(d, (names.get(d) ?? 0) + 1);
    }
    if (names.size === 0) return n;
    const terms = [...names].map(([name, count]) => (count === 1 ? name : `${count}·${name}`));
    if (n > 0) terms.push(String(n));
    return terms.join('+');
}

/** Axis `dim` (negative counts from the end) of a tensor of rank `rank`. */
function axisOf(dim: number, rank: number): number {
    return dim < 0 ? dim + rank : dim;
}

/** Per input, the length of one of its rows (size along dim × inner), and the output row length. */
function rowLengths(shapes: ReadonlyArray<readonly number[]>, axis: number): { rows: number; lengths: number[]; total: number } {
    const first = shapes[0]!;
    const inner = numel(first.slice(axis + 1));
    const lengths = shapes.map(s => s[axis]! * inner);
    return { rows: numel(first.slice(0, axis)), lengths, total: lengths.reduce((a, b) => a + b, 0) };
}

export const concat = defineLayer({
    name: 'concat',
    family: 'merge',
    torch: 'torch.cat',
    example: 'concat(skip, up, dim=1)',
    doc: [
        'Concatenates two or more tensors along `dim`: `concat(a, b, dim=1)` stacks channels (U-Net skips, DenseNet, Inception).',
        '',
        'Every input must have the same rank and the same size on every axis but `dim`. `dim` may be negative (−1 is the last axis).',
    ].join('\n'),
    args: [
        { name: 'tensors', type: { kind: 'tensors' }, doc: 'The tensors to join (two or more), in order.' },
        { name: 'dim', type: { kind: 'int' }, default: '1', doc: 'The axis to join along (1: channels); negative counts from the end.' },
    ],
    infer(ctx) {
        const inputs = ctx.inputs;
        const first = inputs[0]!;
        const dim = wrapAxis(ctx, ctx.args.dim, first, 'dim');
        if (dim === undefined) return undefined;
        for (let i = 1; i < inputs.length; i++) {
            const s = inputs[i]!;
            if (s.length !== first.length) {
                ctx.error('merge-shape-mismatch', `input ${i} ${formatShape(s)} is ${s.length}-D but input 0 ${formatShape(first)} is ${first.length}-D: concatenated tensors need the same rank`, `input:${i}`);
                return undefined;
            }
            const axis = s.findIndex((d, j) => j !== dim && d !== first[j]);
            if (axis >= 0) {
                ctx.error('merge-shape-mismatch', `input ${i} ${formatShape(s)} differs from input 0 ${formatShape(first)} on axis ${axis} (${s[axis]} vs ${first[axis]}): only dim ${dim} may differ when concatenating along it`, `input:${i}`);
                return undefined;
            }
        }
        const joined = sumDim(inputs.map(s => s[dim]!));
        const shape = [...first.slice(0, dim), joined, ...first.slice(dim + 1)];
        return {
            shape,
            params: 0,
            macs: 0,
            rf: { kind: 'identity' },
            explain: [`axis ${dim}: ${inputs.map(s => s[dim]).join(' + ')} = ${joined}: ${formatShape(shape)}`],
        };
    },
    forward(ctx) {
        const xs = ctx.inputs;
        const first = xs[0]!;
        const { rows, lengths, total } = rowLengths(xs.map(x => x.shape), axisOf(ctx.args.dim, first.shape.length));
        const y = allocate(first.dtype, rows * total);
        let offset = 0;
        xs.forEach((x, i) => {
            const len = lengths[i]!;
            for (let r = 0; r < rows; r++) y.set(x.data.subarray(r * len, (r + 1) * len), r * total + offset);
            offset += len;
        });
        return { output: { shape: [...ctx.outShape], data: y, dtype: first.dtype } };
    },
    backward(ctx) {
        const xs = ctx.inputs;
        const dy = ctx.gradOutput;
        const { rows, lengths, total } = rowLengths(xs.map(x => x.shape), axisOf(ctx.args.dim, xs[0]!.shape.length));
        let offset = 0;
        const inputs = xs.map((x, i): Tensor => {
            const len = lengths[i]!;
            const dx = allocate(dy.dtype, rows * len);
            for (let r = 0; r < rows; r++) dx.set(dy.data.subarray(r * total + offset, r * total + offset + len), r * len);
            offset += len;
            return { shape: [...x.shape], data: dx, dtype: dy.dtype };
        });
        return { inputs, params: {} };
    },
});
