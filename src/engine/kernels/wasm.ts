/**
 * `wasmKernels`: the WebAssembly SIMD kernels (wasm-runtime.ts loads them; wasm/kernels.wat holds
 * them: float32 4×8 tiles on f32x4, float64 4×4 on f64x2, k blocked by 256), with jsKernels for
 * what they do not cover.
 *
 * - Convolutions (forward, input and weight gradients, and the transposed convolution's passes,
 *   which are the same three) run in wasm-conv.ts: gather + multiply over a padded copy, float32
 *   in float32 arithmetic (like PyTorch), float64 in float64, split over threads for large shapes.
 * - General matrix products (`gemm`: linear layers): float32 when A, B and C are all float32, else
 *   float64; operands packed here. Float64 products with at most 4 rows times a transposed B
 *   (a batch-1 linear layer) skip packing (gemm_nt_f64); other tiny or thin float64 products run
 *   as plain loops (`gemmDirect64`).
 * - Depthwise / grouped convolutions with fewer than 4 outputs per group: wasm-direct.ts (direct
 *   loops vectorised along output rows, its own module).
 * - Pooling: wasm-pool.ts (pool.ts's loops in WASM, in the tensor's dtype).
 * - Working sets past 2 GiB: jsKernels.
 * - Without WebAssembly SIMD at all, `wasmKernels` is `jsKernels` (see `wasmSimdAvailable`).
 */
import { type DType, type Tensor, type TensorData, numel } from '../../tensor/tensor.js';
import { convGeometry, convTransposeOutputShape } from './geometry.js';
import { gemm as jsGemm } from './gemm.js';
import { addChannelBias, checkBias, checkDtypes, checkShape, channelSums, jsKernels, poolShapes, sizes } from './js.js';
import type { ConvGeometry, GemmSpec, Kernels } from './types.js';
import { type FloatCtor, type FloatData, wasmConvBackwardInput, wasmConvBackwardWeight, wasmConvForward } from './wasm-conv.js';
import {
    DirectMemoryError, directBackwardInput32, directBackwardInput64, directBackwardWeight32, directBackwardWeight64,
    directForward32, directForward64, directWasmAvailable,
} from './wasm-direct.js';
import { wasmPoolBackward, wasmPoolForward } from './wasm-pool.js';
import { MAX_BYTES, reserve, rt, wasmRuntime } from './wasm-runtime.js';

export { releaseWasmMemory, setThreads, threads } from './wasm-runtime.js';

/** Whether this JavaScript engine runs the WebAssembly SIMD kernels (and whether with relaxed FMA). */
export function wasmSimdAvailable(): { simd: boolean; relaxed: boolean } {
    const r = wasmRuntime();
    return { simd: r !== null, relaxed: r?.relaxed ?? false };
}

const align = (n: number): number => Math.ceil(n / 64) * 64;

/** Byte layout of one packed multiply C[mp·4 × np·8] += A·B, depth k, element size s. */
function layout(m: number, n: number, k: number, s: number) {
    const mp = Math.ceil(m / 4);
    const np = Math.ceil(n / 8);
    const ldcE = np * 8;
    const a = 0;
    const b = align(a + mp * 4 * k * s);
    const c = align(b + np * 8 * k * s);
    const end = align(c + mp * 4 * ldcE * s);
    return { mp, np, ldcE, a, b, c, end };
}

// ---- general GEMM

function checkMatrix(what: string, length: number, offset: number, rows: number, cols: number, ld: number): void {
    if (rows === 0 || cols === 0) return;
    if (ld < cols) throw new RangeError(`gemm: leading dimension of ${what} (${ld}) is below its row length ${cols}`);
    const end = offset + (rows - 1) * ld + cols;
    if (offset < 0 || end > length) throw new RangeError(`gemm: ${what} (${rows}×${cols}, ld ${ld}, offset ${offset}) overruns its array of ${length}`);
}

/**
 * op(X) (rows×k, X row-major with leading dimension ld, stored k×rows when `trans`) into panels of
 * `w` rows over the whole depth: dst[(r/w)·w·k + w·p + r mod w] = op(X)[r][p]; padding rows 0.
 */
