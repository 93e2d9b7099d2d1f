/**
 * batch_norm1d / 2d / 3d — torch.nn.BatchNorm{1,2,3}d. Normalises each channel over the batch
 * and the spatial axes (training: batch statistics; eval: running statistics), then scales and
 * shifts per channel when affine. batch_norm1d takes [N, C] or [N, C, L], 2d [N, C, H, W], 3d
 * [N, C, D, H, W]. In training mode PyTorch rejects a batch with one value per channel.
 *
 * Compute, as PyTorch 1.13 (nn.modules.batchnorm._BatchNorm.forward + aten's batch_norm_cpu):
 * - statistics: batch ones (mean, biased variance over N and space, M values per channel) in
 *   training mode, and in eval mode when track_running_stats=false (there are no running ones);
 *   otherwise running_mean / running_var. y = (x − mean)/√(var + eps)·weight + bias.
 * - training with track_running_stats: num_batches_tracked += 1, then with factor = momentum, or
 *   1/num_batches_tracked when momentum is None (a cumulative average),
 *   running_mean ← factor·mean + (1 − factor)·running_mean,
 *   running_var ← factor·var·M/(M − 1) + (1 − factor)·running_var (the UNBIASED variance, though the
 *   output was normalised with the biased one). New buffer tensors replace the old ones.
 * - backward through the batch statistics when they were used, else the plain per-channel scale.
 * - init (PyTorch's reset_parameters): weight 1, bias 0; running_mean 0, running_var 1,
 *   num_batches_tracked 0 (a 1-element tensor).
 */
import { formatShape } from '../shape/dims.js';
import { type Tensor, fromArray, full, zeros } from '../tensor/tensor.js';
import { EngineError } from '../engine/layer-run.js';
import { affine, affineBackward, invStd, moments, normalise, normaliseBackward, type View3 } from '../engine/ops/norm-moments.js';
import { rankHint, spatialLetters } from './common.js';
import { defineLayer } from './types.js';

interface Saved {
    readonly xhat: Float64Array;
    readonly invstd: Float64Array;
    /** whether the batch's own statistics were used (their gradients flow back) */
    readonly batchStatistics: boolean;
}

/** [N, C, *spatial] as [N, C, ∏spatial]. */
function channelView(shape: readonly number[]): View3 {
    let inner = 1;
    for (let i = 2; i < shape.length; i++) inner *= shape[i]!;
    return { outer: shape[0]!, mid: shape[1]!, inner };
}

function buffer(buffers: Record<string, Tensor>, name: string, layer: string): Tensor {
    const b = buffers[name];
    if (!b) throw new EngineError(`${layer} tracks running statistics but has no ${name} buffer (init was not run)`);
    return b;
}

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
                ctx.error('input-rank', `expects a ${rank === 1 ? '2-D [N, C] or 3-D [N, C, L]' : `${rank + 2}-D ${layout}`} input, got ${shape.length}-D ${formatShape(shape)}${rankHint(name, rank, shape, 1)}`, 'input');
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
        init(ctx) {
            const params: Record<string, Tensor> = {};
            for (const w of ctx.weights) params[w.name] = w.name === 'weight' ? full(w.shape, 1, ctx.dtype) : zeros(w.shape, ctx.dtype);
            if (!ctx.args.track_running_stats) return { params };
            const c = ctx.inputShapes[0]![1]!;
            return {
                params,
                buffers: {
                    running_mean: zeros([c], ctx.dtype),
                    running_var: full([c], 1, ctx.dtype),
                    num_batches_tracked: zeros([1], ctx.dtype),
                },
            };
        },
        forward(ctx) {
            const a = ctx.args;
            const x = ctx.inputs[0]!;
            const v = channelView(x.shape);
            const batchStatistics = ctx.mode === 'train' || !a.track_running_stats;
            let mean: ArrayLike<number>;
            let invstd: Float64Array;
            if (batchStatistics) {
                // the analysis rejects this for a concrete batch; a symbolic one may be bound to 1 at run time
                if (v.outer * v.inner === 1) throw new EngineError(`${name}: expected more than 1 value per channel when training (PyTorch raises too), got input size [${x.shape.join(', ')}]: use a batch of 2 or more (convscope run --batch 2)${a.track_running_stats ? ' or eval mode (--mode eval)' : ' (with track_running_stats=false eval mode uses batch statistics too)'}`);
                const m = moments(x.data, v);
                mean = m.mean;
                invstd = invStd(m.variance, a.eps);
                if (ctx.mode === 'train' && a.track_running_stats) {
                    const b = ctx.buffers;
                    const runningMean = buffer(b, 'running_mean', name);
                    const runningVar = buffer(b, 'running_var', name);
                    const tracked = (b['num_batches_tracked']?.data[0] ?? 0) + 1;
                    const factor = a.momentum === null ? 1 / tracked : a.momentum;
                    const count = v.outer * v.inner;
                    const newMean = new Float64Array(v.mid);
                    const newVar = new Float64Array(v.mid);
                    for (let c = 0; c < v.mid; c++) {
                        newMean[c] = factor * m.mean[c]! + (1 - factor) * runningMean.data[c]!;
                        newVar[c] = factor * (m.variance[c]! * count / (count - 1)) + (1 - factor) * runningVar.data[c]!;
                    }
                    b['running_mean'] = fromArray(newMean, runningMean.shape, runningMean.dtype);
                    b['running_var'] = fromArray(newVar, runningVar.shape, runningVar.dtype);
                    b['num_batches_tracked'] = full([1], tracked, b['num_batches_tracked']?.dtype ?? runningMean.dtype);
                }
            } else {
                mean = buffer(ctx.buffers, 'running_mean', name).data;
                invstd = invStd(buffer(ctx.buffers, 'running_var', name).data, a.eps);
            }
            const xhat = normalise(x.data, v, mean, invstd);
            const y = zeros(x.shape, x.dtype);
            affine(xhat, v, ctx.params['weight']?.data ?? null, ctx.params['bias']?.data ?? null, y.data);
            const saved: Saved = { xhat, invstd, batchStatistics };
            return { output: y, saved };
        },
        backward(ctx) {
            const { xhat, invstd, batchStatistics } = ctx.saved as Saved;
            const x = ctx.inputs[0]!;
            const v = channelView(x.shape);
            const weight = ctx.params['weight'] ?? null;
            const g = affineBackward(ctx.gradOutput.data, xhat, v, weight?.data ?? null);
            const dx = zeros(x.shape, x.dtype);
            normaliseBackward(g.dxhat, xhat, v, invstd, batchStatistics, dx.data);
            const params: Record<string, Tensor> = {};
            if (weight) {
                params['weight'] = fromArray(g.dweight, weight.shape, weight.dtype);
                params['bias'] = fromArray(g.dbias, weight.shape, weight.dtype);
            }
            return { inputs: [dx], params };
        },
    });
}

export const batchNorm1d = makeBatchNorm(1);
export const batchNorm2d = makeBatchNorm(2);
export const batchNorm3d = makeBatchNorm(3);
export const batchNormLayers = [batchNorm1d, batchNorm2d, batchNorm3d];
