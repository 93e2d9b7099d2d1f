/** relu — torch.nn.ReLU: max(0, x), elementwise. PyTorch's gradient at 0 is 0 (threshold_backward: y ≤ 0 → 0). */
import { inplaceArg, pointwiseLayer } from './pointwise.js';

export const relu = pointwiseLayer({
    name: 'relu',
    torch: 'torch.nn.ReLU',
    example: 'relu()',
    doc: 'Rectified linear unit: max(0, x), elementwise.\n\nThe gradient is 1 for x > 0 and 0 for x < 0 (PyTorch uses 0 at x = 0).',
    args: [inplaceArg],
    formula: () => 'y = max(0, x)',
    elementwise: () => ({
        f: x => (x <= 0 ? 0 : x), // NaN passes through, as clamp_min's does
        df: x => (x > 0 ? 1 : 0),
        piece: x => (x > 0 ? 1 : 0),
        kink: 'relu at 0',
    }),
});
