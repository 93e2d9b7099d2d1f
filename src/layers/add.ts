/** add — elementwise sum of two or more tensors, with PyTorch's broadcasting (`a + b + c`). */
import { formatShape } from '../shape/dims.js';
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
});
