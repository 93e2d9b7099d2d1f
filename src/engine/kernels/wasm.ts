/**
 * `wasmKernels`: jsKernels with the GEMM replaced by WebAssembly SIMD micro-kernels
 * (src/engine/kernels/wasm/gemm.wat: float32 4×8 on f32x4, float64 4×4 on f64x2, k blocked by 256),
 * assembled at build time (scripts/build-wasm.mjs) into base64 inside the bundle.
 *
 * - Forward convolution (and the transposed convolution's input gradient, which is one): float32
 *   runs in float32 (f32x4, float32 accumulation like PyTorch), float64 in float64. The input is
 *   copied into WASM memory once; per (group, image) the weights are packed into 4-row panels and
 *   im2col is a WASM gather (gather_f32/f64 through im2col.ts's cached `im2colPackedMap`) straight
 *   into the 8-column packed layout; C is a padded full-tile buffer there, initialised with the
 *   bias, and its valid part is copied into the result.
 * - Float64 GEMMs with at most 4 rows times a transposed B (a batch-1 linear layer, y = x·Wᵀ) skip
 *   packing: dense row copies and row-by-row dot products in WASM (gemm_nt_f64); other tiny or
 *   one/two-row-or-column float64 products run as plain loops (`gemmDirect64`).
 * - Input / weight gradients keep js.ts's float64 flow (im2col, col2im in JS) with `wasmGemm`
 *   (float64) as the matrix multiply.
 * - Depthwise / grouped-with-few-outputs convolutions (direct loops) and pooling are jsKernels'.
 * - The relaxed-SIMD build (fused multiply-add) is used only where WA.validate accepts it
 *   (Node 22+, Node 20 with --experimental-wasm-relaxed-simd); CONVSCOPE_WASM_RELAXED=0 disables it.
 * - Without WebAssembly SIMD at all, `wasmKernels` is `jsKernels` (see `wasmSimdAvailable`).
 */
import { type DType, type Tensor, type TensorData, numel } from '../../tensor/tensor.js';
import { convGeometry, convTransposeOutputShape } from './geometry.js';
import { gemm as jsGemm } from './gemm.js';
import { im2colPackedMap } from './im2col.js';
import {
    checkBias, checkDtypes, checkShape, channelSums, convBackwardInput64, convBackwardWeight64, in64, jsKernels, out64, result, sizes,
} from './js.js';
import type { ConvGeometry, GemmSpec, Kernels } from './types.js';
import { gemmRelaxed, gemmSimd } from './wasm/generated/modules.js';

/** The slice of the WebAssembly JS API used here (the project's lib has no DOM / wasm typings). */
interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
interface WasmApi {
    validate(bytes: Uint8Array): boolean;
    Module: new (bytes: Uint8Array) => object;
    Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}
const WA = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

interface Runtime {
    readonly memory: WasmMemory;
    readonly gemmF32: (mp: number, np: number, k: number, a: number, b: number, c: number, ldc: number) => void;
    readonly gemmF64: (mp: number, np: number, k: number, a: number, b: number, c: number, ldc: number) => void;
    readonly gemmNtF64: (m: number, n: number, k: number, a: number, b: number, c: number) => void;
    readonly gatherF32: (dst: number, src: number, map: number, n: number) => void;
    readonly gatherF64: (dst: number, src: number, map: number, n: number) => void;
    readonly relaxed: boolean;
}

