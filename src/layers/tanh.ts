/** tanh — torch.nn.Tanh: the hyperbolic tangent; the gradient 1 − y² reads the output, as PyTorch's. */
import { pointwiseLayer } from './pointwise.js';

export const tanh = pointwiseLayer({
    name: 'tanh',
    torch: 'torch.nn.Tanh',
    example: 'tanh()',
    doc: 'Hyperbolic tangent, elementwise, into (−1, 1).',
    args: [],
    formula: () => 'y = tanh(x)',
    elementwise: () => ({
        f: Math.tanh,
        df: (_x, y) => 1 - y * y,
    }),
});
