/**
 * local_response_norm — torch.nn.LocalResponseNorm. Each value is divided by a power of the
 * average of squares over `size` neighbouring channels. PyTorch's convention (like Caffe's; unlike
 * AlexNet's paper and TensorFlow, where α multiplies the plain sum): α is divided by size, the window runs from
 * c − ⌊size/2⌋ to c + ⌊(size − 1)/2⌋ and is zero-padded at the ends of the channel axis.
 *
 * Compute, as torch.nn.functional.local_response_norm: A = avg-pool of x² over the channel window
 * (x² seen as [N, 1, C, ∏spatial], windows of `size` channels by 1 position, padded
 * [⌊size/2⌋, ⌊(size − 1)/2⌋] and counted with the padding, so always divided by size), then
 * D = k + α·A and y = x / D^β. Backward: with t_c = −β·α·g_c·x_c / (D_c^β·D_c), spread back
 * through the same average pool as u, dx = g / D^β + 2·x·u. The pooling is the kernels' (window.ts),
 * in float64 whatever the dtype.
 */
import { formatShape } from '../shape/dims.js';
import { type Tensor, numel, zeros } from '../tensor/tensor.js';
import { type PoolSpec, slidingWindows } from '../engine/kernels/index.js';
import { defineLayer } from './types.js';
import { fmtNum } from './pointwise.js';

interface Saved {
    /** D = k + α·A, per element */
    readonly base: Float64Array;
    /** D^β */
    readonly div: Float64Array;
    /** [N, 1, C, ∏spatial] */
    readonly planes: readonly number[];
    readonly spec: PoolSpec;
}

/** x as [N, 1, C, ∏spatial] and the average pool over each element's channel window. */
function channelPooling(shape: readonly number[], size: number): { planes: number[]; spec: PoolSpec } {
    const n = shape[0]!;
    const c = shape[1]!;
    const s = numel(shape) / (n * c);
    return {
        planes: [n, 1, c, s],
        spec: {
            mode: 'avg',
            windows: [
                slidingWindows(c, { kernel: size, stride: 1, padding: [Math.floor(size / 2), Math.floor((size - 1) / 2)] }),
                slidingWindows(s, { kernel: 1, stride: 1 }),
            ],
            countIncludePad: true,
        },
    };
}

export const localResponseNorm = defineLayer({
    name: 'local_response_norm',
    family: 'normalisation',
    torch: 'torch.nn.LocalResponseNorm',
    example: 'local_response_norm(5, alpha=1e-4, beta=0.75, k=2.0)',
    doc: [
        'Local response normalisation across channels, of an input [N, C, *] with at least 3 dims.',
        '',
        'b_c = a_c / (k + α/size · Σ a_{c\'}²)^β, the sum over the `size` channels c\' from c − ⌊size/2⌋ to c + ⌊(size − 1)/2⌋ (zero beyond the ends).',
        '',
        '**PyTorch\'s convention**: α is divided by `size`, i.e. the sum of squares is *averaged* over the window. AlexNet\'s paper and TensorFlow\'s `tf.nn.local_response_normalization` multiply the plain sum by α (Caffe, like PyTorch, divides by size): to reproduce such an α with this layer, pass alpha = α · size.',
    ].join('\n'),
    args: [
        { name: 'size', type: { kind: 'int', min: 1 }, doc: 'Number of neighbouring channels in the window (including the channel itself).' },
        { name: 'alpha', type: { kind: 'float' }, default: '1e-4', doc: 'Multiplicative factor; PyTorch divides it by size (the squares are averaged, not summed).' },
        { name: 'beta', type: { kind: 'float' }, default: '0.75', doc: 'Exponent.' },
        { name: 'k', type: { kind: 'float' }, default: '1.0', doc: 'Additive constant.' },
    ],
    infer(ctx) {
        const a = ctx.args;
        const shape = ctx.input;
        if (shape.length < 3) {
            ctx.error('input-rank', `expects an input with at least 3 dims [N, C, *spatial], got ${shape.length}-D ${formatShape(shape)}`, 'input');
            return undefined;
        }
        const half = Math.floor(a.size / 2), after = Math.floor((a.size - 1) / 2);
        return {
            shape,
            params: 0,
            macs: 0,
            rf: { kind: 'identity' },
            explain: [
                'b_c = a_c / (k + α/size · Σ a_{c\'}²)^β',
                `b_c = a_c / (${fmtNum(a.k)} + ${fmtNum(a.alpha)}/${a.size} · Σ_{c' = c−${half} … c+${after}} a_{c'}²)^${fmtNum(a.beta)}`,
                `α/size = ${fmtNum(a.alpha / a.size)} (PyTorch averages the squares over the window)`,
            ],
        };
    },
    forward(ctx) {
        const { size, alpha, beta, k } = ctx.args;
        const x = ctx.inputs[0]!;
        const { planes, spec } = channelPooling(x.shape, size);
        const squares = zeros(planes, 'float64');
        const xd = x.data;
        const sq = squares.data;
        for (let i = 0; i < xd.length; i++) sq[i] = xd[i]! * xd[i]!;
        const avg = ctx.kernels.poolForward(squares, spec).y.data;
        const base = new Float64Array(xd.length);
        const div = new Float64Array(xd.length);
        const y = zeros(x.shape, x.dtype);
        const yd = y.data;
        for (let i = 0; i < xd.length; i++) {
            const d = k + alpha * avg[i]!;
            base[i] = d;
            div[i] = Math.pow(d, beta);
            yd[i] = xd[i]! / div[i]!;
        }
        const saved: Saved = { base, div, planes, spec };
        return { output: y, saved };
    },
    backward(ctx) {
        const { alpha, beta } = ctx.args;
        const { base, div, planes, spec } = ctx.saved as Saved;
        const x = ctx.inputs[0]!;
        const xd = x.data;
        const gd = ctx.gradOutput.data;
        const t: Tensor<'float64'> = zeros(planes, 'float64');
        const td = t.data;
        for (let i = 0; i < xd.length; i++) td[i] = (-beta * alpha * gd[i]! * xd[i]!) / (div[i]! * base[i]!);
        const u = ctx.kernels.poolBackward(t, planes, spec, null).data;
        const dx = zeros(x.shape, x.dtype);
        const out = dx.data;
        for (let i = 0; i < xd.length; i++) out[i] = gd[i]! / div[i]! + 2 * xd[i]! * u[i]!;
        return { inputs: [dx], params: {} };
    },
});
