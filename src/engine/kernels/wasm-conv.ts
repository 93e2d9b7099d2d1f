/**
 * Convolutions on the WebAssembly kernels (wasm-runtime.ts), float32 in float32 arithmetic (like
 * PyTorch) and float64 in float64, split over threads.
 *
 * Every pass multiplies without an im2col matrix in memory: the input is copied once into WASM
 * memory with its zero padding made real (kernels.wat `pad`), so the column matrix is implicit —
 * element (p, j) sits at rows[p] + cols[j] in that copy, p = (c, kd, kh, kw) and j = (n, od, oh,
 * ow), the images side by side — and a column panel of 8 consecutive elements is read in place,
 * while the others are gathered by the thread about to multiply them (in L2).
 *
 * - forward: C = W·col (+ bias, set per chunk in WASM), W packed into 4-row panels once per call;
 * - weight gradient: dW = dy·colᵀ, the images side by side along the depth (the gather reads col
 *   transposed);
 * - input gradient, stride 1: the forward pass of dy (padded by d·(k − 1) − p) with the flipped,
 *   transposed weights — a correlation, no scatter; other strides: col = Wᵀ·dy, then col2im adds
 *   col back into a padded dx (threads own whole channels) and the padding is cropped.
 *
 * Each returns false, doing nothing, when its working set would pass `MAX_BYTES` (the caller then
 * falls back to the TypeScript kernels). Geometries with fewer than 4 outputs per group (depthwise)
 * are wasm-direct.ts's.
 */
import type { TensorData } from '../../tensor/tensor.js';
import type { ConvGeometry } from './types.js';
import { Arena, MAX_BYTES, type ParallelEntry, parallel, reserve, rt, threads } from './wasm-runtime.js';

export type FloatData = Float32Array | Float64Array;
export interface FloatCtor<F extends FloatData = FloatData> {
    new (buffer: ArrayBuffer, byteOffset: number, length: number): F;
    readonly BYTES_PER_ELEMENT: number;
}

type Triple = readonly [number, number, number];

/** A correlation over a padded copy: what the gather needs. Sizes are rank-3 (D, H, W). */
interface Correlation {
    /** input channels of one group */
    readonly channels: number;
    readonly inSize: Triple;
    readonly outSize: Triple;
    readonly kernel: Triple;
    readonly stride: Triple;
    readonly dilation: Triple;
    /** where input element 0 lands in the padded copy, per axis (negative: cropped) */
    readonly padBefore: Triple;
    /**
     * Images side by side as columns (default 1): the column matrix is K × (images · ∏outSize),
     * image n's copy `imageChannels` padded planes after image n − 1's.
     */
    readonly images?: number;
    readonly imageChannels?: number;
}

/** The gather tables of a correlation for element size s (bytes). */
interface Plan {
    /** extent of the padded copy of one channel */
    readonly padded: Triple;
    readonly plane: number;
    /** column-matrix rows (channels · kernel taps) and columns (output positions of all images) */
    readonly K: number;
    readonly P: number;
    /** ⌈P/8⌉ column panels */
    readonly np: number;
    /** byte offset of row p within the padded copy; ⌈K/8⌉·8 entries, the last repeated */
    readonly rows: Int32Array;
    /** byte offset of column j; np·8 entries, past P continuing by one element (reads stay in the slack) */
    readonly cols: Int32Array;
    /** per panel: 1 = 8 consecutive elements, 2 = every other element, 0 = other */
    readonly kinds: Int32Array;
}

/** Elements after a padded copy that a gather may read (columns past P, stride-2 vector loads). */
const SLACK = 16;

const plans = new Map<string, Plan>();

