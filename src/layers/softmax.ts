/**
 * softmax — torch.nn.Softmax: exp(x_i) / Σ_j exp(x_j) along one axis. Also the shared definition
 * of log_softmax. `dim` wraps negative values; without it PyTorch's legacy implicit choice
 * applies (dim 0 for 0-, 1- and 3-D inputs, else 1), which we follow and warn about for 3-D.
 */
import { formatShape, wrapDim } from '../shape/dims.js';
import { type Tensor, zeros } from '../tensor/tensor.js';
import { EngineError } from '../engine/layer-run.js';
import { wrapAxis } from './common.js';
import { defineLayer } from './types.js';

/** PyTorch's `_get_softmax_dim` for dim=None. */
export function implicitSoftmaxDim(rank: number): number {
    return rank === 0 || rank === 1 || rank === 3 ? 0 : 1;
}

/** The tensor as [outer, n, inner] around the softmax axis (dim None → the implicit rule, negative → wrapped). */
function lines(shape: readonly number[], dim: number | null): { outer: number; n: number; inner: number } {
    const axis = dim === null ? implicitSoftmaxDim(shape.length) : wrapDim(dim, shape.length);
    if (axis === undefined) throw new EngineError(`softmax dim ${dim} out of range for a ${shape.length}-D tensor`);
    if (shape.length === 0) return { outer: 1, n: 1, inner: 1 };
    let outer = 1;
    let inner = 1;
    for (let i = 0; i < axis; i++) outer *= shape[i]!;
    for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
    return { outer, n: shape[axis]!, inner };
}

/**
 * softmax or log_softmax along the middle axis of [outer, n, inner], stably: the maximum is
 * subtracted before exp, and log_softmax is (x − max) − log Σ exp(x − max), as aten's kernels.
 */
function softmaxForward(x: Tensor, dim: number | null, log: boolean): Tensor {
    const { outer, n, inner } = lines(x.shape, dim);
    const y = zeros(x.shape, x.dtype);
    const xd = x.data;
    const yd = y.data;
    const e = new Float64Array(n);
    for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
            const base = o * n * inner + i;
            let max = -Infinity;
            for (let j = 0; j < n; j++) {
                const v = xd[base + j * inner]!;
                if (v > max || v !== v) max = v;
            }
            if (max === -Infinity) max = 0; // all −∞: exp gives 0s and the sum 0, as PyTorch (NaN / −∞ results)
            let sum = 0;
            for (let j = 0; j < n; j++) {
                const t = Math.exp(xd[base + j * inner]! - max);
                e[j] = t;
                sum += t;
            }
            if (log) {
                const logSum = Math.log(sum);
                for (let j = 0; j < n; j++) yd[base + j * inner] = xd[base + j * inner]! - max - logSum;
            } else {
                for (let j = 0; j < n; j++) yd[base + j * inner] = e[j]! / sum;
            }
        }
    }
    return y;
}

/** softmax: dx = y·(g − Σ g·y); log_softmax: dx = g − exp(y)·Σ g (both along the axis). */
function softmaxBackward(y: Tensor, g: Tensor, dim: number | null, log: boolean): Tensor {
    const { outer, n, inner } = lines(y.shape, dim);
    const dx = zeros(y.shape, y.dtype);
    const yd = y.data;
    const gd = g.data;
    const out = dx.data;
    for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
            const base = o * n * inner + i;
            let s = 0;
            if (log) {
                for (let j = 0; j < n; j++) s += gd[base + j * inner]!;
                for (let j = 0; j < n; j++) {
                    const k = base + j * inner;
                    out[k] = gd[k]! - Math.exp(yd[k]!) * s;
                }
            } else {
                for (let j = 0; j < n; j++) s += gd[base + j * inner]! * yd[base + j * inner]!;
                for (let j = 0; j < n; j++) {
                    const k = base + j * inner;
                    out[k] = yd[k]! * (gd[k]! - s);
                }
            }
        }
    }
    return dx;
}

export function makeSoftmax(log: boolean) {
    const name = log ? 'log_softmax' : 'softmax';
    const formula = log ? 'y_i = x_i − log Σ_j exp(x_j)' : 'y_i = exp(x_i) / Σ_j exp(x_j)';
    return defineLayer({
        name,
        family: 'activation',
        torch: log ? 'torch.nn.LogSoftmax' : 'torch.nn.Softmax',
        example: `${name}(dim=1)`,
        doc: [
            log ? 'Log-softmax along one axis: x_i − log Σ_j exp(x_j), computed stably (pair it with nll_loss).' : 'Softmax along one axis: exp(x_i) / Σ_j exp(x_j), so the values along `dim` are positive and sum to 1.',
            '',
            '`dim` may be negative (−1 is the last axis). Without it, PyTorch\'s legacy implicit choice applies: dim 0 for a 1-D or 3-D input, dim 1 otherwise (the classes of [N, classes], the channels of [N, C, H, W]). Give dim explicitly.',
        ].join('\n'),
        args: [
            { name: 'dim', type: { kind: 'int', nullable: true }, default: 'None', doc: 'The axis to normalise along; negative counts from the end. None: PyTorch\'s implicit choice (0 for 1-D and 3-D inputs, else 1).' },
        ],
        infer(ctx) {
            const shape = ctx.input;
            let dim: number;
            if (ctx.args.dim === null) {
                dim = implicitSoftmaxDim(shape.length);
                if (shape.length === 3) {
                    ctx.warning('implicit-softmax-dim', `without dim, PyTorch picks dim 0 for a 3-D input ${formatShape(shape)} (it assumes an unbatched [C, H, W])${typeof shape[0] === 'string' ? `, which here is the batch ${shape[0]}` : ''}: give dim explicitly, e.g. dim=1 for [N, C, L]`, 'input');
                }
            } else {
                const wrapped = wrapAxis(ctx, ctx.args.dim, shape, 'dim');
                if (wrapped === undefined) return undefined;
                dim = wrapped;
            }
            return {
                shape,
                params: 0,
                macs: 0,
                rf: { kind: 'identity' },
                explain: [
                    `${formula}, j along dim ${dim}${ctx.args.dim === null ? ' (implicit)' : ctx.args.dim < 0 ? ` (dim=${ctx.args.dim})` : ''} of size ${shape[dim]}`,
                    `the shape is unchanged, ${formatShape(shape)}`,
                ],
            };
        },
        forward(ctx) {
            return { output: softmaxForward(ctx.inputs[0]!, ctx.args.dim, log) };
        },
        backward(ctx) {
            return { inputs: [softmaxBackward(ctx.output, ctx.gradOutput, ctx.args.dim, log)], params: {} };
        },
    });
}

export const softmax = makeSoftmax(false);
