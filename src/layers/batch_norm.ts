/**
 * batch_norm1d / 2d / 3d — torch.nn.BatchNorm{1,2,3}d. Normalises each channel over the batch
 * and the spatial axes (training: batch statistics; eval: running statistics), then scales and
 * shifts per channel when affine. batch_norm1d takes [N, C] or [N, C, L], 2d [N, C, H, W], 3d
 * [N, C, D, H, W]. In training mode PyTorch rejects a batch with one value per channel.
 */
import { formatShape } from '../shape/dims.js';
import { spatialLetters } from './common.js';
import { defineLayer } from './types.js';

function makeBatchNorm(rank: 1 | 2 | 3) {
    const name = `batch_norm${rank}d`;
    const layout = rank === 1 ? '[N, C] or [N, C, L]' : `[N, C, ${spatialLetters(rank)}]`;
    return defineLayer({
        name,
        family: 'normalisation',
        torch: `torch.nn.BatchNorm${rank}d`,
        example: `${name}()`,
        doc: [
            `Batch normalisation of an input ${layout}: each channel is normalised over the batch${rank === 1 ? ' (and L)' : ' and spatial axes'}, then scaled and shifted.`,
            '',
            'y = (x − mean) / √(var + eps) · weight + bias, with the batch\'s statistics in training mode and the running statistics (updated with `momentum`) in eval mode. C is read from the input.',
            'In training mode there must be more than one value per channel (N·∏spatial > 1).',
        ].join('\n'),
        args: [
            { name: 'num_features', type: { kind: 'int', min: 1, nullable: true }, default: 'None', check: true, doc: 'Optional: the channels C you expect; checked against the input.' },
            { name: 'eps', type: { kind: 'float', min: 0 }, default: '1e-5', doc: 'Added to the variance for numerical stability.' },
            { name: 'momentum', type: { kind: 'float', nullable: true }, default: '0.1', doc: 'Weight of the newest batch in the running statistics; None for a cumulative average.' },
            { name: 'affine', type: { kind: 'bool' }, default: 'true', doc: 'Learn a per-channel scale (weight) and shift (bias): 2·C parameters.' },
            { name: 'track_running_stats', type: { kind: 'bool' }, default: 'true', doc: 'Keep running mean and variance (buffers, not parameters) for eval mode; false uses batch statistics in eval mode too.' },
        ],
        infer(ctx) {
            const a = ctx.args;
            const shape = ctx.input;
            const ranks = rank === 1 ? [2, 3] : [rank + 2];
            if (!ranks.includes(shape.length)) {
                ctx.error('input-rank', `expects a ${rank === 1 ? '2-D [N, C] or 3-D [N, C, L]' : `${rank + 2}-D ${layout}`} input, got ${shape.length}-D ${formatShape(shape)}`, 'input');
                return undefined;
            }
            const c = shape[1];
            const spatial = shape.slice(2);
            if (typeof c !== 'number' || spatial.some(d => typeof d !== 'number')) {
                ctx.error('symbolic-dim', `needs concrete channel and spatial sizes, got ${formatShape(shape)}: only the batch may be symbolic`, 'input');
                return undefined;
            }
            if (a.num_features !== null && a.num_features !== c) {
                ctx.error('num-features-mismatch', `was declared for num_features=${a.num_features} but its input has ${c} channels: set num_features=${c} or change the input`, 'num_features');
                return undefined;
            }
            const perSpatial = (spatial as number[]).reduce((x, y) => x * y, 1);
            const n = shape[0]!;
            if (typeof n === 'number' && n * perSpatial === 1) {
                ctx.error('single-value-per-channel', `in training mode each channel needs more than one value for its batch statistics, but ${formatShape(shape)} has N·${rank === 1 ? (shape.length === 2 ? '1' : 'L') : '∏spatial'} = 1 per channel: PyTorch raises (eval mode with running statistics would work); use a batch of 2 or more`, 'input');
                return undefined;
            }
            const values = typeof n === 'number' ? String(n * perSpatial) : perSpatial === 1 ? String(n) : `${n}·${perSpatial}`;
            const params = a.affine ? 2 * c : 0;
            return {
                shape,
                params,
                macs: 0,
                rf: { kind: 'identity' },
                explain: [
                    `each of the ${c} channels is normalised over ${values} values (N${spatial.length > 0 ? `·${spatial.join('·')}` : ''})`,
                    a.affine ? `params = 2·C = 2·${c} = ${params} (weight and bias)` : 'params = 0 (affine=false)',
                    a.track_running_stats ? `running mean and variance: 2·${c} buffers (not parameters)` : 'no running statistics: batch statistics in eval mode too',
                ],
                weights: a.affine ? [{ name: 'weight', shape: [c] }, { name: 'bias', shape: [c] }] : [],
            };
        },
    });
}

export const batchNorm1d = makeBatchNorm(1);
export const batchNorm2d = makeBatchNorm(2);
export const batchNorm3d = makeBatchNorm(3);
export const batchNormLayers = [batchNorm1d, batchNorm2d, batchNorm3d];
