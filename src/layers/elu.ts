/** elu — torch.nn.ELU: x for x > 0, alpha·(exp(x) − 1) otherwise. */
import { fmtNum, inplaceArg, pointwiseLayer } from './pointwise.js';

export const elu = pointwiseLayer({
    name: 'elu',
    torch: 'torch.nn.ELU',
    example: 'elu(alpha=1.0)',
    doc: 'Exponential linear unit: x for x > 0 and alpha·(exp(x) − 1) below, elementwise.',
    args: [
        { name: 'alpha', type: { kind: 'float' }, default: '1.0', doc: 'Scale of the negative part (the value it saturates to is −alpha).' },
        inplaceArg,
    ],
    formula: a => `y = x if x > 0 else ${fmtNum(a.alpha)}·(exp(x) − 1)`,
});
