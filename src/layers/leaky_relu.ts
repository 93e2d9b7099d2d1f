/**
 * leaky_relu — torch.nn.LeakyReLU: x for x > 0, negative_slope·x otherwise. PyTorch's gradient at
 * 0 is negative_slope (leaky_relu_backward: x > 0 → 1, else negative_slope).
 */
import { fmtNum, inplaceArg, pointwiseLayer } from './pointwise.js';

export const leakyRelu = pointwiseLayer({
    name: 'leaky_relu',
    torch: 'torch.nn.LeakyReLU',
    example: 'leaky_relu(negative_slope=0.2)',
    doc: 'Leaky ReLU: x for x ≥ 0 and negative_slope·x below, elementwise.\n\nThe gradient at 0 is negative_slope (as PyTorch).',
    args: [
        { name: 'negative_slope', type: { kind: 'float' }, default: '0.01', doc: 'Slope for negative inputs.' },
        inplaceArg,
    ],
    formula: a => `y = x if x ≥ 0 else ${fmtNum(a.negative_slope)}·x`,
    elementwise: a => {
        const slope = a.negative_slope;
        return {
            f: x => (x > 0 ? x : x * slope),
            df: x => (x > 0 ? 1 : slope),
            piece: x => (x > 0 ? 1 : 0),
            kink: 'leaky_relu at 0',
        };
    },
});
