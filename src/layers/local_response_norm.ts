/**
 * local_response_norm — torch.nn.LocalResponseNorm. Each value is divided by a power of the
 * average of squares over `size` neighbouring channels. PyTorch's convention (like Caffe's; unlike
 * AlexNet's paper and TensorFlow, where α multiplies the plain sum): α is divided by size, the window runs from
 * c − ⌊size/2⌋ to c + ⌊(size − 1)/2⌋ and is zero-padded at the ends of the channel axis.
 */
import { formatShape } from '../shape/dims.js';
import { defineLayer } from './types.js';
import { fmtNum } from './pointwise.js';

export const localResponseNorm = defineLayer({
    name: 'local_response_norm',
    family: 'normalisation',
    torch: 'torch.nn.LocalResponseNorm',
    example: 'local_response_norm(5, alpha=1e-4, beta=0.75, k=2.0)',
    doc: [
        'Local response normalisation across channels, of an input [N, C, *] with at least 3 dims.',
        '',
        'b_c = a_c / (k + α/size · Σ a_{c\'}²)^β, the sum over the `size` channels c\' from c − ⌊size/2⌋ to c + ⌊(size − 1)/2⌋ (zero beyond the ends).',
        '',
        '**PyTorch\'s convention**: α is divided by `size`, i.e. the sum of squares is *averaged* over the window. AlexNet\'s paper and TensorFlow\'s `tf.nn.local_response_normalization` multiply the plain sum by α (Caffe, like PyTorch, divides by size): to reproduce such an α with this layer, pass alpha = α · size.',
    ].join('\n'),
    args: [
        { name: 'size', type: { kind: 'int', min: 1 }, doc: 'Number of neighbouring channels in the window (including the channel itself).' },
        { name: 'alpha', type: { kind: 'float' }, default: '1e-4', doc: 'Multiplicative factor; PyTorch divides it by size (the squares are averaged, not summed).' },
        { name: 'beta', type: { kind: 'float' }, default: '0.75', doc: 'Exponent.' },
        { name: 'k', type: { kind: 'float' }, default: '1.0', doc: 'Additive constant.' },
    ],
    infer(ctx) {
        const a = ctx.args;
        const shape = ctx.input;
        if (shape.length < 3) {
            ctx.error('input-rank', `expects an input with at least 3 dims [N, C, *spatial], got ${shape.length}-D ${formatShape(shape)}`, 'input');
            return undefined;
        }
        const half = Math.floor(a.size / 2), after = Math.floor((a.size - 1) / 2);
        return {
            shape,
            params: 0,
            macs: 0,
            rf: { kind: 'identity' },
            explain: [
                'b_c = a_c / (k + α/size · Σ a_{c\'}²)^β',
                `b_c = a_c / (${fmtNum(a.k)} + ${fmtNum(a.alpha)}/${a.size} · Σ_{c' = c−${half} … c+${after}} a_{c'}²)^${fmtNum(a.beta)}`,
                `α/size = ${fmtNum(a.alpha / a.size)} (PyTorch averages the squares over the window)`,
            ],
        };
    },
});
