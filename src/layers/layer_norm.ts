/**
 * layer_norm — torch.nn.LayerNorm. Normalises over the trailing axes given by normalized_shape,
 * which must equal the input's last dims; elementwise_affine adds a weight and a bias of that
 * shape (2·∏normalized_shape parameters).
 */
import { formatShape } from '../shape/dims.js';
import { product, tupleText } from './common.js';
import { defineLayer } from './types.js';

export const layerNorm = defineLayer({
    name: 'layer_norm',
    family: 'normalisation',
    torch: 'torch.nn.LayerNorm',
    example: 'layer_norm((64, 56, 56))',
    doc: [
        'Layer normalisation over the last axes: each sample is normalised over the trailing dims named by normalized_shape, then scaled and shifted elementwise.',
        '',
        'normalized_shape must equal the input\'s last dims: for [N, C, H, W], (C, H, W) normalises each sample as a whole and W only the last axis. Statistics are per sample, so training and eval modes agree.',
    ].join('\n'),
    args: [
        { name: 'normalized_shape', type: { kind: 'shape' }, doc: 'The trailing dims to normalise over: an int (the last axis) or a tuple.' },
        { name: 'eps', type: { kind: 'float', min: 0 }, default: '1e-5', doc: 'Added to the variance for numerical stability.' },
        { name: 'elementwise_affine', type: { kind: 'bool' }, default: 'true', doc: 'Learn a weight and a bias of shape normalized_shape.' },
    ],
    infer(ctx) {
        const a = ctx.args;
        const shape = ctx.input;
        const ns = a.normalized_shape;
        const k = ns.length;
        if (k === 0) {
            ctx.error('invalid-value', 'normalized_shape must name at least one axis: give e.g. the last dim', 'normalized_shape');
            return undefined;
        }
        const tail = shape.slice(Math.max(0, shape.length - k));
        if (shape.length < k || tail.some((d, i) => d !== ns[i])) {
            const fits = shape.length >= k && tail.every(d => typeof d === 'number');
            ctx.error('normalized-shape-mismatch', `normalized_shape ${tupleText(ns)} must equal the input's last ${k} dim${k === 1 ? '' : 's'}, but the input is ${formatShape(shape)}${shape.length < k ? ` (only ${shape.length}-D)` : ''}${fits ? `: set normalized_shape=${tupleText(tail as number[])}` : ''}`, 'normalized_shape');
            return undefined;
        }
        const m = product(ns);
        const params = a.elementwise_affine ? 2 * m : 0;
        return {
            shape,
            params,
            macs: 0,
            rf: { kind: 'identity' },
            explain: [
                `each sample is normalised over its last ${k} dim${k === 1 ? '' : 's'} ${formatShape(ns)}: ${m} values`,
                a.elementwise_affine ? `params = 2·${ns.join('·')} = ${params} (weight and bias)` : 'params = 0 (elementwise_affine=false)',
            ],
            weights: a.elementwise_affine ? [{ name: 'weight', shape: [...ns] }, { name: 'bias', shape: [...ns] }] : [],
        };
    },
});
