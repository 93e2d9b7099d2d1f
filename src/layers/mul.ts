/**
 * mul — elementwise product of two or more tensors, with PyTorch's broadcasting (`a * b * c`).
 * Compute: folded left, t_i = t_(i−1)·x_i with t_0 = x0, as PyTorch evaluates it; backward walks
 * the chain back as autograd does: with g the gradient of t_i, x_i gets g·t_(i−1) and t_(i−1)
 * gets g·x_i, each summed over the axes it was broadcast along (src/engine/ops/merge-broadcast.ts).
 */
import { formatShape } from '../shape/dims.js';
import { broadcastBinary, foldShapes, sumTo } from '../engine/ops/merge-broadcast.js';
import { type Tensor, clone } from '../tensor/tensor.js';
import { broadcastInputs } from './broadcast.js';
import { defineLayer } from './types.js';

export const mul = defineLayer({
    name: 'mul',
    family: 'merge',
    torch: 'torch.mul (a * b)',
    example: 'mul(features, gate)',
    doc: [
        'Elementwise product of two or more tensors: `mul(a, b)` or `a -> mul(b)` (gating, attention, squeeze-and-excitation).',
        '',
        'Shapes broadcast as in PyTorch: aligned on their last axes, each pair of sizes equal or one of them 1, so [N, C, H, W] · [N, C, 1, 1] scales every channel.',
    ].join('\n'),
    args: [
        { name: 'tensors', type: { kind: 'tensors' }, doc: 'The tensors to multiply (two or more).' },
    ],
    infer(ctx) {
        const shape = broadcastInputs(ctx, ctx.inputs);
        if (!shape) return undefined;
        return {
            shape,
            params: 0,
            macs: 0,
            rf: { kind: 'identity' },
            explain: [`y = ${ctx.inputs.map((_, i) => `x${i}`).join(' · ')}: ${ctx.inputs.map(formatShape).join(' · ')} → ${formatShape(shape)}`],
        };
    },
    forward(ctx) {
        const xs = ctx.inputs;
        const shapes = foldShapes(xs.map(x => x.shape));
        const partial: Tensor[] = [xs[0]!];
        for (let i = 1; i < xs.length; i++) partial.push(broadcastBinary('mul', partial[i - 1]!, xs[i]!, shapes[i]!));
        // the partial products t_0 … t_(n−2) are what backward needs
        return { output: xs.length === 1 ? clone(xs[0]!) : partial[partial.length - 1]!, saved: partial };
    },
    backward(ctx) {
        const xs = ctx.inputs;
        const partial = ctx.saved as Tensor[];
        const shapes = foldShapes(xs.map(x => x.shape));
        const grads: Tensor[] = new Array<Tensor>(xs.length);
        let g: Tensor = ctx.gradOutput;
        for (let i = xs.length - 1; i >= 1; i--) {
            grads[i] = sumTo(broadcastBinary('mul', g, partial[i - 1]!, shapes[i]!), xs[i]!.shape);
            g = sumTo(broadcastBinary('mul', g, xs[i]!, shapes[i]!), shapes[i - 1]!);
        }
        grads[0] = sumTo(g, xs[0]!.shape);
        return { inputs: grads, params: {} };
    },
});
