/**
 * The arithmetic of the normalisation layers, in float64 whatever the dtype.
 *
 * Shared by batch_norm, group_norm and layer_norm: `moments` (mean and biased variance per group),
 * `invStd` and `fma`. The data is seen as [outer, groups, inner] (C order), one mean and variance per
 * middle index over all (outer, inner) positions: batch norm [N, C, ∏spatial], group norm
 * [1, N·G, (C/G)·∏spatial], layer norm [1, rows, ∏normalized_shape].
 *
 * batch_norm composes the rest: x̂ = (x − mean)·invstd (`normalise`), y = x̂·w[c] + b[c] (`affine`,
 * the data seen as [N, C, ∏spatial] again), and backward, with dx̂ = dy·w (`affineBackward`):
 *   batch statistics:  dx = invstd · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂))
 *   fixed statistics:  dx = invstd · dx̂          (eval mode: running statistics)
 *   dw = Σ dy · x̂,  db = Σ dy                    (over outer and inner, per channel)
 * which is aten's batch_norm_backward (k = Σ dy·(x − mean)·invstd² / M) rearranged.
 * group_norm and layer_norm follow aten's own formulas operation by operation instead (see their
 * modules), because PyTorch's fixtures include groups of ONE value, where the exact result is 0 and
 * PyTorch's is the rounding residue of its fused multiply-adds, which only its formulas reproduce.
 */
import type { TensorData } from '../../tensor/tensor.js';

/** A C-order tensor seen as [outer, mid, inner]. */
export interface View3 {
    readonly outer: number;
    readonly mid: number;
    readonly inner: number;
}

/** Mean and biased variance per middle index, two-pass (no cancellation from Σx² − M·mean²). */
export function moments(x: TensorData, v: View3): { mean: Float64Array; variance: Float64Array } {
    const { outer, mid, inner } = v;
    const count = outer * inner;
    const mean = new Float64Array(mid);
    const variance = new Float64Array(mid);
    for (let o = 0; o < outer; o++) {
        for (let m = 0; m < mid; m++) {
            const base = (o * mid + m) * inner;
            let s = 0;
            for (let i = 0; i < inner; i++) s += x[base + i]!;
            mean[m] = mean[m]! + s;
        }
    }
    for (let m = 0; m < mid; m++) mean[m] = mean[m]! / count;
    for (let o = 0; o < outer; o++) {
        for (let m = 0; m < mid; m++) {
            const base = (o * mid + m) * inner;
            const mu = mean[m]!;
            let s = 0;
            for (let i = 0; i < inner; i++) {
                const d = x[base + i]! - mu;
                s += d * d;
            }
            variance[m] = variance[m]! + s;
        }
    }
    for (let m = 0; m < mid; m++) variance[m] = variance[m]! / count;
    return { mean, variance };
}

/** 1/√(variance + eps), per entry. */
export function invStd(variance: ArrayLike<number>, eps: number): Float64Array {
    const r = new Float64Array(variance.length);
    for (let i = 0; i < r.length; i++) r[i] = 1 / Math.sqrt(variance[i]! + eps);
    return r;
}

/** x̂ = (x − mean[m])·invstd[m]. */
export function normalise(x: TensorData, v: View3, mean: ArrayLike<number>, invstd: ArrayLike<number>): Float64Array {
    const { outer, mid, inner } = v;
    const xhat = new Float64Array(outer * mid * inner);
    for (let o = 0; o < outer; o++) {
        for (let m = 0; m < mid; m++) {
            const base = (o * mid + m) * inner;
            const mu = mean[m]!;
            const r = invstd[m]!;
            for (let i = 0; i < inner; i++) xhat[base + i] = (x[base + i]! - mu) * r;
        }
    }
    return xhat;
}

