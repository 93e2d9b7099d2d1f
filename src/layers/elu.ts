/**
 * elu — torch.nn.ELU: x for x > 0, alpha·(exp(x) − 1) otherwise. PyTorch's gradient at 0 is alpha
 * (elu_backward: x ≤ 0 → alpha·exp(x)), so 0 is a kink unless alpha = 1 (then elu is C¹ there; it
 * is still reported as one, which only makes a gradient check more lenient at exactly 0).
 */
import { fmtNum, inplaceArg, pointwiseLayer } from './pointwise.js';

export const elu = pointwiseLayer({
    name: 'elu',
    torch: 'torch.nn.ELU',
    example: 'elu(alpha=1.0)',
    doc: 'Exponential linear unit: x for x > 0 and alpha·(exp(x) − 1) below, elementwise.\n\nThe gradient at 0 is alpha (as PyTorch).',
    args: [
        { name: 'alpha', type: { kind: 'float' }, default: '1.0', doc: 'Scale of the negative part (the value it saturates to is −alpha).' },
        inplaceArg,
    ],
    formula: a => `y = x if x > 0 else ${fmtNum(a.alpha)}·(exp(x) − 1)`,
    elementwise: a => {
        const alpha = a.alpha;
        return {
            f: x => (x > 0 ? x : alpha * Math.expm1(x)),
            df: x => (x > 0 ? 1 : alpha * Math.exp(x)),
            piece: x => (x > 0 ? 1 : 0),
            kink: 'elu at 0',
        };
    },
});
