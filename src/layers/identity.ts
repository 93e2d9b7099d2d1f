/** identity — torch.nn.Identity: returns its input unchanged (a placeholder, e.g. a skip path). */
import { pointwiseLayer } from './pointwise.js';

export const identity = pointwiseLayer({
    name: 'identity',
    family: 'shape',
    torch: 'torch.nn.Identity',
    example: 'identity()',
    doc: 'Returns its input unchanged: a placeholder, e.g. for an optional layer or a named skip path.',
    args: [],
    formula: () => 'y = x',
});
