/**
 * layer_norm — torch.nn.LayerNorm. Normalises over the trailing axes given by normalized_shape,
 * which must equal the input's last dims; elementwise_affine adds a weight and a bias of that
 * shape (2·∏normalized_shape parameters).
 *
 * Compute: each row of M = ∏normalized_shape trailing values is normalised with its own mean and
 * biased variance, y = (x − mean)·rstd·weight + bias, rstd = 1/√(var + eps), weight and bias
 * elementwise over normalized_shape; the same in training and eval mode. Init: weight 1, bias 0.
 * The formulas are aten's (layer_norm_kernel.cpp, CPU), operation by operation, with its fused
 * multiply-adds where the AVX2 build has them (checked bit for bit against PyTorch 1.13 on rows of
 * one value, where the exact result is 0 and PyTorch's is rounding residue):
 *   forward   y = fma(fma(x, rstd, −rstd·mean), w, b)        (without affine: the inner fma)
 *   backward  ds = Σ dy·w·x, db = Σ dy·w (per row; w = 1 without affine)
 *             B = fma(db, mean, −ds)·rstd³/M, C = fma(−B, mean, −db·rstd/M)
 *             dx = fma(B, x, rstd·dy·w) + C
 *             dw = Σ_rows dy·fma(rstd, x, −rstd·mean), db = Σ_rows dy
 */
import { formatShape } from '../shape/dims.js';
import { type Tensor, fromArray, full, zeros } from '../tensor/tensor.js';
import { fma, invStd, moments } from '../engine/ops/norm-moments.js';
import { product, tupleText } from './common.js';
import { defineLayer } from './types.js';

interface Saved {
    readonly mean: Float64Array;
    readonly rstd: Float64Array;
}

/** The input as `rows` rows of m = ∏normalized_shape values. */
function rowsOf(shape: readonly number[], normalizedDims: number): { rows: number; m: number } {
    let m = 1;
    for (let i = shape.length - normalizedDims; i < shape.length; i++) m *= shape[i]!;
    let total = 1;
    for (const d of shape) total *= d;
    return { rows: m === 0 ? 0 : total / m, m };
}

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
    init(ctx) {
        const params: Record<string, Tensor> = {};
        for (const w of ctx.weights) params[w.name] = w.name === 'weight' ? full(w.shape, 1, ctx.dtype) : zeros(w.shape, ctx.dtype);
        return { params };
    },
    forward(ctx) {
        const x = ctx.inputs[0]!;
        const { rows, m } = rowsOf(x.shape, ctx.args.normalized_shape.length);
        const { mean, variance } = moments(x.data, { outer: 1, mid: rows, inner: m });
        const rstd = invStd(variance, ctx.args.eps);
        const y = zeros(x.shape, x.dtype);
        const xd = x.data;
        const yd = y.data;
        const gamma = ctx.params['weight']?.data;
        const beta = ctx.params['bias']?.data;
        for (let r = 0; r < rows; r++) {
            const scale = rstd[r]!;
            const bias = -scale * mean[r]!;
            const base = r * m;
            if (gamma && beta) for (let j = 0; j < m; j++) yd[base + j] = fma(fma(xd[base + j]!, scale, bias), gamma[j]!, beta[j]!);
            else for (let j = 0; j < m; j++) yd[base + j] = fma(xd[base + j]!, scale, bias);
        }
        const saved: Saved = { mean, rstd };
        return { output: y, saved };
    },
    backward(ctx) {
        const { mean, rstd } = ctx.saved as Saved;
        const x = ctx.inputs[0]!;
        const { rows, m } = rowsOf(x.shape, ctx.args.normalized_shape.length);
        const xd = x.data;
        const dy = ctx.gradOutput.data;
        const weight = ctx.params['weight'];
        const gamma = weight?.data;
        const dx = zeros(x.shape, x.dtype);
        const out = dx.data;
        const dgamma = new Float64Array(m);
        const dbeta = new Float64Array(m);
        const scale = 1 / m;
        for (let r = 0; r < rows; r++) {
            const base = r * m;
            const a = rstd[r]!;
            const mu = mean[r]!;
            let ds = 0;
            let db = 0;
            for (let j = 0; j < m; j++) {
                const g = gamma ? dy[base + j]! * gamma[j]! : dy[base + j]!;
                ds += g * xd[base + j]!;
                db += g;
            }
            const b = fma(db, mu, -ds) * a * a * a * scale;
            const c = fma(-b, mu, -(db * a * scale));
            if (gamma) for (let j = 0; j < m; j++) out[base + j] = fma(b, xd[base + j]!, a * dy[base + j]! * gamma[j]!) + c;
            else for (let j = 0; j < m; j++) out[base + j] = fma(b, xd[base + j]!, a * dy[base + j]!) + c;
            if (gamma) {
                const shift = -a * mu;
                for (let j = 0; j < m; j++) {
                    dgamma[j] = dgamma[j]! + dy[base + j]! * fma(a, xd[base + j]!, shift);
                    dbeta[j] = dbeta[j]! + dy[base + j]!;
                }
            }
        }
        const params: Record<string, Tensor> = {};
        if (weight) {
            params['weight'] = fromArray(dgamma, weight.shape, weight.dtype);
            params['bias'] = fromArray(dbeta, weight.shape, weight.dtype);
        }
        return { inputs: [dx], params };
    },
});