function planFor(k: Correlation, s: number): Plan {
    const images = k.images ?? 1;
    const key = `${s}|${k.channels}|${k.inSize}|${k.outSize}|${k.kernel}|${k.stride}|${k.dilation}|${k.padBefore}|${images}|${k.imageChannels}`;
    const known = plans.get(key);
    if (known) return known;
    const [OD, OH, OW] = k.outSize;
    const [KD, KH, KW] = k.kernel;
    const [sd, sh, sw] = k.stride;
    const [dd, dh, dw] = k.dilation;
    const padded: Triple = [(OD - 1) * sd + (KD - 1) * dd + 1, (OH - 1) * sh + (KH - 1) * dh + 1, (OW - 1) * sw + (KW - 1) * dw + 1];
    const [, Hp, Wp] = padded;
    const plane = padded[0] * Hp * Wp;
    const K = k.channels * KD * KH * KW;
    const P = images * OD * OH * OW;
    const np = Math.ceil(P / 8);
    const imageStride = (k.imageChannels ?? k.channels) * plane;
    const rows = new Int32Array(Math.ceil(K / 8) * 8);
    let p = 0;
    for (let c = 0; c < k.channels; c++) {
        for (let kd = 0; kd < KD; kd++) for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) {
            rows[p++] = (c * plane + (kd * dd * Hp + kh * dh) * Wp + kw * dw) * s;
        }
    }
    rows.fill(rows[K - 1]!, K);
    const cols = new Int32Array(np * 8);
    let j = 0;
    for (let n = 0; n < images; n++) {
        for (let od = 0; od < OD; od++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
            cols[j++] = (n * imageStride + (od * sd * Hp + oh * sh) * Wp + ow * sw) * s;
        }
    }
    for (; j < cols.length; j++) cols[j] = cols[j - 1]! + s;
    const kinds = new Int32Array(np);
    for (let panel = 0; panel < np; panel++) {
        const step = (cols[panel * 8 + 1]! - cols[panel * 8]!) / s;
        let same = step === 1 || step === 2;
        for (let i = 2; i < 8 && same; i++) same = cols[panel * 8 + i]! - cols[panel * 8 + i - 1]! === step * s;
        kinds[panel] = same ? step : 0;
    }
    const plan = { padded, plane, K, P, np, rows, cols, kinds };
    if (plans.size >= 64) plans.clear();
    plans.set(key, plan);
    return plan;
}

/** The correlation a convolution `g` gathers from its input, per group, images side by side. */
function convCorrelation(g: ConvGeometry, images = 1): Correlation {
    const channels = g.inChannels / g.groups;
    return { channels, inSize: g.inSize, outSize: g.outSize, kernel: g.kernel, stride: g.stride, dilation: g.dilation, padBefore: g.padBefore, images, imageChannels: g.inChannels };
}

/** The gather of a plain row-major matrix (rows × n, contiguous): a correlation with a 1-tap kernel. */
function matrixPlan(rows: number, n: number, s: number): Plan {
    return planFor({ channels: rows, inSize: [1, 1, n], outSize: [1, 1, n], kernel: [1, 1, 1], stride: [1, 1, 1], dilation: [1, 1, 1], padBefore: [0, 0, 0] }, s);
}

/**
 * Writes the padded copies of `channels` planes of size `size` (from src at element `from`) at byte
 * `at`: input element (d, h, w) lands at padBefore + (d, h, w), the rest is 0. Unless the copy is
 * the plain input, the planes go to `stage` first and kernels.wat `pad` spreads them out.
 */
function padInto<F extends FloatData>(
    buf: ArrayBuffer, ctor: FloatCtor<F>, at: number, stage: number, src: FloatData, from: number,
    channels: number, size: Triple, padded: Triple, padBefore: Triple,
): void {
    const len = channels * size[0] * size[1] * size[2];
    const plain = size.every((n, i) => n === padded[i]) && padBefore.every(v => v === 0);
    new ctor(buf, plain ? at : stage, len).set(src.subarray(from, from + len));
    if (plain) return;
    const lo = (i: number) => Math.max(0, -padBefore[i]!);
    const hi = (i: number) => Math.min(size[i]!, padded[i]! - padBefore[i]!);
    rt().pad(at, stage, ctor.BYTES_PER_ELEMENT, channels, ...size, ...padded, ...padBefore, lo(0), hi(0), lo(1), hi(1), lo(2), hi(2));
}

