/** tanh — torch.nn.Tanh: the hyperbolic tangent. */
import { pointwiseLayer } from './pointwise.js';

export const tanh = pointwiseLayer({
    name: 'tanh',
    torch: 'torch.nn.Tanh',
    example: 'tanh()',
    doc: 'Hyperbolic tangent, elementwise, into (−1, 1).',
    args: [],
    formula: () => 'y = tanh(x)',
});
