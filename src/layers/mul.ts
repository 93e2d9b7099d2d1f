/** mul — elementwise product of two or more tensors, with PyTorch's broadcasting (`a * b * c`). */
import { formatShape } from '../shape/dims.js';
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
});
