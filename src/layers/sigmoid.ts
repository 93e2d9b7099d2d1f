/** sigmoid — torch.nn.Sigmoid: 1 / (1 + exp(−x)); the gradient y·(1 − y) reads the output, as PyTorch's. */
import { pointwiseLayer } from './pointwise.js';

export const sigmoid = pointwiseLayer({
    name: 'sigmoid',
    torch: 'torch.nn.Sigmoid',
    example: 'sigmoid()',
    doc: 'Logistic sigmoid: 1 / (1 + exp(−x)), elementwise, into (0, 1).',
    args: [],
    formula: () => 'y = 1 / (1 + exp(−x))',
    elementwise: () => ({
        f: x => 1 / (1 + Math.exp(-x)),
        df: (_x, y) => (1 - y) * y,
    }),
});
