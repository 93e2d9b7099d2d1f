/**
 * hardtanh — torch.nn.Hardtanh: clamp(x, min_val, max_val); PyTorch requires max_val > min_val.
 * Also relu6's definition (hardtanh with 0 and 6). PyTorch's gradient is 0 at both bounds
 * (hardtanh_backward: x ≤ min_val or x ≥ max_val → 0).
 */
import { fmtNum, inplaceArg, pointwiseLayer, type Elementwise } from './pointwise.js';

/** clamp(x, lo, hi) with PyTorch's derivative: 1 strictly inside, 0 elsewhere (the bounds included). */
export function clampElementwise(lo: number, hi: number, kink: string): Elementwise {
    return {
        f: x => (x <= lo ? lo : x >= hi ? hi : x), // NaN passes through, as clamp's does
        df: x => (x <= lo || x >= hi ? 0 : 1),
        piece: x => (x <= lo ? 0 : x < hi ? 1 : 2),
        kink,
    };
}

export const hardtanh = pointwiseLayer({
    name: 'hardtanh',
    torch: 'torch.nn.Hardtanh',
    example: 'hardtanh(min_val=-1.0, max_val=1.0)',
    doc: 'Hard tanh: x clamped to [min_val, max_val], elementwise.\n\nmax_val must be greater than min_val (PyTorch asserts it). The gradient is 1 strictly between the bounds and 0 elsewhere, the bounds included (as PyTorch).',
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
    elementwise: a => clampElementwise(a.min_val, a.max_val, `hardtanh at ${fmtNum(a.min_val)} and ${fmtNum(a.max_val)}`),
});