function packOp64(x: TensorData, off: number, ld: number, trans: boolean, rows: number, k: number, w: number, dst: Float64Array): void {
    dst.fill(0, 0, Math.ceil(rows / w) * w * k);
    if (!trans) {
        for (let r = 0; r < rows; r++) {
            const base = Math.floor(r / w) * w * k + (r % w);
            for (let p = 0, s = off + r * ld; p < k; p++) dst[base + w * p] = x[s + p]!;
        }
    } else {
        for (let p = 0; p < k; p++) {
            const s = off + p * ld;
            for (let r0 = 0; r0 < rows; r0 += w) {
                const d = r0 * k + w * p;
                const e = Math.min(w, rows - r0);
                for (let i = 0; i < e; i++) dst[d + i] = x[s + r0 + i]!;
            }
        }
    }
}

function packOp32(x: Float32Array, off: number, ld: number, trans: boolean, rows: number, k: number, w: number, dst: Float32Array): void {
    dst.fill(0, 0, Math.ceil(rows / w) * w * k);
    if (!trans) {
        for (let r = 0; r < rows; r++) {
            const base = Math.floor(r / w) * w * k + (r % w);
            for (let p = 0, s = off + r * ld; p < k; p++) dst[base + w * p] = x[s + p]!;
        }
    } else {
        for (let p = 0; p < k; p++) {
            const s = off + p * ld;
            for (let r0 = 0; r0 < rows; r0 += w) {
                const d = r0 * k + w * p;
                const e = Math.min(w, rows - r0);
                for (let i = 0; i < e; i++) dst[d + i] = x[s + r0 + i]!;
            }
        }
    }
}

/**
 * Whether a float64 multiply is cheaper as plain loops than through WASM: packing costs about
 * (4⌈m/4⌉ + 8⌈n/8⌉)·k element moves against m·n·k multiply-adds, so a product with one or two
 * rows or columns (a batch-1 linear layer) or a tiny one is mostly packing.
 */
function smallGemm(m: number, n: number, k: number): boolean {
    return m <= 2 || n <= 2 || m * n * k <= 4096;
}

let rowScratch = new Float64Array(64);

/**
 * C = beta·C + alpha·A·B in float64 without packing, A(i, p) at a[ao + i·ai + p·ap] and
 * B(p, j) at b[bo + p·bp + j·bj]; each sum runs over p in order.
 */
function gemmDirect64(
    m: number, n: number, k: number, a: TensorData, ao: number, ai: number, ap: number,
    b: TensorData, bo: number, bp: number, bj: number, c: TensorData, co: number, ldc: number, alpha: number, beta: number,
): void {
    if (rowScratch.length < n) rowScratch = new Float64Array(Math.max(n, rowScratch.length * 2));
    const row = rowScratch;
    for (let i = 0; i < m; i++) {
        const ar = ao + i * ai;
        if (bj === 1) {
            // B's rows contiguous: accumulate a row of C over p (axpy)
            row.fill(0, 0, n);
            for (let p = 0; p < k; p++) {
                const av = a[ar + p * ap]!;
                const br = bo + p * bp;
                for (let j = 0; j < n; j++) row[j] = row[j]! + av * b[br + j]!;
            }
        } else {
            // B's columns contiguous (transposed): dot products, four columns at a time (independent
            // sums sharing the loads of A; each still runs over p in order)
            let j = 0;
            if (ap === 1 && bp === 1) {
                for (; j + 8 <= n; j += 8) {
                    const b0 = bo + j * bj, b1 = b0 + bj, b2 = b1 + bj, b3 = b2 + bj;
                    const b4 = b3 + bj, b5 = b4 + bj, b6 = b5 + bj, b7 = b6 + bj;
                    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
                    for (let p = 0; p < k; p++) {
                        const av = a[ar + p]!;
                        s0 += av * b[b0 + p]!;
                        s1 += av * b[b1 + p]!;
                        s2 += av * b[b2 + p]!;
                        s3 += av * b[b3 + p]!;
                        s4 += av * b[b4 + p]!;
                        s5 += av * b[b5 + p]!;
                        s6 += av * b[b6 + p]!;
                        s7 += av * b[b7 + p]!;
                    }
                    row[j] = s0;
                    row[j + 1] = s1;
                    row[j + 2] = s2;
                    row[j + 3] = s3;
                    row[j + 4] = s4;
                    row[j + 5] = s5;
                    row[j + 6] = s6;
                    row[j + 7] = s7;
                }
                for (; j + 4 <= n; j += 4) {
                    const b0 = bo + j * bj, b1 = b0 + bj, b2 = b1 + bj, b3 = b2 + bj;
                    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                    for (let p = 0; p < k; p++) {
                        const av = a[ar + p]!;
                        s0 += av * b[b0 + p]!;
                        s1 += av * b[b1 + p]!;
                        s2 += av * b[b2 + p]!;
                        s3 += av * b[b3 + p]!;
                    }
                    row[j] = s0;
                    row[j + 1] = s1;
                    row[j + 2] = s2;
                    row[j + 3] = s3;
                }
            }
            for (; j < n; j++) {
                const bc = bo + j * bj;
                let s = 0;
                if (ap === 1 && bp === 1) for (let p = 0; p < k; p++) s += a[ar + p]! * b[bc + p]!;
                else for (let p = 0; p < k; p++) s += a[ar + p * ap]! * b[bc + p * bp]!;
                row[j] = s;
            }
        }
        const ro = co + i * ldc;
        if (beta === 0) for (let j = 0; j < n; j++) c[ro + j] = alpha * row[j]!;
        else if (beta === 1) for (let j = 0; j < n; j++) c[ro + j] = c[ro + j]! + alpha * row[j]!;
        else for (let j = 0; j < n; j++) c[ro + j] = beta * c[ro + j]! + alpha * row[j]!;
    }
}

