/** relu6 — torch.nn.ReLU6: min(max(0, x), 6), elementwise (MobileNet's activation; PyTorch's hardtanh(0, 6)). */
import { clampElementwise } from './hardtanh.js';
import { inplaceArg, pointwiseLayer } from './pointwise.js';

export const relu6 = pointwiseLayer({
    name: 'relu6',
    torch: 'torch.nn.ReLU6',
    example: 'relu6()',
    doc: 'ReLU capped at 6: min(max(0, x), 6), elementwise (MobileNet\'s activation; hardtanh with min_val=0, max_val=6).\n\nThe gradient is 1 for 0 < x < 6 and 0 elsewhere, 0 and 6 included (as PyTorch).',
    args: [inplaceArg],
    formula: () => 'y = min(max(0, x), 6)',
    elementwise: () => clampElementwise(0, 6, 'relu6 at 0 and 6'),
});
