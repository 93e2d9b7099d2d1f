/**
 * group_norm — torch.nn.GroupNorm. The C channels of [N, C, *] are split into num_groups groups,
 * each normalised per sample over its channels and the spatial axes; affine adds a per-channel
 * weight and bias (2·C). PyTorch rejects an input whose N·(C/groups)·∏spatial is 1, in any mode.
 *
 * Compute: per sample and group, the D·S values (D = C/G channels, S = ∏spatial) are normalised
 * with their own mean and biased variance, y = (x − mean)·rstd·weight[c] + bias[c]; the same in
 * training and eval mode. Init: weight 1, bias 0. The formulas are aten's (group_norm_kernel.cpp,
 * CPU), operation by operation, with its fused multiply-adds (checked bit for bit against PyTorch
 * 1.13 on groups of one value, where the exact result is 0 and PyTorch's is rounding residue):
 *   forward   affine: y = fma(rstd·w[c], x, fma(−rstd·w[c], mean, b[c])); else y = (x − mean)·rstd
 *   backward  ds[n,c] = Σ_S dy·x, db[n,c] = Σ_S dy; per (n, g): ds' = Σ_c ds·w[c], db' = Σ_c db·w[c]
 *             c2 = fma(db', mean, −ds')·rstd³/(D·S), c3 = fma(−c2, mean, −db'·rstd/(D·S))
 *             dx = fma(rstd·w[c], dy, c2·x) + c3
 *             dw[c] = Σ_n fma(−db, mean, ds)·rstd, db[c] = Σ_n db
 */
import { formatShape } from '../shape/dims.js';
import { type Tensor, fromArray, full, zeros } from '../tensor/tensor.js';
import { fma, invStd, moments } from '../engine/ops/norm-moments.js';
import { defineLayer } from './types.js';

interface Saved {
    /** per (n, group) */
    readonly mean: Float64Array;
    readonly rstd: Float64Array;
}

/** [N, C, *spatial] with D = C/groups channels per group and s = ∏spatial positions per channel. */
function layoutOf(shape: readonly number[], groups: number): { n: number; c: number; groups: number; d: number; s: number } {
    const c = shape[1]!;
    let s = 1;
    for (let i = 2; i < shape.length; i++) s *= shape[i]!;
    return { n: shape[0]!, c, groups, d: c / groups, s };
}

