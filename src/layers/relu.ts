/** relu — torch.nn.ReLU: max(0, x), elementwise. */
import { inplaceArg, pointwiseLayer } from './pointwise.js';

export const relu = pointwiseLayer({
    name: 'relu',
    torch: 'torch.nn.ReLU',
    example: 'relu()',
    doc: 'Rectified linear unit: max(0, x), elementwise.\n\nThe gradient is 1 for x > 0 and 0 for x < 0 (PyTorch uses 0 at x = 0).',
    args: [inplaceArg],
    formula: () => 'y = max(0, x)',
});
