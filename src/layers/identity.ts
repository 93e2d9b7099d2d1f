/**
 * identity — torch.nn.Identity: returns its input unchanged (a placeholder, e.g. a skip path).
 * Compute: a copy of the input, and of the gradient in backward (never an alias).
 */
import { pointwiseLayer } from './pointwise.js';
import { defineLayer } from './types.js';
import { clone } from '../tensor/tensor.js';

export const identity = defineLayer({
    ...pointwiseLayer({
        name: 'identity',
        family: 'shape',
        torch: 'torch.nn.Identity',
        example: 'identity()',
        doc: 'Returns its input unchanged: a placeholder, e.g. for an optional layer or a named skip path.',
        args: [],
        formula: () => 'y = x',
    }),
    forward(ctx) {
        return { output: clone(ctx.inputs[0]!) };
    },
    backward(ctx) {
        return { inputs: [clone(ctx.gradOutput)], params: {} };
    },
});