/** Copies rows×cols of x (row stride ld, from off) densely into dst. */
function copyRows(x: TensorData, off: number, ld: number, rows: number, cols: number, dst: Float64Array): void {
    if (ld === cols) dst.set(x.subarray(off, off + rows * cols));
    else for (let r = 0; r < rows; r++) dst.set(x.subarray(off + r * ld, off + r * ld + cols), r * cols);
}

/**
 * C = beta·C + alpha·A·Bᵀ in float64 for few rows of A (a batch-1 linear layer: y = x·Wᵀ): A and B
 * are copied densely into WASM memory and multiplied row by row (gemm_nt_f64, no packing).
 */
function gemmRowsNt64(
    m: number, n: number, k: number, a: TensorData, ao: number, lda: number,
    b: TensorData, bo: number, ldb: number, c: TensorData, co: number, ldc: number, alpha: number, beta: number,
): void {
    const aAt = 0;
    const bAt = align(m * k * 8);
    const cAt = align(bAt + n * k * 8);
    const buf = reserve(align(cAt + m * n * 8));
    copyRows(a, ao, lda, m, k, new Float64Array(buf, aAt, m * k));
    copyRows(b, bo, ldb, n, k, new Float64Array(buf, bAt, n * k));
    rt().gemmNtF64(m, n, k, aAt, bAt, cAt);
    const T = new Float64Array(buf, cAt, m * n);
    for (let i = 0; i < m; i++) {
        const ro = co + i * ldc;
        const to = i * n;
        if (beta === 0) for (let j = 0; j < n; j++) c[ro + j] = alpha * T[to + j]!;
        else if (beta === 1) for (let j = 0; j < n; j++) c[ro + j] = c[ro + j]! + alpha * T[to + j]!;
        else for (let j = 0; j < n; j++) c[ro + j] = beta * c[ro + j]! + alpha * T[to + j]!;
    }
}