/** The inverse of a padded copy: the interior of the padded copies X back into dst (at element `to`). */
function cropFrom(X: FloatData, dst: FloatData, to: number, channels: number, size: Triple, padded: Triple, padBefore: Triple): void {
    const [D, H, W] = size;
    const [Dp, Hp, Wp] = padded;
    const plane = Dp * Hp * Wp;
    const inPlane = D * H * W;
    const w0 = Math.max(0, -padBefore[2]);
    const w1 = Math.min(W, Wp - padBefore[2]);
    for (let c = 0; c < channels; c++) {
        for (let d = 0; d < D; d++) {
            const td = padBefore[0] + d;
            for (let h = 0; h < H; h++) {
                const th = padBefore[1] + h;
                const t = to + c * inPlane + (d * H + h) * W;
                if (td < 0 || td >= Dp || th < 0 || th >= Hp || w0 >= w1) {
                    dst.fill(0, t, t + W);
                    continue;
                }
                const s = c * plane + (td * Hp + th) * Wp + padBefore[2];
                dst.fill(0, t, t + w0);
                dst.set(X.subarray(s + w0, s + w1), t + w0);
                dst.fill(0, t + w1, t + W);
            }
        }
    }
}

/**
 * Panels per chunk, for a multiply of the given depth: as many as keep one k-block (256 deep) of
 * the chunk's B within ~128 KiB — each k-block of A is then read once per chunk, not once per
 * panel (A can be megabytes: 256 × 2304 floats for shape D) — with ≥ 4 chunks per thread when
 * there is work for it.
 */
function chunkFor(panels: number, depth: number, s: number, T: number): number {
    const byCache = Math.max(1, Math.floor(131072 / (Math.min(depth, 256) * 8 * s)));
    return Math.max(1, Math.min(byCache, Math.ceil(panels / (4 * T))));
}

const name = (entry: 'conv' | 'conv_dw' | 'scatter', s: number): ParallelEntry => `${entry}_${s === 4 ? 'f32' : 'f64'}`;

function writeTables(buf: ArrayBuffer, at: { rows: number; cols: number; kinds?: number }, plan: Plan): void {
    new Int32Array(buf, at.rows, plan.rows.length).set(plan.rows);
    new Int32Array(buf, at.cols, plan.cols.length).set(plan.cols);
    if (at.kinds !== undefined) new Int32Array(buf, at.kinds, plan.kinds.length).set(plan.kinds);
}

/** The descriptor of conv_f32/conv_f64 (see kernels.wat); bias 0: C starts from zeros. */
function convDesc(buf: ArrayBuffer, desc: number, f: {
    np: number; chunk: number; mp: number; k: number; a: number; b: number; bStride: number; c: number; ldc: number; x: number; rows: number; cols: number; kinds: number; bias: number;
}): void {
    new Int32Array(buf, desc, 15).set([0, f.np, f.chunk, f.mp, f.k, f.a, f.b, f.bStride, f.c, f.ldc, f.x, f.rows, f.cols, f.kinds, f.bias]);
}

/** Scratch of one gather-and-multiply: tables, per-thread B chunks, C. */
function gemmRegions(L: Arena, plan: Plan, mRows: number, s: number) {
    const T = threads();
    const mp = Math.ceil(mRows / 4);
    // rows of C a multiple of 4 KiB apart would share cache sets: one extra cache line per row
    const ldcE = plan.np * 8 + ((plan.np * 8 * s) % 4096 === 0 ? 64 / s : 0);
    const chunk = chunkFor(plan.np, plan.K, s, T);
    const bStride = Math.ceil((chunk * plan.K * 8 * s) / 64) * 64;
    return {
        mp, ldcE, chunk, bStride, units: Math.ceil(plan.np / chunk),
        desc: L.take(64), rows: L.take(plan.rows.length * 4), cols: L.take(plan.cols.length * 4), kinds: L.take(plan.kinds.length * 4),
        b: L.take(T * bStride), c: L.take(mp * 4 * ldcE * s),
    };
}