/** y = x̂·w[c] + b[c] into `out` (w, b absent: y = x̂). */
export function affine(xhat: Float64Array, v: View3, weight: TensorData | null, bias: TensorData | null, out: TensorData): void {
    const { outer, mid, inner } = v;
    for (let o = 0; o < outer; o++) {
        for (let c = 0; c < mid; c++) {
            const base = (o * mid + c) * inner;
            const w = weight ? weight[c]! : 1;
            const b = bias ? bias[c]! : 0;
            for (let i = 0; i < inner; i++) out[base + i] = xhat[base + i]! * w + b;
        }
    }
}

/** dx̂ = dy·w[c], and dw[c] = Σ dy·x̂, db[c] = Σ dy. */
export function affineBackward(dy: TensorData, xhat: Float64Array, v: View3, weight: TensorData | null): { dxhat: Float64Array; dweight: Float64Array; dbias: Float64Array } {
    const { outer, mid, inner } = v;
    const dxhat = new Float64Array(outer * mid * inner);
    const dweight = new Float64Array(mid);
    const dbias = new Float64Array(mid);
    for (let o = 0; o < outer; o++) {
        for (let c = 0; c < mid; c++) {
            const base = (o * mid + c) * inner;
            const w = weight ? weight[c]! : 1;
            let sw = 0;
            let sb = 0;
            for (let i = 0; i < inner; i++) {
                const g = dy[base + i]!;
                sw += g * xhat[base + i]!;
                sb += g;
                dxhat[base + i] = g * w;
            }
            dweight[c] = dweight[c]! + sw;
            dbias[c] = dbias[c]! + sb;
        }
    }
    return { dxhat, dweight, dbias };
}

/**
 * dx from dx̂ into `out`. `batchStatistics`: the mean and variance were the data's own (their
 * gradients flow back); false: they were fixed (running statistics), dx = invstd·dx̂.
 */
export function normaliseBackward(dxhat: Float64Array, xhat: Float64Array, v: View3, invstd: ArrayLike<number>, batchStatistics: boolean, out: TensorData): void {
    const { outer, mid, inner } = v;
    const count = outer * inner;
    const meanG = new Float64Array(mid);
    const meanGX = new Float64Array(mid);
    if (batchStatistics) {
        for (let o = 0; o < outer; o++) {
            for (let m = 0; m < mid; m++) {
                const base = (o * mid + m) * inner;
                let s = 0;
                let sx = 0;
                for (let i = 0; i < inner; i++) {
                    s += dxhat[base + i]!;
                    sx += dxhat[base + i]! * xhat[base + i]!;
                }
                meanG[m] = meanG[m]! + s;
                meanGX[m] = meanGX[m]! + sx;
            }
        }
        for (let m = 0; m < mid; m++) {
            meanG[m] = meanG[m]! / count;
            meanGX[m] = meanGX[m]! / count;
        }
    }
    for (let o = 0; o < outer; o++) {
        for (let m = 0; m < mid; m++) {
            const base = (o * mid + m) * inner;
            const r = invstd[m]!;
            const g0 = meanG[m]!;
            const gx = meanGX[m]!;
            for (let i = 0; i < inner; i++) out[base + i] = r * (dxhat[base + i]! - g0 - xhat[base + i]! * gx);
        }
    }
}

const SPLITTER = 134217729; // 2^27 + 1, Veltkamp's split of a double into two 26-bit halves

/**
 * a·b + c with a single rounding (to within an ulp where the exact result is not representable),
 * as the fused multiply-add GCC contracts aten's `a * b + c` into on AVX2 builds. It matters where
 * the exact result is pure rounding error: (x − mean)·rstd for a group of one value, which aten
 * computes as fma(x, rstd, −rstd·mean) = the error of rounding rstd·mean, not 0. Exact product by
 * Dekker's two-product, sum by Knuth's two-sum; no overflow handling (normalisation values are small).
 */
export function fma(a: number, b: number, c: number): number {
    const p = a * b;
    let t = SPLITTER * a;
    const ah = t - (t - a);
    const al = a - ah;
    t = SPLITTER * b;
    const bh = t - (t - b);
    const bl = b - bh;
    const e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
    const s = p + c;
    const bb = s - p;
    const err = (p - (s - bb)) + (c - bb);
    return s + (err + e);
}
