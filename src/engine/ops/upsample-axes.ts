/**
 * Separable resampling for upsample: along each spatial axis, output position o reads one or two
 * input positions with fixed weights (`AxisTaps`: nearest copies one, linear blends two). An N-d
 * interpolation is the composition of one such map per axis, as aten evaluates it (its
 * `Interpolate<n>` blends the innermost axis first, so `resample` applies the last axis first);
 * the backward pass is the adjoint, applied in the opposite order: each output gradient is
 * scattered onto its taps with their weights, accumulating where taps coincide.
 *
 * Works on `[N, C, ...spatial]` with float64 intermediates; results take the input's dtype. Which
 * input positions and weights an axis uses is the layer's business (PyTorch's coordinate rules
 * live in src/layers/upsample.ts).
 */
import { type DType, type Tensor, allocate, numel } from '../../tensor/tensor.js';

/** How one axis of `inSize` positions maps onto `outSize`. */
export interface AxisTaps {
    readonly inSize: number;
    readonly outSize: number;
    /** 1: y[o] = x[i0[o]] (w0 unused, exactly a copy); 2: y[o] = w0[o]·x[i0[o]] + w1[o]·x[i1[o]] */
    readonly taps: 1 | 2;
    readonly i0: Int32Array;
    readonly i1: Int32Array;
    readonly w0: Float64Array;
    readonly w1: Float64Array;
}

/** A one-tap axis from a source index per output position. */
export function copyTaps(inSize: number, source: Int32Array): AxisTaps {
    const ones = new Float64Array(source.length).fill(1);
    return { inSize, outSize: source.length, taps: 1, i0: source, i1: source, w0: ones, w1: new Float64Array(source.length) };
}

/** `data` (shape `[outer, n, inner]`) resampled along its middle axis into `[outer, m, inner]`. */
function gatherAxis(x: Float64Array, outer: number, inner: number, t: AxisTaps): Float64Array {
    const n = t.inSize, m = t.outSize;
    const y = new Float64Array(outer * m * inner);
    const { i0, i1, w0, w1 } = t;
    for (let q = 0; q < outer; q++) {
        for (let o = 0; o < m; o++) {
            const yb = (q * m + o) * inner;
            const a = (q * n + i0[o]!) * inner;
            if (t.taps === 1) {
                for (let r = 0; r < inner; r++) y[yb + r] = x[a + r]!;
            } else {
                const b = (q * n + i1[o]!) * inner;
                const u = w0[o]!, v = w1[o]!;
                for (let r = 0; r < inner; r++) y[yb + r] = u * x[a + r]! + v * x[b + r]!;
            }
        }
    }
    return y;
}

/** The adjoint of gatherAxis: `[outer, m, inner]` scattered back onto `[outer, n, inner]`. */
function scatterAxis(dy: Float64Array, outer: number, inner: number, t: AxisTaps): Float64Array {
    const n = t.inSize, m = t.outSize;
    const dx = new Float64Array(outer * n * inner);
    const { i0, i1, w0, w1 } = t;
    for (let q = 0; q < outer; q++) {
        for (let o = 0; o < m; o++) {
            const yb = (q * m + o) * inner;
            const a = (q * n + i0[o]!) * inner;
            if (t.taps === 1) {
                for (let r = 0; r < inner; r++) dx[a + r] = dx[a + r]! + dy[yb + r]!;
            } else {
                const b = (q * n + i1[o]!) * inner;
                const u = w0[o]!, v = w1[o]!;
                for (let r = 0; r < inner; r++) {
                    const g = dy[yb + r]!;
                    dx[a + r] = dx[a + r]! + u * g;
                    dx[b + r] = dx[b + r]! + v * g;
                }
            }
        }
    }
    return dx;
}

function toTensor<D extends DType>(dtype: D, data: Float64Array, shape: readonly number[]): Tensor<D> {
    if (dtype === 'float64') return { shape: [...shape], data: data as Tensor<D>['data'], dtype };
    const out = allocate(dtype, data.length);
    out.set(data);
    return { shape: [...shape], data: out, dtype };
}

/** y = the per-axis maps applied to `x` `[N, C, ...spatial]` (one AxisTaps per spatial axis). */
export function resample<D extends DType>(x: Tensor<D>, axes: readonly AxisTaps[]): Tensor<D> {
    const lead = x.shape.slice(0, x.shape.length - axes.length);
    const shape = [...x.shape];
    let data: Float64Array = x.data instanceof Float64Array ? x.data : Float64Array.from(x.data); // never written: every pass allocates
    for (let k = axes.length - 1; k >= 0; k--) {
        const axis = lead.length + k;
        data = gatherAxis(data, numel(shape.slice(0, axis)), numel(shape.slice(axis + 1)), axes[k]!);
        shape[axis] = axes[k]!.outSize;
    }
    return toTensor(x.dtype, data, shape);
}

/** dx for resample's dy: the adjoint maps, first axis first. */
export function resampleBackward<D extends DType>(dy: Tensor<D>, axes: readonly AxisTaps[]): Tensor<D> {
    const lead = dy.shape.slice(0, dy.shape.length - axes.length);
    const shape = [...dy.shape];
    let data: Float64Array = dy.data instanceof Float64Array ? dy.data : Float64Array.from(dy.data);
    for (let k = 0; k < axes.length; k++) {
        const axis = lead.length + k;
        data = scatterAxis(data, numel(shape.slice(0, axis)), numel(shape.slice(axis + 1)), axes[k]!);
        shape[axis] = axes[k]!.inSize;
    }
    return toTensor(dy.dtype, data, shape);
}