export const groupNorm = defineLayer({
    name: 'group_norm',
    family: 'normalisation',
    torch: 'torch.nn.GroupNorm',
    example: 'group_norm(32)',
    doc: [
        'Group normalisation: the channels of an input [N, C, *] are split into num_groups groups, each normalised per sample over its C/num_groups channels and all spatial positions, then scaled and shifted per channel.',
        '',
        'C must be divisible by num_groups; num_groups = 1 is layer norm over (C, *), num_groups = C is instance norm. Statistics are per sample, so training and eval modes agree.',
    ].join('\n'),
    args: [
        { name: 'num_groups', type: { kind: 'int', min: 1 }, doc: 'Number of channel groups; must divide the channels C.' },
        { name: 'num_channels', type: { kind: 'int', min: 1, nullable: true }, default: 'None', check: true, doc: 'Optional: the channels C you expect; checked against the input.' },
        { name: 'eps', type: { kind: 'float', min: 0 }, default: '1e-5', doc: 'Added to the variance for numerical stability.' },
        { name: 'affine', type: { kind: 'bool' }, default: 'true', doc: 'Learn a per-channel weight and bias: 2·C parameters.' },
    ],
    infer(ctx) {
        const a = ctx.args;
        const shape = ctx.input;
        if (shape.length < 2) {
            ctx.error('input-rank', `expects an input [N, C, *] with at least 2 dims, got ${shape.length}-D ${formatShape(shape)}`, 'input');
            return undefined;
        }
        const c = shape[1];
        const spatial = shape.slice(2);
        if (typeof c !== 'number' || spatial.some(d => typeof d !== 'number')) {
            ctx.error('symbolic-dim', `needs concrete channel and spatial sizes, got ${formatShape(shape)}: only the batch may be symbolic`, 'input');
            return undefined;
        }
        if (a.num_channels !== null && a.num_channels !== c) {
            ctx.error('num-channels-mismatch', `was declared for num_channels=${a.num_channels} but its input has ${c} channels: set num_channels=${c} or change the input`, 'num_channels');
            return undefined;
        }
        const g = a.num_groups;
        if (c % g !== 0) {
            const divisors = Array.from({ length: c }, (_, i) => i + 1).filter(d => c % d === 0);
            const near = divisors.reduce((best, d) => (Math.abs(d - g) < Math.abs(best - g) ? d : best), 1);
            ctx.error('groups-not-divisible', `the ${c} input channels are not divisible by num_groups=${g}: use a divisor of ${c}, e.g. ${near}`, 'num_groups');
            return undefined;
        }
        const perGroup = (c / g) * (spatial as number[]).reduce((x, y) => x * y, 1);
        const n = shape[0]!;
        if (perGroup === 1) {
            if (typeof n === 'number' && n === 1) {
                ctx.error('single-value-per-group', `each group holds a single value (C/num_groups·∏spatial = 1) and the batch is 1: PyTorch raises ("expected more than 1 value per channel"); use fewer groups or a larger input`, 'num_groups');
                return undefined;
            }
            ctx.warning('single-value-per-group', `each group holds a single value (C/num_groups·∏spatial = 1), so it normalises to 0 and the output is just the bias: use fewer groups`, 'num_groups');
        }
        const params = a.affine ? 2 * c : 0;
        return {
            shape,
            params,
            macs: 0,
            rf: { kind: 'identity' },
            explain: [
                `${g} group${g === 1 ? '' : 's'} of ${c / g} channel${c / g === 1 ? '' : 's'}; each normalised per sample over ${spatial.length > 0 ? `${c / g}·${spatial.join('·')} = ` : ''}${perGroup} value${perGroup === 1 ? '' : 's'}`,
                a.affine ? `params = 2·C = 2·${c} = ${params} (weight and bias)` : 'params = 0 (affine=false)',
            ],
            weights: a.affine ? [{ name: 'weight', shape: [c] }, { name: 'bias', shape: [c] }] : [],
        };
    },
    init(ctx) {
        const params: Record<string, Tensor> = {};
        for (const w of ctx.weights) params[w.name] = w.name === 'weight' ? full(w.shape, 1, ctx.dtype) : zeros(w.shape, ctx.dtype);
        return { params };
    },
    forward(ctx) {
        const x = ctx.inputs[0]!;
        const l = layoutOf(x.shape, ctx.args.num_groups);
        const { mean, variance } = moments(x.data, { outer: 1, mid: l.n * l.groups, inner: l.d * l.s });
        const rstd = invStd(variance, ctx.args.eps);
        const y = zeros(x.shape, x.dtype);
        const xd = x.data;
        const yd = y.data;
        const gamma = ctx.params['weight']?.data;
        const beta = ctx.params['bias']?.data;
        for (let n = 0; n < l.n; n++) {
            for (let c = 0; c < l.c; c++) {
                const i = n * l.groups + Math.floor(c / l.d);
                const base = (n * l.c + c) * l.s;
                const mu = mean[i]!;
                const r = rstd[i]!;
                if (gamma && beta) {
                    const scale = r * gamma[c]!;
                    const bias = fma(-scale, mu, beta[c]!);
                    for (let k = 0; k < l.s; k++) yd[base + k] = fma(scale, xd[base + k]!, bias);
                } else {
                    for (let k = 0; k < l.s; k++) yd[base + k] = (xd[base + k]! - mu) * r;
                }
            }
        }
        const saved: Saved = { mean, rstd };
        return { output: y, saved };
    },
    backward(ctx) {
        const { mean, rstd } = ctx.saved as Saved;
        const x = ctx.inputs[0]!;
        const l = layoutOf(x.shape, ctx.args.num_groups);
        const xd = x.data;
        const dy = ctx.gradOutput.data;
        const weight = ctx.params['weight'];
        const gamma = weight?.data;
        // per (n, c): ds = Σ dy·x, db = Σ dy over the spatial positions
        const ds = new Float64Array(l.n * l.c);
        const db = new Float64Array(l.n * l.c);
        for (let nc = 0; nc < l.n * l.c; nc++) {
            let sx = 0;
            let sy = 0;
            for (let k = nc * l.s; k < (nc + 1) * l.s; k++) {
                sx += dy[k]! * xd[k]!;
                sy += dy[k]!;
            }
            ds[nc] = sx;
            db[nc] = sy;
        }
        const dx = zeros(x.shape, x.dtype);
        const out = dx.data;
        const s = 1 / (l.d * l.s);
        for (let n = 0; n < l.n; n++) {
            for (let g = 0; g < l.groups; g++) {
                const i = n * l.groups + g;
                const mu = mean[i]!;
                const r = rstd[i]!;
                let dsVal = 0;
                let dbVal = 0;
                for (let j = 0; j < l.d; j++) {
                    const c = g * l.d + j;
                    const w = gamma ? gamma[c]! : 1;
                    dsVal = fma(ds[n * l.c + c]!, w, dsVal);
                    dbVal = fma(db[n * l.c + c]!, w, dbVal);
                }
                const c2 = fma(dbVal, mu, -dsVal) * r * r * r * s;
                const c3 = fma(-c2, mu, -(dbVal * r * s));
                for (let j = 0; j < l.d; j++) {
                    const c = g * l.d + j;
                    const c1 = gamma ? r * gamma[c]! : r;
                    const base = (n * l.c + c) * l.s;
                    for (let k = base; k < base + l.s; k++) out[k] = fma(c1, dy[k]!, c2 * xd[k]!) + c3;
                }
            }
        }
        const params: Record<string, Tensor> = {};
        if (weight) {
            const dgamma = new Float64Array(l.c);
            const dbeta = new Float64Array(l.c);
            for (let n = 0; n < l.n; n++) {
                for (let c = 0; c < l.c; c++) {
                    const i = n * l.groups + Math.floor(c / l.d);
                    dgamma[c] = dgamma[c]! + fma(-db[n * l.c + c]!, mean[i]!, ds[n * l.c + c]!) * rstd[i]!;
                    dbeta[c] = dbeta[c]! + db[n * l.c + c]!;
                }
            }
            params['weight'] = fromArray(dgamma, weight.shape, weight.dtype);
            params['bias'] = fromArray(dbeta, weight.shape, weight.dtype);
        }
        return { inputs: [dx], params };
    },
});