function decode(base64: string): Uint8Array {
    const bin = atob(base64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes;
}

let runtime: Runtime | null | undefined;

function env(name: string): string | undefined {
    return typeof process !== 'undefined' ? process.env?.[name] : undefined;
}

function load(): Runtime | null {
    if (runtime !== undefined) return runtime;
    runtime = null;
    try {
        if (!WA) return null;
        const simd = decode(gemmSimd);
        if (!WA.validate(simd)) return null;
        const fused = gemmRelaxed && env('CONVSCOPE_WASM_RELAXED') !== '0' ? decode(gemmRelaxed) : null;
        const relaxed = fused !== null && WA.validate(fused);
        const instance = new WA.Instance(new WA.Module(relaxed ? fused : simd), {});
        const e = instance.exports;
        runtime = {
            memory: e.memory as WasmMemory,
            gemmF32: e.gemm_f32 as Runtime['gemmF32'],
            gemmF64: e.gemm_f64 as Runtime['gemmF64'],
            gemmNtF64: e.gemm_nt_f64 as Runtime['gemmNtF64'],
            gatherF32: e.gather_f32 as Runtime['gatherF32'],
            gatherF64: e.gather_f64 as Runtime['gatherF64'],
            relaxed,
        };
    } catch {
        runtime = null;
    }
    return runtime;
}

/** Gives the WASM memory back (a fresh instance, with one page, is made on next use). */
export function releaseWasmMemory(): void {
    if (runtime) runtime = undefined;
}

/** Whether this JavaScript engine runs the WebAssembly SIMD kernels (and whether with relaxed FMA). */
export function wasmSimdAvailable(): { simd: boolean; relaxed: boolean } {
    const r = load();
    return { simd: r !== null, relaxed: r?.relaxed ?? false };
}

function rt(): Runtime {
    const r = load();
    if (!r) throw new Error('WebAssembly SIMD is not available');
    return r;
}

/** Makes the WASM memory at least `bytes` long; views taken before are invalid afterwards. */
function reserve(bytes: number): ArrayBuffer {
    const mem = rt().memory;
    const have = mem.buffer.byteLength;
    if (bytes > have) mem.grow(Math.ceil((bytes - have) / 65536));
    return mem.buffer;
}

const align = (n: number): number => Math.ceil(n / 64) * 64;

/** Working sets above this (bytes of WASM memory) go to jsKernels: wasm32 addresses end at 4 GiB. */
const MAX_BYTES = 2 ** 31;

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

// ---- packing (one copy per dtype, so each loop stays monomorphic)

/** Rows [r0, r0+m) of a row-major m×k matrix (row stride ld) into 4-row panels over the whole depth. */
function packRows32(src: Float32Array, off: number, ld: number, m: number, k: number, dst: Float32Array): void {
    dst.fill(0, 0, Math.ceil(m / 4) * 4 * k);
    for (let r = 0; r < m; r++) {
        const base = (r >> 2) * 4 * k + (r & 3);
        for (let p = 0, s = off + r * ld; p < k; p++) dst[base + 4 * p] = src[s + p]!;
    }
}

function packRows64(src: Float64Array, off: number, ld: number, m: number, k: number, dst: Float64Array): void {
    dst.fill(0, 0, Math.ceil(m / 4) * 4 * k);
    for (let r = 0; r < m; r++) {
        const base = (r >> 2) * 4 * k + (r & 3);
        for (let p = 0, s = off + r * ld; p < k; p++) dst[base + 4 * p] = src[s + p]!;
    }
}

// ---- forward convolution

/**
 * WASM memory of a forward convolution: the multiply's A, B, C (`layout`), then im2col's gather map
 * (im2col.ts `im2colPackedMap`) and the whole input x, element size s.
 */
function convLayout(g: ConvGeometry, s: number) {
    const Cg = g.inChannels / g.groups;
    const Mg = g.outChannels / g.groups;
    const K = Cg * g.kernel[0] * g.kernel[1] * g.kernel[2];
    const P = g.outSize[0] * g.outSize[1] * g.outSize[2];
    const Pin = g.inSize[0] * g.inSize[1] * g.inSize[2];
    const mp = Math.ceil(Mg / 4);
    const np = Math.ceil(P / 8);
    const ldcE = np * 8;
    const b = align(mp * 4 * K * s);
    const c = align(b + np * 8 * K * s);
    const map = align(c + mp * 4 * ldcE * s);
    const x = align(map + np * 8 * K * 4);
    const end = align(x + g.batch * g.inChannels * Pin * s);
    return { Cg, Mg, K, P, Pin, mp, np, ldcE, a: 0, b, c, map, x, end };
}

/**
 * y = conv(x, w) + bias in float32 arithmetic (f32x4). Not for `sizes(g).direct` geometries.
 * Per (group, image), im2col is a WASM gather from x (copied in once) into the packed B panels.
 */
function convForward32(g: ConvGeometry, x: Float32Array, w: Float32Array, bias: TensorData | null, y: Float32Array): void {
    const L = convLayout(g, 4);
    const { Cg, Mg, K, P, Pin } = L;
    const r = rt();
    const buf = reserve(L.end);
    const A = new Float32Array(buf, L.a, L.mp * 4 * K);
    const C = new Float32Array(buf, L.c, L.mp * 4 * L.ldcE);
    const map = im2colPackedMap(g, Cg);
    new Int32Array(buf, L.map, map.length).set(map);
    new Float32Array(buf, L.x, x.length).set(x);
    const Cout = g.outChannels;
    for (let grp = 0; grp < g.groups; grp++) {
        packRows32(w, grp * Mg * K, K, Mg, K, A);
        for (let n = 0; n < g.batch; n++) {
            r.gatherF32(L.b, L.x + (n * g.inChannels + grp * Cg) * Pin * 4, L.map, map.length);
            for (let i = 0; i < Mg; i++) C.fill(bias ? bias[grp * Mg + i]! : 0, i * L.ldcE, (i + 1) * L.ldcE);
            r.gemmF32(L.mp, L.np, K, L.a, L.b, L.c, L.ldcE * 4);
            const cOff = (n * Cout + grp * Mg) * P;
            if (L.ldcE === P) y.set(C.subarray(0, Mg * P), cOff);
            else for (let i = 0; i < Mg; i++) y.set(C.subarray(i * L.ldcE, i * L.ldcE + P), cOff + i * P);
        }
    }
}

/** The same in float64 (f64x2). */
function convForward64w(g: ConvGeometry, x: Float64Array, w: Float64Array, bias: TensorData | null, y: Float64Array): void {
    const L = convLayout(g, 8);
    const { Cg, Mg, K, P, Pin } = L;
    const r = rt();
    const buf = reserve(L.end);
    const A = new Float64Array(buf, L.a, L.mp * 4 * K);
    const C = new Float64Array(buf, L.c, L.mp * 4 * L.ldcE);
    const map = im2colPackedMap(g, Cg);
    new Int32Array(buf, L.map, map.length).set(map);
    new Float64Array(buf, L.x, x.length).set(x);
    const Cout = g.outChannels;
    for (let grp = 0; grp < g.groups; grp++) {
        packRows64(w, grp * Mg * K, K, Mg, K, A);
        for (let n = 0; n < g.batch; n++) {
            r.gatherF64(L.b, L.x + (n * g.inChannels + grp * Cg) * Pin * 8, L.map, map.length);
            for (let i = 0; i < Mg; i++) C.fill(bias ? bias[grp * Mg + i]! : 0, i * L.ldcE, (i + 1) * L.ldcE);
            r.gemmF64(L.mp, L.np, K, L.a, L.b, L.c, L.ldcE * 8);
            const cOff = (n * Cout + grp * Mg) * P;
            if (L.ldcE === P) y.set(C.subarray(0, Mg * P), cOff);
            else for (let i = 0; i < Mg; i++) y.set(C.subarray(i * L.ldcE, i * L.ldcE + P), cOff + i * P);
        }
    }
}

/** Direct-loop geometries (few outputs per group), or too large for WASM memory: jsKernels' forward. */
function tooBig(g: ConvGeometry): boolean {
    return sizes(g).direct || convLayout(g, 8).end > MAX_BYTES;
}

function forward<D extends DType>(x: Tensor<D>, w: Tensor<D>, bias: Tensor<D> | null, g: ConvGeometry): Tensor<D> {
    const len = numel(g.yShape);
    if (x.dtype === 'float32') {
        const y = new Float32Array(len);
        convForward32(g, x.data as Float32Array, w.data as Float32Array, bias?.data ?? null, y);
        return { shape: [...g.yShape], data: y, dtype: x.dtype } as unknown as Tensor<D>;
    }
    const y = new Float64Array(len);
    convForward64w(g, x.data as Float64Array, w.data as Float64Array, bias?.data ?? null, y);
    return { shape: [...g.yShape], data: y, dtype: x.dtype } as unknown as Tensor<D>;
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

const wasmImpl: Kernels = {
    ...jsKernels,
    name: 'wasm',

    gemm: wasmGemm,

    convForward(x, w, bias, options) {
        checkDtypes('convForward', x, w, bias);
        const g = convGeometry(x.shape, w.shape, options);
        if (tooBig(g)) return jsKernels.convForward(x, w, bias, options);
        checkBias(bias, g.outChannels);
        return forward(x, w, bias, g);
    },

    convBackwardInput(dy, w, xShape, options) {
        checkDtypes('convBackwardInput', dy, w);
        const g = convGeometry(xShape, w.shape, options);
        checkShape('dy', dy.shape, g.yShape);
        const dx = out64(dy.dtype, numel(xShape), 'x');
        convBackwardInput64(g, in64(dy.data, 'y'), in64(w.data, 'w'), dx, wasmGemm);
        return result(dy.dtype, dx, xShape);
    },

    convBackwardWeight(x, dy, wShape, options, withBias = false) {
        checkDtypes('convBackwardWeight', x, dy);
        const g = convGeometry(x.shape, wShape, options);
        checkShape('dy', dy.shape, g.yShape);
        const dw = new Float64Array(numel(wShape));
        convBackwardWeight64(g, in64(x.data, 'x'), in64(dy.data, 'y'), dw, wasmGemm);
        return { dw: result(x.dtype, dw, wShape), db: withBias ? channelSums(dy) : null };
    },

    convTransposeForward(x, w, bias, options = {}) {
        checkDtypes('convTransposeForward', x, w, bias);
        const yShape = convTransposeOutputShape(x.shape, w.shape, options);
        const g = convGeometry(yShape, w.shape, options, x.shape.slice(2));
        checkShape('input', x.shape, g.yShape);
        checkBias(bias, yShape[1]!);
        const y = out64(x.dtype, numel(yShape), 'y');
        convBackwardInput64(g, in64(x.data, 'x'), in64(w.data, 'w'), y, wasmGemm);
        if (bias) {
            const [N, C] = [yShape[0]!, yShape[1]!];
            const P = numel(yShape.slice(2));
            for (let n = 0; n < N; n++) for (let ch = 0; ch < C; ch++) {
                const bv = bias.data[ch]!;
                for (let i = (n * C + ch) * P, end = i + P; i < end; i++) y[i] = y[i]! + bv;
            }
        }
        return result(x.dtype, y, yShape);
    },

    convTransposeBackwardInput(dy, w, xShape, options = {}) {
        checkDtypes('convTransposeBackwardInput', dy, w);
        checkShape('dy', dy.shape, convTransposeOutputShape(xShape, w.shape, options));
        const g = convGeometry(dy.shape, w.shape, options, xShape.slice(2));
        if (tooBig(g)) return jsKernels.convTransposeBackwardInput(dy, w, xShape, options);
        const y = forward(dy, w, null, g);
        return { shape: [...xShape], data: y.data, dtype: y.dtype };
    },

    convTransposeBackwardWeight(x, dy, wShape, options = {}, withBias = false) {
        checkDtypes('convTransposeBackwardWeight', x, dy);
        checkShape('dy', dy.shape, convTransposeOutputShape(x.shape, wShape, options));
        const g = convGeometry(dy.shape, wShape, options, x.shape.slice(2));
        const dw = new Float64Array(numel(wShape));
        convBackwardWeight64(g, in64(dy.data, 'y'), in64(x.data, 'x'), dw, wasmGemm);
        return { dw: result(x.dtype, dw, wShape), db: withBias ? channelSums(dy) : null };
    },
} satisfies Kernels;

/** The WebAssembly SIMD kernels, or `jsKernels` where WebAssembly SIMD is unavailable. */
export const wasmKernels: Kernels = new Proxy(wasmImpl, {
    get(target, prop, receiver) {
        return Reflect.get(load() ? target : jsKernels, prop, receiver);
    },
});