/** `Kernels.gemm` on the WASM kernels: float32 arithmetic when A, B and C are all float32, else float64. */
export function wasmGemm(spec: GemmSpec): void {
    const { m, n, k, a, b, c, lda, ldb, ldc } = spec;
    const aOffset = spec.aOffset ?? 0;
    const bOffset = spec.bOffset ?? 0;
    const cOffset = spec.cOffset ?? 0;
    const transA = spec.transA ?? false;
    const transB = spec.transB ?? false;
    const alpha = spec.alpha ?? 1;
    const beta = spec.beta ?? 0;
    checkMatrix('A', a.length, aOffset, transA ? k : m, transA ? m : k, lda);
    checkMatrix('B', b.length, bOffset, transB ? n : k, transB ? k : n, ldb);
    checkMatrix('C', c.length, cOffset, m, n, ldc);
    if (m <= 0 || n <= 0) return;
    if (layout(m, n, k, 8).end > MAX_BYTES) return jsGemm(spec);
    const f32 = a instanceof Float32Array && b instanceof Float32Array && c instanceof Float32Array;
    if (!f32 && !transA && transB && m <= 4 && k > 0) {
        gemmRowsNt64(m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc, alpha, beta);
        return;
    }
    if (!f32 && smallGemm(m, n, k)) {
        gemmDirect64(m, n, k, a, aOffset, transA ? 1 : lda, transA ? lda : 1, b, bOffset, transB ? 1 : ldb, transB ? ldb : 1, c, cOffset, ldc, alpha, beta);
        return;
    }
    const s = f32 ? 4 : 8;
    const L = layout(m, n, k, s);
    const r = rt();
    const buf = reserve(L.end);
    let T: Float32Array | Float64Array;
    if (f32) {
        packOp32(a as Float32Array, aOffset, lda, transA, m, k, 4, new Float32Array(buf, L.a, L.mp * 4 * k));
        // op(B)'s columns are the rows of op(B)ᵀ: stored n×k when transB
        packOp32(b as Float32Array, bOffset, ldb, !transB, n, k, 8, new Float32Array(buf, L.b, L.np * 8 * k));
        T = new Float32Array(buf, L.c, L.mp * 4 * L.ldcE).fill(0);
        if (k > 0 && alpha !== 0) r.gemmF32(L.mp, L.np, k, L.a, L.b, L.c, L.ldcE * 4);
    } else {
        packOp64(a, aOffset, lda, transA, m, k, 4, new Float64Array(buf, L.a, L.mp * 4 * k));
        packOp64(b, bOffset, ldb, !transB, n, k, 8, new Float64Array(buf, L.b, L.np * 8 * k));
        T = new Float64Array(buf, L.c, L.mp * 4 * L.ldcE).fill(0);
        if (k > 0 && alpha !== 0) r.gemmF64(L.mp, L.np, k, L.a, L.b, L.c, L.ldcE * 8);
    }
    for (let i = 0; i < m; i++) {
        const ro = cOffset + i * ldc;
        const to = i * L.ldcE;
        if (beta === 0) for (let j = 0; j < n; j++) c[ro + j] = alpha * T[to + j]!;
        else if (beta === 1) for (let j = 0; j < n; j++) c[ro + j] = c[ro + j]! + alpha * T[to + j]!;
        else for (let j = 0; j < n; j++) c[ro + j] = beta * c[ro + j]! + alpha * T[to + j]!;
    }
}

// ---- the Kernels

function tensor<D extends DType>(dtype: D, data: FloatData, shape: readonly number[]): Tensor<D> {
    return { shape: [...shape], data, dtype } as unknown as Tensor<D>;
}

type Pass = <F extends FloatData>(g: ConvGeometry, a: F, b: F, out: F, ctor: FloatCtor<F>) => boolean;
type DirectPass<F extends FloatData> = (g: ConvGeometry, a: F, b: F, out: F) => void;

/**
 * One pass into a fresh (zeroed, then `init`ed) array of the inputs' dtype: wasm-conv.ts's, or
 * wasm-direct.ts's for direct-loop geometries (few outputs per group). Null — the caller then uses
 * jsKernels — for working sets past 2 GiB.
 */
function run<D extends DType>(
    pass: Pass, direct: [DirectPass<Float32Array>, DirectPass<Float64Array>],
    g: ConvGeometry, a: Tensor<D>, b: Tensor<D>, shape: readonly number[], init?: (out: FloatData) => void,
): Tensor<D> | null {
    const len = numel(shape);
    const f32 = a.dtype === 'float32';
    const out = f32 ? new Float32Array(len) : new Float64Array(len);
    init?.(out);
    if (!sizes(g).direct) {
        const ok = f32
            ? pass(g, a.data as Float32Array, b.data as Float32Array, out as Float32Array, Float32Array)
            : pass(g, a.data as Float64Array, b.data as Float64Array, out as Float64Array, Float64Array);
        return ok ? tensor(a.dtype, out, shape) : null;
    }
    if (!directWasmAvailable()) return null;
    try {
        if (f32) direct[0](g, a.data as Float32Array, b.data as Float32Array, out as Float32Array);
        else direct[1](g, a.data as Float64Array, b.data as Float64Array, out as Float64Array);
    } catch (e) {
        if (e instanceof DirectMemoryError) return null;
        throw e;
    }
    return tensor(a.dtype, out, shape);
}

function forward<D extends DType>(g: ConvGeometry, x: Tensor<D>, w: Tensor<D>, bias: Tensor<D> | null): Tensor<D> | null {
    const b = bias?.data ?? null;
    // the conv pass writes y whole (bias included); the direct one adds onto the bias
    const init = b && sizes(g).direct ? (y: FloatData) => fillBias(y, b, g.batch, g.outChannels) : undefined;
    return run((gg, xx, ww, y, ctor) => wasmConvForward(gg, xx, ww, b, y, ctor), [directForward32, directForward64], g, x, w, g.yShape, init);
}

const backwardInput = <D extends DType>(g: ConvGeometry, dy: Tensor<D>, w: Tensor<D>): Tensor<D> | null =>
    run(wasmConvBackwardInput, [directBackwardInput32, directBackwardInput64], g, dy, w, g.xShape);

