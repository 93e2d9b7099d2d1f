/** relu6 — torch.nn.ReLU6: min(max(0, x), 6), elementwise (MobileNet's activation). */
import { inplaceArg, pointwiseLayer } from './pointwise.js';

export const relu6 = pointwiseLayer({
    name: 'relu6',
    torch: 'torch.nn.ReLU6',
    example: 'relu6()',
    doc: 'ReLU capped at 6: min(max(0, x), 6), elementwise (MobileNet\'s activation; hardtanh with min_val=0, max_val=6).',
    args: [inplaceArg],
    formula: () => 'y = min(max(0, x), 6)',
});