/** y = conv(x, w) + bias (y fully written). */
export function wasmConvForward<F extends FloatData>(g: ConvGeometry, x: F, w: F, bias: TensorData | null, y: F, ctor: FloatCtor<F>): boolean {
    const s = ctor.BYTES_PER_ELEMENT;
    const N = g.batch;
    const Cg = g.inChannels / g.groups;
    const Mg = g.outChannels / g.groups;
    const plan = planFor(convCorrelation(g, N), s);
    const { K } = plan;
    const P = plan.P / N;
    const L = new Arena();
    const R = gemmRegions(L, plan, Mg, s);
    const aStride = R.mp * 4 * K * s;
    const a = L.take(g.groups * aStride);
    const ws = L.take(w.length * s);
    const bs = L.take(g.groups * R.mp * 4 * s);
    const stage = L.take(x.length * s);
    const xb = L.take((N * g.inChannels * plan.plane + SLACK) * s);
    if (L.end > MAX_BYTES) return false;
    const buf = reserve(L.end);
    const r = rt();
    writeTables(buf, R, plan);
    new ctor(buf, ws, w.length).set(w);
    const pack = s === 4 ? r.pack4F32 : r.pack4F64;
    for (let grp = 0; grp < g.groups; grp++) pack(a + grp * aStride, ws + grp * Mg * K * s, Mg, K, K * s, K);
    if (bias) {
        const B = new ctor(buf, bs, g.groups * R.mp * 4).fill(0);
        for (let grp = 0; grp < g.groups; grp++) for (let i = 0; i < Mg; i++) B[grp * R.mp * 4 + i] = bias[grp * Mg + i]!;
    }
    const C = new ctor(buf, R.c, R.mp * 4 * R.ldcE);
    padInto(buf, ctor, xb, stage, x, 0, N * g.inChannels, g.inSize, plan.padded, g.padBefore);
    for (let grp = 0; grp < g.groups; grp++) {
        convDesc(buf, R.desc, {
            ...R, np: plan.np, k: K, a: a + grp * aStride, ldc: R.ldcE * s, x: xb + grp * Cg * plan.plane * s, bias: bias ? bs + grp * R.mp * 4 * s : 0,
        });
        parallel(name('conv', s), R.desc, R.units, 2 * Mg * K * plan.P);
        copyOut(C, R.ldcE, y, N, g.outChannels, grp * Mg, Mg, P);
    }
    return true;
}

/** C's rows (channels c0 … c0 + rows of every image, images side by side, P columns each) into out ([N, channels, P]). */
function copyOut(C: FloatData, ldc: number, out: FloatData, N: number, channels: number, c0: number, rows: number, P: number): void {
    for (let n = 0; n < N; n++) {
        for (let i = 0; i < rows; i++) out.set(C.subarray(i * ldc + n * P, i * ldc + (n + 1) * P), ((n * channels) + c0 + i) * P);
    }
}

