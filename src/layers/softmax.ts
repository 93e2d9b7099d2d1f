/**
 * softmax — torch.nn.Softmax: exp(x_i) / Σ_j exp(x_j) along one axis. Also the shared definition
 * of log_softmax. `dim` wraps negative values; without it PyTorch's legacy implicit choice
 * applies (dim 0 for 0-, 1- and 3-D inputs, else 1), which we follow and warn about for 3-D.
 */
import { formatShape } from '../shape/dims.js';
import { wrapAxis } from './common.js';
import { defineLayer } from './types.js';

/** PyTorch's `_get_softmax_dim` for dim=None. */
export function implicitSoftmaxDim(rank: number): number {
    return rank === 0 || rank === 1 || rank === 3 ? 0 : 1;
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
    });
}

export const softmax = makeSoftmax(false);
