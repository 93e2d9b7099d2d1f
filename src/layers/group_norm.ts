/**
 * group_norm — torch.nn.GroupNorm. The C channels of [N, C, *] are split into num_groups groups,
 * each normalised per sample over its channels and the spatial axes; affine adds a per-channel
 * weight and bias (2·C). PyTorch rejects an input whose N·(C/groups)·∏spatial is 1, in any mode.
 */
import { formatShape } from '../shape/dims.js';
import { defineLayer } from './types.js';

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
});
