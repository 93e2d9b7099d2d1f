/**
 * linear — torch.nn.Linear: y = x·Wᵀ + b on the last axis of an input of any rank ≥ 1; weight
 * [out_features, in_features], in_features read from the input's last dim. MACs are
 * numel(output)·in_features. On a tensor that still has spatial axes it warns: linear does not
 * flatten, it maps the last (width) axis only.
 *
 * Compute: the input as a matrix [M, in_features] (M = the product of the leading axes), one GEMM
 * per pass: y = x·Wᵀ (+ b, written first and accumulated onto), dx = dy·W, dW = dyᵀ·x, db = the
 * column sums of dy. Initialisation: weight and bias ~ U(−1/√in_features, 1/√in_features)
 * (PyTorch's kaiming_uniform_ with a = √5; src/engine/ops/fan-in-init.ts).
 */
import { formatShape, numel } from '../shape/dims.js';
import { warnEmpty } from './common.js';
import { defineLayer } from './types.js';
import { fanInUniformInit, weightAndBias, weightAndBiasGrads } from '../engine/ops/fan-in-init.js';
import { type Tensor, allocate } from '../tensor/tensor.js';

/** [rows, in_features] of the input seen as a matrix. */
function matrixOf(x: Tensor): [number, number] {
    const features = x.shape[x.shape.length - 1]!;
    return [features === 0 ? 0 : x.data.length / features, features];
}

export const linear = defineLayer({
    name: 'linear',
    family: 'shape',
    torch: 'torch.nn.Linear',
    example: 'linear(10)',
    doc: [
        'Fully connected layer: y = x·Wᵀ + b on the last axis, [*, in_features] → [*, out_features]. in_features is read from the input.',
        '',
        'It acts on the last axis only: on [N, C, H, W] it maps each row\'s W values, it does not flatten. Put flatten() before it for a classifier head.',
    ].join('\n'),
    args: [
        { name: 'out_features', type: { kind: 'int', min: 0 }, doc: 'Size of each output sample (the new last axis).' },
        { name: 'bias', type: { kind: 'bool' }, default: 'true', doc: 'Add a learnable bias per output feature.' },
        { name: 'in_features', type: { kind: 'int', min: 1, nullable: true }, default: 'None', check: true, doc: 'Optional: the last-axis size you expect; checked against the input.' },
    ],
    infer(ctx) {
        const a = ctx.args;
        const shape = ctx.input;
        const last = shape[shape.length - 1];
        if (typeof last !== 'number') {
            ctx.error('symbolic-dim', `needs a concrete last axis (the features), got ${last} in ${formatShape(shape)}: flatten or reshape so the batch is not last`, 'input');
            return undefined;
        }
        if (a.in_features !== null && a.in_features !== last) {
            ctx.error('in-features-mismatch', `was declared for in_features=${a.in_features} but the input ${formatShape(shape)} has ${last} features on its last axis: set in_features=${last} or change what comes before`, 'in_features');
            return undefined;
        }
        if (shape.length >= 3 && (ctx.spatialAxes[0] ?? 0) > 0) {
            ctx.warning('linear-on-spatial', `the input ${formatShape(shape)} still has spatial axes and linear acts on the last axis only (${last} features), once per position: add flatten() before it to connect all ${numel(shape.slice(1))} values`);
        }
        const out = [...shape.slice(0, -1), a.out_features];
        warnEmpty(ctx, out, 'out_features');
        const weight = [a.out_features, last];
        const params = a.out_features * last + (a.bias ? a.out_features : 0);
        const macs = numel(out) * last;
        return {
            shape: out,
            params,
            macs,
            rf: { kind: 'drop' },
            explain: [
                `y = x·Wᵀ${a.bias ? ' + b' : ''}: ${formatShape(shape)} → ${formatShape(out)}`,
                `params = ${a.out_features}·${last}${a.bias ? ` + ${a.out_features}` : ''} = ${params}`,
                `MACs = outputs × in_features = ${numel(out)} × ${last} = ${macs}`,
            ],
            weights: a.bias ? [{ name: 'weight', shape: weight }, { name: 'bias', shape: [a.out_features] }] : [{ name: 'weight', shape: weight }],
        };
    },
    init: fanInUniformInit,
    forward(ctx) {
        const x = ctx.inputs[0]!;
        const { weight, bias } = weightAndBias(ctx.params, ctx.args.bias, 'linear');
        const [rows, k] = matrixOf(x);
        const n = ctx.args.out_features;
        const y = allocate(x.dtype, rows * n);
        if (bias) for (let r = 0; r < rows; r++) y.set(bias.data, r * n);
        ctx.kernels.gemm({ m: rows, n, k, a: x.data, lda: k, b: weight.data, ldb: k, transB: true, c: y, ldc: n, beta: bias ? 1 : 0 });
        return { output: { shape: [...ctx.outShape], data: y, dtype: x.dtype } };
    },
    backward(ctx) {
        const x = ctx.inputs[0]!;
        const dy = ctx.gradOutput;
        const { weight } = weightAndBias(ctx.params, ctx.args.bias, 'linear');
        const [rows, k] = matrixOf(x);
        const n = ctx.args.out_features;
        const dx = allocate(x.dtype, rows * k);
        ctx.kernels.gemm({ m: rows, n: k, k: n, a: dy.data, lda: n, b: weight.data, ldb: k, c: dx, ldc: k });
        const dw = allocate(weight.dtype, n * k);
        ctx.kernels.gemm({ m: n, n: k, k: rows, a: dy.data, lda: n, transA: true, b: x.data, ldb: k, c: dw, ldc: k });
        let db: Tensor | null = null;
        if (ctx.args.bias) {
            const sums = new Float64Array(n);
            const g = dy.data;
            for (let r = 0; r < rows; r++) {
                for (let j = 0; j < n; j++) sums[j] = sums[j]! + g[r * n + j]!;
            }
            const data = allocate(dy.dtype, n);
            data.set(sums);
            db = { shape: [n], data, dtype: dy.dtype };
        }
        return {
            inputs: [{ shape: [...x.shape], data: dx, dtype: x.dtype }],
            params: weightAndBiasGrads({ shape: [...weight.shape], data: dw, dtype: weight.dtype }, db),
        };
    },
});
