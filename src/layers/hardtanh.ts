/** hardtanh — torch.nn.Hardtanh: clamp(x, min_val, max_val); PyTorch requires max_val > min_val. */
import { fmtNum, inplaceArg, pointwiseLayer } from './pointwise.js';

export const hardtanh = pointwiseLayer({
    name: 'hardtanh',
    torch: 'torch.nn.Hardtanh',
    example: 'hardtanh(min_val=-1.0, max_val=1.0)',
    doc: 'Hard tanh: x clamped to [min_val, max_val], elementwise.\n\nmax_val must be greater than min_val (PyTorch asserts it).',
    args: [
        { name: 'min_val', type: { kind: 'float' }, default: '-1.0', doc: 'Lower end of the linear region.' },
        { name: 'max_val', type: { kind: 'float' }, default: '1.0', doc: 'Upper end of the linear region; greater than min_val.' },
        inplaceArg,
    ],
    check(ctx) {
        const { min_val, max_val } = ctx.args;
        if (max_val > min_val) return true;
        ctx.error('invalid-value', `max_val ${fmtNum(max_val)} must be greater than min_val ${fmtNum(min_val)}: raise max_val or lower min_val`, ctx.given.has('max_val') ? 'max_val' : 'min_val');
        return false;
    },
    formula: a => `y = min(max(x, ${fmtNum(a.min_val)}), ${fmtNum(a.max_val)})`,
});