/** dw = ∂L/∂w (fully written). */
export function wasmConvBackwardWeight<F extends FloatData>(g: ConvGeometry, x: F, dy: F, dw: F, ctor: FloatCtor<F>): boolean {
    const s = ctor.BYTES_PER_ELEMENT;
    const N = g.batch;
    const Cg = g.inChannels / g.groups;
    const Mg = g.outChannels / g.groups;
    const plan = planFor(convCorrelation(g, N), s);
    // depth: the output positions of every image (NP), in the order of the plan's columns
    const { K, P: NP } = plan;
    const P = NP / N;
    const T = threads();
    const npK = Math.ceil(K / 8);
    const mp = Math.ceil(Mg / 4);
    const ldcE = npK * 8;
    const chunk = chunkFor(npK, NP, s, T);
    const bStride = Math.ceil((chunk * NP * 8 * s) / 64) * 64;
    const cStride = mp * 4 * ldcE * s;
    const L = new Arena();
    const desc = L.take(64);
    const lanes = L.take(plan.rows.length * 4);
    const cols = L.take(plan.cols.length * 4);
    const a = L.take(mp * 4 * NP * s);
    const dys = L.take(dy.length * s);
    const b = L.take(T * bStride);
    const c = L.take(cStride);
    const stage = L.take(x.length * s);
    const xb = L.take((N * g.inChannels * plan.plane + SLACK) * s);
    if (L.end > MAX_BYTES) return false;
    const buf = reserve(L.end);
    const pack = s === 4 ? rt().pack4F32 : rt().pack4F64;
    writeTables(buf, { rows: lanes, cols }, plan);
    padInto(buf, ctor, xb, stage, x, 0, N * g.inChannels, g.inSize, plan.padded, g.padBefore);
    new ctor(buf, dys, dy.length).set(dy);
    const C = new ctor(buf, c, mp * 4 * ldcE);
    const D = new Int32Array(buf, desc, 13);
    for (let grp = 0; grp < g.groups; grp++) {
        // A = dy of the group, images side by side along the depth
        for (let n = 0; n < N; n++) pack(a + 4 * n * P * s, dys + (n * g.outChannels + grp * Mg) * P * s, Mg, P, P * s, NP);
        C.fill(0);
        D.set([0, npK, chunk, mp, NP, a, b, bStride, c, ldcE * s, xb + grp * Cg * plan.plane * s, lanes, cols]);
        parallel(name('conv_dw', s), desc, Math.ceil(npK / chunk), 2 * Mg * K * NP);
        for (let i = 0; i < Mg; i++) dw.set(C.subarray(i * ldcE, i * ldcE + K), (grp * Mg + i) * K);
    }
    return true;
}

/** dx = ∂L/∂x (fully written). */
export function wasmConvBackwardInput<F extends FloatData>(g: ConvGeometry, dy: F, w: F, dx: F, ctor: FloatCtor<F>): boolean {
    return g.stride.every(v => v === 1) ? backwardInputByCorrelation(g, dy, w, dx, ctor) : backwardInputByScatter(g, dy, w, dx, ctor);
}

/** Stride 1: dx = correlation of dy, padded by d·(k − 1) − p, with the flipped, transposed kernel. */
function backwardInputByCorrelation<F extends FloatData>(g: ConvGeometry, dy: F, w: F, dx: F, ctor: FloatCtor<F>): boolean {
    const s = ctor.BYTES_PER_ELEMENT;
    const Cg = g.inChannels / g.groups;
    const Mg = g.outChannels / g.groups;
    const taps = g.kernel[0] * g.kernel[1] * g.kernel[2];
    const lift = (f: (i: number) => number): Triple => [f(0), f(1), f(2)];
    const padBefore = lift(i => g.dilation[i]! * (g.kernel[i]! - 1) - g.padBefore[i]!);
    const N = g.batch;
    const plan = planFor({
        channels: Mg, inSize: g.outSize, outSize: g.inSize, kernel: g.kernel, stride: [1, 1, 1], dilation: g.dilation, padBefore,
        images: N, imageChannels: g.outChannels,
    }, s);
    const { K } = plan;
    const P = plan.P / N;
    const L = new Arena();
    const R = gemmRegions(L, plan, Cg, s);
    const aStride = R.mp * 4 * K * s;
    const a = L.take(g.groups * aStride);
    const stage = L.take(dy.length * s);
    const yb = L.take((N * g.outChannels * plan.plane + SLACK) * s);
    if (L.end > MAX_BYTES) return false;
    const buf = reserve(L.end);
    writeTables(buf, R, plan);
    // A(c, (m, t)) = w[m][c][taps − 1 − t]: a flip of every kernel axis reverses the flat tap index
    const A = new ctor(buf, a, g.groups * R.mp * 4 * K).fill(0);
    for (let grp = 0; grp < g.groups; grp++) {
        const base = grp * R.mp * 4 * K;
        for (let m = 0; m < Mg; m++) {
            for (let c = 0; c < Cg; c++) {
                const from = ((grp * Mg + m) * Cg + c) * taps + taps - 1;
                const to = base + (c >> 2) * 4 * K + (c & 3) + 4 * m * taps;
                for (let t = 0; t < taps; t++) A[to + 4 * t] = w[from - t]!;
            }
        }
    }
    const C = new ctor(buf, R.c, R.mp * 4 * R.ldcE);
    padInto(buf, ctor, yb, stage, dy, 0, N * g.outChannels, g.outSize, plan.padded, padBefore);
    for (let grp = 0; grp < g.groups; grp++) {
        convDesc(buf, R.desc, { ...R, np: plan.np, k: K, a: a + grp * aStride, ldc: R.ldcE * s, x: yb + grp * Mg * plan.plane * s, bias: 0 });
        parallel(name('conv', s), R.desc, R.units, 2 * Cg * K * plan.P);
        copyOut(C, R.ldcE, dx, N, g.inChannels, grp * Cg, Cg, P);
    }
    return true;
}

