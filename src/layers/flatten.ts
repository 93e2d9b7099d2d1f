/**
 * flatten — torch.nn.Flatten: merges the axes start_dim … end_dim (both wrap when negative) into
 * one, the product of their sizes (symbolic when the batch is among them: `N·3`).
 *
 * Compute: the same values in C order under the analysed shape (a copy, so the output never
 * aliases the input); backward gives the gradient the input's shape.
 */
import { formatShape, productDim } from '../shape/dims.js';
import { wrapAxis } from './common.js';
import { defineLayer } from './types.js';
import { clone, reshape } from '../tensor/tensor.js';

export const flatten = defineLayer({
    name: 'flatten',
    family: 'shape',
    torch: 'torch.nn.Flatten',
    example: 'flatten()',
    doc: [
        'Flattens the axes start_dim … end_dim into one: [N, C, H, W] → [N, C·H·W] with the defaults.',
        '',
        'Both ends are included and may be negative (−1 is the last axis); start_dim must not come after end_dim.',
    ].join('\n'),
    args: [
        { name: 'start_dim', type: { kind: 'int' }, default: '1', doc: 'First axis to flatten (the default keeps the batch).' },
        { name: 'end_dim', type: { kind: 'int' }, default: '-1', doc: 'Last axis to flatten, included.' },
    ],
    infer(ctx) {
        const shape = ctx.input;
        const start = wrapAxis(ctx, ctx.args.start_dim, shape, 'start_dim');
        const end = wrapAxis(ctx, ctx.args.end_dim, shape, 'end_dim');
        if (start === undefined || end === undefined) return undefined;
        if (start > end) {
            ctx.error('flatten-dims', `start_dim ${ctx.args.start_dim} (axis ${start}) comes after end_dim ${ctx.args.end_dim} (axis ${end}) of ${formatShape(shape)}: swap them`, 'start_dim');
            return undefined;
        }
        const merged = productDim(shape.slice(start, end + 1));
        const out = [...shape.slice(0, start), merged, ...shape.slice(end + 1)];
        const unchanged = start === end;
        return {
            shape: out,
            params: 0,
            macs: 0,
            rf: unchanged ? { kind: 'identity' } : { kind: 'drop' },
            explain: [
                unchanged
                    ? `axes ${start} … ${end} is a single axis: the shape is unchanged, ${formatShape(shape)}`
                    : `axes ${start} … ${end} of ${formatShape(shape)} become one of size ${shape.slice(start, end + 1).join('·')} = ${merged}: ${formatShape(out)}`,
            ],
        };
    },
    forward(ctx) {
        return { output: reshape(clone(ctx.inputs[0]!), ctx.outShape) };
    },
    backward(ctx) {
        return { inputs: [reshape(clone(ctx.gradOutput), ctx.inputs[0]!.shape)], params: {} };
    },
});
