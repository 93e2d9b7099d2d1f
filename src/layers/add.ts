/**
 * add — elementwise sum of two or more tensors, with PyTorch's broadcasting (`a + b + c`).
 * Compute: folded left, ((x0 + x1) + x2)…, as PyTorch evaluates it; every input's gradient is
 * dy summed over the axes that input was broadcast along (src/engine/ops/merge-broadcast.ts).
 */
import { formatShape } from '../shape/dims.js';
import { broadcastBinary, foldShapes, sumTo } from '../engine/ops/merge-broadcast.js';
import { clone } from '../tensor/tensor.js';
import { broadcastInputs } from './broadcast.js';
import { defineLayer } from './types.js';

export const add = defineLayer({
    name: 'add',
    family: 'merge',
    torch: 'torch.add (a + b)',
    example: 'add(main, input)',
    doc: [
        'Elementwise sum of two or more tensors: `add(a, b)` or `a -> add(b)` (a residual connection).',
        '',
        'Shapes broadcast as in PyTorch: aligned on their last axes, each pair of sizes equal or one of them 1.',
    ].join('\n'),
    args: [
        { name: 'tensors', type: { kind: 'tensors' }, doc: 'The tensors to add (two or more).' },
    ],
    infer(ctx) {
        const shape = broadcastInputs(ctx, ctx.inputs);
        if (!shape) return undefined;
        return {
            shape,
            params: 0,
            macs: 0,
            rf: { kind: 'identity' },
            explain: [`y = ${ctx.inputs.map((_, i) => `x${i}`).join(' + ')}: ${ctx.inputs.map(formatShape).join(' + ')} → ${formatShape(shape)}`],
        };
    },
    forward(ctx) {
        const xs = ctx.inputs;
        const shapes = foldShapes(xs.map(x => x.shape));
        let y = xs[0]!;
        for (let i = 1; i < xs.length; i++) y = broadcastBinary('add', y, xs[i]!, shapes[i]!);
        return { output: xs.length === 1 ? clone(y) : y };
    },
    backward(ctx) {
        return { inputs: ctx.inputs.map(x => sumTo(ctx.gradOutput, x.shape)), params: {} };
    },
});