/** Other strides: col = Wᵀ·dy (a gather-and-multiply over dy's rows), then col2im into a padded dx. */
function backwardInputByScatter<F extends FloatData>(g: ConvGeometry, dy: F, w: F, dx: F, ctor: FloatCtor<F>): boolean {
    const s = ctor.BYTES_PER_ELEMENT;
    const Cg = g.inChannels / g.groups;
    const Mg = g.outChannels / g.groups;
    const fwd = planFor(convCorrelation(g), s);
    const { K, P } = fwd;
    const taps = K / Cg;
    const mat = matrixPlan(Mg, P, s);
    const L = new Arena();
    const R = gemmRegions(L, mat, K, s);
    const aStride = R.mp * 4 * Mg * s;
    const a = L.take(g.groups * aStride);
    const dys = L.take((g.outChannels * P + SLACK) * s);
    const sc = L.take(64);
    const rows = L.take(fwd.rows.length * 4);
    const cols = L.take(fwd.cols.length * 4);
    const xb = L.take(g.inChannels * fwd.plane * s);
    if (L.end > MAX_BYTES) return false;
    const buf = reserve(L.end);
    writeTables(buf, R, mat);
    writeTables(buf, { rows, cols }, fwd);
    // A(r, m) = w[m][r]: Wᵀ of each group, r = (c, tap)
    const A = new ctor(buf, a, g.groups * R.mp * 4 * Mg).fill(0);
    for (let grp = 0; grp < g.groups; grp++) {
        const base = grp * R.mp * 4 * Mg;
        for (let m = 0; m < Mg; m++) {
            const from = (grp * Mg + m) * K;
            for (let row = 0; row < K; row++) A[base + (row >> 2) * 4 * Mg + 4 * m + (row & 3)] = w[from + row]!;
        }
    }
    const DY = new ctor(buf, dys, g.outChannels * P);
    const X = new ctor(buf, xb, g.inChannels * fwd.plane);
    const Pin = g.inSize[0] * g.inSize[1] * g.inSize[2];
    const chunkC = Math.max(1, Math.ceil(Cg / (4 * threads())));
    for (let n = 0; n < g.batch; n++) {
        DY.set(dy.subarray(n * g.outChannels * P, (n + 1) * g.outChannels * P));
        X.fill(0);
        for (let grp = 0; grp < g.groups; grp++) {
            convDesc(buf, R.desc, { ...R, np: mat.np, k: Mg, a: a + grp * aStride, ldc: R.ldcE * s, x: dys + grp * Mg * P * s, bias: 0 });
            parallel(name('conv', s), R.desc, R.units, 2 * Mg * K * P);
            new Int32Array(buf, sc, 10).set([0, Cg, chunkC, taps, P, R.c, R.ldcE * s, xb + grp * Cg * fwd.plane * s, rows, cols]);
            parallel(name('scatter', s), sc, Math.ceil(Cg / chunkC), 8 * K * P);
        }
        cropFrom(X, dx, n * g.inChannels * Pin, g.inChannels, g.inSize, fwd.padded, g.padBefore);
    }
    return true;
}