const backwardWeight = <D extends DType>(g: ConvGeometry, x: Tensor<D>, dy: Tensor<D>): Tensor<D> | null =>
    run(wasmConvBackwardWeight, [directBackwardWeight32, directBackwardWeight64], g, x, dy, g.wShape);

/** y[n][c][…] = bias[c] */
function fillBias(y: FloatData, bias: TensorData, N: number, C: number): void {
    const P = y.length / (N * C);
    for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) y.fill(bias[c]!, (n * C + c) * P, (n * C + c + 1) * P);
}

const wasmImpl: Kernels = {
    ...jsKernels,
    name: 'wasm',

    gemm: wasmGemm,

    convForward(x, w, bias, options) {
        checkDtypes('convForward', x, w, bias);
        const g = convGeometry(x.shape, w.shape, options);
        checkBias(bias, g.outChannels);
        return forward(g, x, w, bias) ?? jsKernels.convForward(x, w, bias, options);
    },

    convBackwardInput(dy, w, xShape, options) {
        checkDtypes('convBackwardInput', dy, w);
        const g = convGeometry(xShape, w.shape, options);
        checkShape('dy', dy.shape, g.yShape);
        return backwardInput(g, dy, w) ?? jsKernels.convBackwardInput(dy, w, xShape, options);
    },

    convBackwardWeight(x, dy, wShape, options, withBias = false) {
        checkDtypes('convBackwardWeight', x, dy);
        const g = convGeometry(x.shape, wShape, options);
        checkShape('dy', dy.shape, g.yShape);
        const dw = backwardWeight(g, x, dy);
        if (!dw) return jsKernels.convBackwardWeight(x, dy, wShape, options, withBias);
        return { dw, db: withBias ? channelSums(dy) : null };
    },

    convTransposeForward(x, w, bias, options = {}) {
        checkDtypes('convTransposeForward', x, w, bias);
        const yShape = convTransposeOutputShape(x.shape, w.shape, options);
        const g = convGeometry(yShape, w.shape, options, x.shape.slice(2));
        checkShape('input', x.shape, g.yShape);
        checkBias(bias, yShape[1]!);
        const y = backwardInput(g, x, w);
        if (!y) return jsKernels.convTransposeForward(x, w, bias, options);
        if (bias) addChannelBias(y.data, bias.data, yShape[0]!, yShape[1]!, numel(yShape.slice(2)));
        return y;
    },

    convTransposeBackwardInput(dy, w, xShape, options = {}) {
        checkDtypes('convTransposeBackwardInput', dy, w);
        checkShape('dy', dy.shape, convTransposeOutputShape(xShape, w.shape, options));
        const g = convGeometry(dy.shape, w.shape, options, xShape.slice(2));
        const dx = forward(g, dy, w, null);
        return dx ? { shape: [...xShape], data: dx.data, dtype: dx.dtype } : jsKernels.convTransposeBackwardInput(dy, w, xShape, options);
    },

    convTransposeBackwardWeight(x, dy, wShape, options = {}, withBias = false) {
        checkDtypes('convTransposeBackwardWeight', x, dy);
        checkShape('dy', dy.shape, convTransposeOutputShape(x.shape, wShape, options));
        const g = convGeometry(dy.shape, wShape, options, x.shape.slice(2));
        const dw = backwardWeight(g, dy, x);
        if (!dw) return jsKernels.convTransposeBackwardWeight(x, dy, wShape, options, withBias);
        return { dw, db: withBias ? channelSums(dy) : null };
    },

    poolForward(x, spec) {
        const { planes, yShape } = poolShapes(x.shape, spec);
        return wasmPoolForward(x, spec, planes, yShape) ?? jsKernels.poolForward(x, spec);
    },

    poolBackward(dy, xShape, spec, indices) {
        const { planes, yShape } = poolShapes(xShape, spec);
        checkShape('dy', dy.shape, yShape);
        return wasmPoolBackward(dy, xShape, spec, planes, indices) ?? jsKernels.poolBackward(dy, xShape, spec, indices);
    },
} satisfies Kernels;

/** The WebAssembly SIMD kernels, or `jsKernels` where WebAssembly SIMD is unavailable. */
export const wasmKernels: Kernels = new Proxy(wasmImpl, {
    get(target, prop, receiver) {
        return Reflect.get(wasmRuntime() ? target : jsKernels, prop, receiver);
    },
});
