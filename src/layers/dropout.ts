/**
 * dropout — torch.nn.Dropout: in training, zeroes each element with probability p and scales the
 * rest by 1/(1 − p); the identity in eval mode.
 *
 * Compute, training mode: a keep-mask drawn from the call's stream `ctx.rng.derive('mask')` — a
 * fresh stream from (seed, label), so every evaluation of a run (a gradient check's ±ε passes
 * included) draws the same mask — one uniform u per element in C order, element kept when
 * u < 1 − p. The mask holds the multiplier m = 1/(1 − p) for kept elements and 0 for dropped ones
 * (p = 1: 0 everywhere, and y = x·0 as PyTorch computes it, so −0 where x < 0); y = x·m and
 * dx = dy·m with the saved mask. PyTorch draws its mask from its own generator, so the seeded
 * masks are Convscope's, not torch's: equal in distribution, not element by element.
 * Eval mode: y = x and dx = dy (copies).
 */
import { fmtNum, inplaceArg, pointwiseLayer } from './pointwise.js';
import { defineLayer } from './types.js';
import type { Rng } from '../engine/random.js';
import { type DType, type Tensor, allocate, clone } from '../tensor/tensor.js';

/** The multiplier per element (see the header): 1/(1 − p) where kept, 0 where dropped. */
export function dropoutMask(rng: Rng, length: number, p: number): Float64Array {
    const keep = 1 - p;
    const scale = keep > 0 ? 1 / keep : 0;
    const mask = new Float64Array(length);
    for (let i = 0; i < length; i++) mask[i] = rng.uniform() < keep ? scale : 0;
    return mask;
}

function times<D extends DType>(x: Tensor<D>, mask: Float64Array): Tensor<D> {
    const y = allocate(x.dtype, x.data.length);
    const v = x.data;
    for (let i = 0; i < y.length; i++) y[i] = v[i]! * mask[i]!;
    return { shape: [...x.shape], data: y, dtype: x.dtype };
}

export const dropout = defineLayer({
    ...pointwiseLayer({
        name: 'dropout',
        family: 'shape',
        torch: 'torch.nn.Dropout',
        example: 'dropout(p=0.5)',
        doc: [
            'Dropout: in training mode each element is zeroed with probability p and the others are scaled by 1/(1 − p), so the expected value is unchanged; in eval mode it is the identity.',
            '',
            'p must be in [0, 1]; p = 1 zeroes everything.',
        ].join('\n'),
        args: [
            { name: 'p', type: { kind: 'float', min: 0, max: 1 }, default: '0.5', doc: 'Probability of zeroing an element, in [0, 1].' },
            inplaceArg,
        ],
        formula: a => (a.p >= 1
            ? 'training: y = 0 everywhere (p = 1); eval: y = x'
            : `training: y = 0 with probability ${fmtNum(a.p)}, else x / (1 − ${fmtNum(a.p)}) = ${fmtNum(1 / (1 - a.p))}·x; eval: y = x`),
    }),
    forward(ctx) {
        const x = ctx.inputs[0]!;
        if (ctx.mode === 'eval') return { output: clone(x) };
        const mask = dropoutMask(ctx.rng.derive('mask'), x.data.length, ctx.args.p);
        return { output: times(x, mask), saved: mask };
    },
    backward(ctx) {
        const dy = ctx.gradOutput;
        if (ctx.mode === 'eval') return { inputs: [clone(dy)], params: {} };
        const mask = (ctx.saved as Float64Array | undefined) ?? dropoutMask(ctx.rng.derive('mask'), dy.data.length, ctx.args.p);
        return { inputs: [times(dy, mask)], params: {} };
    },
});
