/** leaky_relu — torch.nn.LeakyReLU: x for x ≥ 0, negative_slope·x otherwise. */
import { fmtNum, inplaceArg, pointwiseLayer } from './pointwise.js';

export const leakyRelu = pointwiseLayer({
    name: 'leaky_relu',
    torch: 'torch.nn.LeakyReLU',
    example: 'leaky_relu(negative_slope=0.2)',
    doc: 'Leaky ReLU: x for x ≥ 0 and negative_slope·x below, elementwise.',
    args: [
        { name: 'negative_slope', type: { kind: 'float' }, default: '0.01', doc: 'Slope for negative inputs.' },
        inplaceArg,
    ],
    formula: a => `y = x if x ≥ 0 else ${fmtNum(a.negative_slope)}·x`,
});
