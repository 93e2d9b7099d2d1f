/**
 * WebAssembly SIMD direct convolutions (src/engine/kernels/wasm/direct.wat) for the geometries
 * direct.ts serves — groups with fewer than 4 output channels (`sizes(g).direct`, depthwise above
 * all) — in float32 arithmetic for float32 (as PyTorch: float32 sums) and float64 for float64.
 * Geometry lifted to rank 3, so one path serves conv1d/2d/3d.
 *
 * The work is split into units (image n, group): a unit's input planes (Cg) and output planes (Mg)
 * are contiguous in x and y, so a chunk of consecutive units is copied into the module's own memory
 * with one native copy per tensor, sized (~64 KiB) to stay in cache while the chunk is worked on,
 * and the result is copied back the same way. Per unit:
 *
 * - Forward: the Cg input planes are zero-padded on every side, each padded row stored as its
 *   W-stride phases (so any stride reads unit-stride); every output plane is then a sum over one
 *   table of taps (input channel, kd, kh, kw → source offset, weight offset) of shifted padded rows
 *   times a weight, vectorised along the output rows, blocks of 7 vectors summing all taps in
 *   registers. Short rows run better as one long row at the padded row stride (the columns between
 *   rows computed and dropped), added onto the output afterwards; `rows` picks by a cost model.
 * - Input gradient: the same primitive as a correlation of the zero-extended dy planes with the
 *   kernel, once per stride phase (φd, φh, φw) of the input: the input positions of one phase are
 *   reached by a fixed subset of the taps, each at a fixed shift of dy. Rows of each phase are
 *   written in place; the W phases, for a W stride above 1, go to a scratch row and are
 *   interleaved back (added) afterwards.
 * - Weight gradient: the forward's padded input and tap table, one dot product of dy with the
 *   shifted input rows per tap (four taps per pass over dy), summed over the batch.
 *
 * The caller zero-fills (or bias-fills) the output: y, dx and dw are accumulated into (+=).
 * Padding is multiplied, not skipped (as by im2col + GEMM): an infinite weight, or an infinite dy
 * in the weight gradient, meeting a padding tap gives NaN where direct.ts skips the tap.
 * Working sets above 2 GiB of WASM memory throw an Error, for the caller to fall back on direct.ts;
 * the memory stays grown until `releaseDirectWasmMemory`.
 * The build (relaxed SIMD or not) is chosen as for the main kernels (wasm-runtime.ts `compileKernels`).
 */
import type { ConvGeometry } from './types.js';
import { directRelaxed, directSimd } from './wasm/generated/modules.js';
import { MAX_BYTES, type WasmMemory, compileKernels, instantiate } from './wasm-runtime.js';

type Fn = (...args: number[]) => void;

/** The exports of one element type. */
interface Kind {
    readonly es: 4 | 8;
    readonly fwd: Fn;
    readonly wgrad: Fn;
    readonly addrows: Fn;
    readonly ilv: Fn;
}

interface Runtime {
    readonly memory: WasmMemory;
    readonly pad: Fn;
    readonly zero: Fn;
    readonly f32: Kind;
    readonly f64: Kind;
}

let runtime: Runtime | null | undefined;

function load(): Runtime | null {
    if (runtime !== undefined) return runtime;
    runtime = null;
    try {
        const compiled = compileKernels(directSimd, directRelaxed);
        if (!compiled) return null;
        const e = instantiate(compiled.module, {});
        runtime = {
            memory: e.memory as WasmMemory,
            pad: e.pad as Fn,
            zero: e.zero as Fn,
            f32: { es: 4, fwd: e.fwd_f32 as Fn, wgrad: e.wgrad_f32 as Fn, addrows: e.addrows_f32 as Fn, ilv: e.ilv_f32 as Fn },
            f64: { es: 8, fwd: e.fwd_f64 as Fn, wgrad: e.wgrad_f64 as Fn, addrows: e.addrows_f64 as Fn, ilv: e.ilv_f64 as Fn },
        };
    } catch {
        runtime = null;
    }
    return runtime;
}

/** Gives the WASM memory back (a fresh instance, with one page, is made on next use). */
export function releaseDirectWasmMemory(): void {
    if (runtime) runtime = undefined;
}

/** Whether this JavaScript engine runs the WebAssembly SIMD direct convolutions. */
export function directWasmAvailable(): boolean {
    return load() !== null;
}

function rt(): Runtime {
    const r = load();
    if (!r) throw new Error('WebAssembly SIMD is not available');
    return r;
}

/** Bytes of input and output a chunk of units aims at (L2-resident while it is worked on). */
const CHUNK_BYTES = 1 << 16;

/** A working set the module's memory cannot hold: the caller falls back to direct.ts. */
export class DirectMemoryError extends Error {}

/** Makes the WASM memory at least `bytes` long; views taken before are invalid afterwards. */
function reserve(r: Runtime, bytes: number): ArrayBuffer {
    if (bytes > MAX_BYTES) {
        throw new DirectMemoryError(`direct convolution needs ${bytes} bytes of WebAssembly memory, above the 2 GiB limit`);
    }
    const have = r.memory.buffer.byteLength;
    if (bytes > have) {
        try {
            r.memory.grow(Math.ceil((bytes - have) / 65536));
        } catch {
            throw new DirectMemoryError(`direct convolution could not grow WebAssembly memory to ${bytes} bytes`);
        }
    }
    return r.memory.buffer;
}

/**
 * Byte ranges in WASM memory, 16-byte aligned, each followed by 16 bytes of slack (a row's last
 * vector may read or write, masked, up to 15 bytes past a buffer).
 */
class Arena {
    end = 0;
    take(bytes: number): number {
        const at = this.end;
        this.end = Math.ceil((at + bytes + 16) / 16) * 16;
        return at;
    }
}

type Floats = Float32Array | Float64Array;

function view(k: Kind, buf: ArrayBuffer, at: number, length: number): Floats {
    return k.es === 4 ? new Float32Array(buf, at, length) : new Float64Array(buf, at, length);
}

function dims(g: ConvGeometry) {
    const [D, H, W] = g.inSize;
    const [OD, OH, OW] = g.outSize;
    const [KD, KH, KW] = g.kernel;
    const Cg = g.inChannels / g.groups;
    const Mg = g.outChannels / g.groups;
    return { D, H, W, OD, OH, OW, KD, KH, KW, Cg, Mg, KK: KD * KH * KW, P: OD * OH * OW, Pin: D * H * W, units: g.batch * g.groups };
}

/** Units (image, group) per chunk: about CHUNK_BYTES of staged tensors, at least one. */
function chunkUnits(units: number, unitBytes: number): number {
    return Math.max(1, Math.min(units, Math.floor(CHUNK_BYTES / Math.max(1, unitBytes))));
}

/**
 * The forward's padded input planes: per axis exactly the extent the taps read,
 * (O − 1)·s + (K − 1)·d + 1 (the input is copied into it at the padding offset, cropped to it);
 * rows of sw·Wq elements, the W phases of length Wq side by side.
 */
function paddedInput(g: ConvGeometry) {
    const ext = (a: number) => (g.outSize[a]! - 1) * g.stride[a]! + (g.kernel[a]! - 1) * g.dilation[a]! + 1;
    const copy = (a: number) => Math.max(0, Math.min(g.inSize[a]!, ext(a) - g.padBefore[a]!));
    const [Dp, Hp, Wp] = [ext(0), ext(1), ext(2)];
    const sw = g.stride[2];
    const Wq = Math.ceil(Wp / sw);
    const RS = sw * Wq;
    return { Dp, Hp, Wq, RS, plane: Dp * Hp * RS, cD: copy(0), cH: copy(1), cW: copy(2) };
}

/**
 * The forward / weight-gradient tap table: (source byte offset in the padded planes, weight byte
 * offset) for every (input channel, kd, kh, kw).
 */
function inputTaps(g: ConvGeometry, pin: ReturnType<typeof paddedInput>, es: number): Int32Array {
    const { KD, KH, KW, Cg, KK } = dims(g);
    const [dd, dh, dw] = g.dilation;
    const sw = g.stride[2];
    const tab = new Int32Array(2 * Cg * KK);
    let i = 0;
    for (let c = 0; c < Cg; c++) {
        for (let kd = 0; kd < KD; kd++) {
            for (let kh = 0; kh < KH; kh++) {
                for (let kw = 0; kw < KW; kw++) {
                    const u = kw * dw;
                    tab[i++] = (c * pin.plane + (kd * dd * pin.Hp + kh * dh) * pin.RS + (u % sw) * pin.Wq + Math.floor(u / sw)) * es;
                    tab[i++] = (c * KK + (kd * KH + kh) * KW + kw) * es;
                }
            }
        }
    }
    return tab;
}

/** A fwd call's rows: for a < nA, b < nB, ncols outputs at a·dsA + b·dsB read from a·ssA + b·ssB (bytes). */
interface Rows {
    readonly dsA: number;
    readonly dsB: number;
    readonly nA: number;
    readonly nB: number;
    readonly ncols: number;
    readonly ssA: number;
    readonly ssB: number;
    /** computed as one row per a with the source's row stride, then added by addrows */
    readonly flat: boolean;
    /** bytes of the flat rows */
    readonly ext: number;
}

/** Relative cost of a row of n outputs per tap (see fwd_f32): vectors in blocks of 7 or 4 cost 1, the others 2. */
function rowCost(n: number, lanes: number): number {
    const v = Math.floor(n / lanes);
    return v + ((v % 7) % 4) + (n % lanes ? 2 : 0);
}

/**
 * Plans a fwd call. With a unit stride the source rows of one a follow each other at a stride
 * S = ssB / es only the kernel's reach longer than a row; those nB rows can run as one row of
 * (nB − 1)·S + ncols outputs (the S − ncols between rows are wasted) whose vectors nearly all fall
 * in full register blocks, added onto the destination afterwards. Chosen where cheaper by rowCost.
 */
function rows(k: Kind, dsA: number, dsB: number, nA: number, nB: number, ncols: number, ssA: number, ssB: number, taps: number): Rows {
    const S = ssB / k.es;
    const lanes = 16 / k.es;
    const flat = nB > 1 && S >= ncols
        && taps * rowCost((nB - 1) * S + ncols, lanes) + nB * Math.ceil(ncols / lanes) < taps * nB * rowCost(ncols, lanes);
    return { dsA, dsB, nA, nB, ncols, ssA, ssB, flat, ext: flat ? nA * nB * ssB : 0 };
}

/** Runs a planned fwd call (accumulating into dst); `ext` is scratch of at least q.ext bytes. */
function runRows(k: Kind, q: Rows, ext: number, dst: number, src: number, tab: number, taps: number, wb: number): void {
    if (!q.flat) return k.fwd(dst, q.dsA, q.dsB, q.nA, q.nB, q.ncols, src, q.ssA, q.ssB, tab, taps, wb, 1);
    const S = q.ssB / k.es;
    k.fwd(ext, q.nB * q.ssB, 0, q.nA, 1, (q.nB - 1) * S + q.ncols, src, q.ssA, 0, tab, taps, wb, 0);
    k.addrows(dst, q.dsA, q.dsB, q.nA, q.nB, q.ncols, ext, S);
}

/** y += conv(x, w). */
function forward(k: Kind, g: ConvGeometry, x: Floats, w: Floats, y: Floats): void {
    const { D, H, W, OD, OH, OW, Cg, Mg, KK, P, Pin, units } = dims(g);
    if (Pin === 0 || units === 0) return;
    const es = k.es;
    const pin = paddedInput(g);
    const taps = inputTaps(g, pin, es);
    const [sd, sh, sw] = g.stride;
    const [pd, ph, pw] = g.padBefore;
    const q = rows(k, OH * OW * es, OW * es, OD, OH, OW, sd * pin.Hp * pin.RS * es, sh * pin.RS * es, Cg * KK);
    const ux = Cg * Pin;
    const uy = Mg * P;
    const per = chunkUnits(units, (ux + uy) * es);
    const L = new Arena();
    const tab = L.take(taps.byteLength);
    const wAt = L.take(w.length * es);
    const xs = L.take(per * ux * es);
    const ys = L.take(per * uy * es);
    const xp = L.take(Cg * pin.plane * es);
    const ext = L.take(q.ext);
    const r = rt();
    const buf = reserve(r, L.end);
    new Int32Array(buf, tab, taps.length).set(taps);
    view(k, buf, wAt, w.length).set(w);
    const X = view(k, buf, xs, per * ux);
    const Y = view(k, buf, ys, per * uy);
    for (let u0 = 0; u0 < units; u0 += per) {
        const n = Math.min(per, units - u0);
        X.set(x.subarray(u0 * ux, (u0 + n) * ux));
        Y.set(y.subarray(u0 * uy, (u0 + n) * uy));
        for (let i = 0; i < n; i++) {
            r.pad(xs + i * ux * es, xp, Cg, es, D, H, W, pin.cD, pin.cH, pin.cW, pin.Dp, pin.Hp, pin.Wq, sw, pd, ph, pw);
            const grp = (u0 + i) % g.groups;
            for (let m = 0; m < Mg; m++) {
                runRows(k, q, ext, ys + (i * Mg + m) * P * es, xp, tab, Cg * KK, wAt + (grp * Mg + m) * Cg * KK * es);
            }
        }
        y.set(Y.subarray(0, n * uy), u0 * uy);
    }
}

/** dw += Σ_n dy ⋆ x. */
function backwardWeight(k: Kind, g: ConvGeometry, x: Floats, dy: Floats, dw: Floats): void {
    const { D, H, W, OD, OH, OW, Cg, Mg, KK, P, Pin, units } = dims(g);
    if (Pin === 0 || units === 0) return;
    const es = k.es;
    const pin = paddedInput(g);
    const taps = inputTaps(g, pin, es);
    const [sd, sh, sw] = g.stride;
    const [pd, ph, pw] = g.padBefore;
    const ux = Cg * Pin;
    const uy = Mg * P;
    const per = chunkUnits(units, (ux + uy) * es);
    const L = new Arena();
    const tab = L.take(taps.byteLength);
    const dwAt = L.take(dw.length * es);
    const xs = L.take(per * ux * es);
    const ys = L.take(per * uy * es);
    const xp = L.take(Cg * pin.plane * es);
    const r = rt();
    const buf = reserve(r, L.end);
    new Int32Array(buf, tab, taps.length).set(taps);
    const DW = view(k, buf, dwAt, dw.length);
    DW.set(dw);
    const X = view(k, buf, xs, per * ux);
    const Y = view(k, buf, ys, per * uy);
    for (let u0 = 0; u0 < units; u0 += per) {
        const n = Math.min(per, units - u0);
        X.set(x.subarray(u0 * ux, (u0 + n) * ux));
        Y.set(dy.subarray(u0 * uy, (u0 + n) * uy));
        for (let i = 0; i < n; i++) {
            r.pad(xs + i * ux * es, xp, Cg, es, D, H, W, pin.cD, pin.cH, pin.cW, pin.Dp, pin.Hp, pin.Wq, sw, pd, ph, pw);
            const grp = (u0 + i) % g.groups;
            for (let m = 0; m < Mg; m++) {
                k.wgrad(ys + (i * Mg + m) * P * es, OH * OW * es, OW * es, OD, OH, OW,
                    xp, sd * pin.Hp * pin.RS * es, sh * pin.RS * es, tab, Cg * KK, dwAt + (grp * Mg + m) * Cg * KK * es);
            }
        }
    }
    dw.set(DW);
}

interface AxisPhase {
    readonly phi: number;
    readonly j0: number;
    readonly j1: number;
    /** the kernel taps reaching this phase and the shift at which each reads the extended dy */
    readonly taps: ReadonlyArray<{ readonly k: number; readonly off: number }>;
}

/**
 * One axis of the input gradient. Input position i is padded position u = i + p = φ + s·j
 * (phase φ = u mod s); tap k reaches it iff k·d ≡ φ (mod s), from output j − floor(k·d/s). The
 * output gradient is zero-extended by Q = floor((K − 1)·d/s) in front (and cropped to the j that
 * occur), so tap k reads it at j + Q − floor(k·d/s). Phase φ covers j ∈ [j0, j1).
 */
function transposedAxis(L: number, O: number, K: number, s: number, d: number, p: number) {
    const Q = Math.floor(((K - 1) * d) / s);
    const jmax = Math.floor((p + L - 1) / s);
    const phases: AxisPhase[] = [];
    for (let phi = 0; phi < s; phi++) {
        const taps = [];
        for (let k = 0; k < K; k++) if ((k * d) % s === phi) taps.push({ k, off: Q - Math.floor((k * d) / s) });
        phases.push({ phi, j0: Math.ceil((p - phi) / s), j1: Math.ceil((p + L - phi) / s), taps });
    }
    return { Q, Lp: jmax + Q + 1, copy: Math.min(O, jmax + 1), phases };
}

/** dx += convᵀ(dy, w). */
function backwardInput(k: Kind, g: ConvGeometry, dy: Floats, w: Floats, dx: Floats): void {
    const { D, H, W, OD, OH, OW, KH, KW, Cg, Mg, KK, P, Pin, units } = dims(g);
    if (Pin === 0 || units === 0) return;
    const es = k.es;
    const [sd, sh, sw] = g.stride;
    const [pd, ph, pw] = g.padBefore;
    const [AD, AH, AW] = [0, 1, 2].map(a => transposedAxis(g.inSize[a]!, g.outSize[a]!, g.kernel[a]!, g.stride[a]!, g.dilation[a]!, g.padBefore[a]!)) as
        [ReturnType<typeof transposedAxis>, ReturnType<typeof transposedAxis>, ReturnType<typeof transposedAxis>];
    const dyPlane = AD.Lp * AH.Lp * AW.Lp;
    // W phases go to a scratch plane of rows sw·Jw (phase φ at φ·Jw) unless sw = 1
    const Jw = Math.max(...AW.phases.map(q => q.j1 - q.j0));
    const rowBytes = (sw === 1 ? W : sw * Jw) * es;
    // one fwd call per stride phase (φd, φh, φw) that has taps: its table, rows and byte offsets
    const calls: Array<{ at: number; count: number; rows: Rows; dst: number; src: number }> = [];
    const entries: number[] = [];
    for (const qd of AD.phases) {
        for (const qh of AH.phases) {
            for (const qw of AW.phases) {
                const nA = qd.j1 - qd.j0, nB = qh.j1 - qh.j0, ncols = qw.j1 - qw.j0;
                if (nA <= 0 || nB <= 0 || ncols <= 0 || !qd.taps.length || !qh.taps.length || !qw.taps.length) continue;
                const at = entries.length / 2;
                for (let m = 0; m < Mg; m++) {
                    for (const td of qd.taps) {
                        for (const th of qh.taps) {
                            for (const tw of qw.taps) {
                                entries.push((m * dyPlane + (td.off * AH.Lp + th.off) * AW.Lp + tw.off) * es);
                                entries.push((m * Cg * KK + (td.k * KH + th.k) * KW + tw.k) * es);
                            }
                        }
                    }
                }
                const count = entries.length / 2 - at;
                const row = (qd.phi + sd * qd.j0 - pd) * H + (qh.phi + sh * qh.j0 - ph);
                calls.push({
                    at, count,
                    rows: rows(k, sd * H * rowBytes, sh * rowBytes, nA, nB, ncols, AH.Lp * AW.Lp * es, AW.Lp * es, count),
                    dst: row * rowBytes + (sw === 1 ? (qw.j0 - pw) * es : qw.phi * Jw * es),
                    src: ((qd.j0 * AH.Lp + qh.j0) * AW.Lp + qw.j0) * es,
                });
            }
        }
    }
    const ux = Cg * Pin;
    const uy = Mg * P;
    const per = chunkUnits(units, (ux + uy) * es);
    const L = new Arena();
    const tab = L.take(entries.length * 4);
    const wAt = L.take(w.length * es);
    const ys = L.take(per * uy * es);
    const xs = L.take(per * ux * es);
    const yp = L.take(Mg * dyPlane * es);
    const scratch = sw === 1 ? 0 : L.take(D * H * rowBytes);
    const ext = L.take(Math.max(0, ...calls.map(c => c.rows.ext)));
    const r = rt();
    const buf = reserve(r, L.end);
    new Int32Array(buf, tab, entries.length).set(entries);
    view(k, buf, wAt, w.length).set(w);
    const Y = view(k, buf, ys, per * uy);
    const X = view(k, buf, xs, per * ux);
    for (let u0 = 0; u0 < units; u0 += per) {
        const n = Math.min(per, units - u0);
        Y.set(dy.subarray(u0 * uy, (u0 + n) * uy));
        X.set(dx.subarray(u0 * ux, (u0 + n) * ux));
        for (let i = 0; i < n; i++) {
            r.pad(ys + i * uy * es, yp, Mg, es, OD, OH, OW, AD.copy, AH.copy, AW.copy, AD.Lp, AH.Lp, AW.Lp, 1, AD.Q, AH.Q, AW.Q);
            const grp = (u0 + i) % g.groups;
            for (let c = 0; c < Cg; c++) {
                const plane = xs + (i * Cg + c) * Pin * es;
                const dst = sw === 1 ? plane : scratch;
                if (sw !== 1) r.zero(scratch, D * H * rowBytes);
                const wb = wAt + (grp * Mg * Cg + c) * KK * es;
                for (const q of calls) runRows(k, q.rows, ext, dst + q.dst, yp + q.src, tab + q.at * 8, q.count, wb);
                if (sw !== 1) k.ilv(plane, scratch, D * H, W, sw, Jw, pw);
            }
        }
        dx.set(X.subarray(0, n * ux), u0 * ux);
    }
}

/** y += conv(x, w) in float32 (y holds the bias or zeros); `sizes(g).direct` geometries. */
export function directForward32(g: ConvGeometry, x: Float32Array, w: Float32Array, y: Float32Array): void {
    forward(rt().f32, g, x, w, y);
}

/** y += conv(x, w) in float64. */
export function directForward64(g: ConvGeometry, x: Float64Array, w: Float64Array, y: Float64Array): void {
    forward(rt().f64, g, x, w, y);
}

/** dx += ∂L/∂x given dy = ∂L/∂y, in float32 (dx zero-filled by the caller). */
export function directBackwardInput32(g: ConvGeometry, dy: Float32Array, w: Float32Array, dx: Float32Array): void {
    backwardInput(rt().f32, g, dy, w, dx);
}

/** dx += ∂L/∂x in float64. */
export function directBackwardInput64(g: ConvGeometry, dy: Float64Array, w: Float64Array, dx: Float64Array): void {
    backwardInput(rt().f64, g, dy, w, dx);
}

/** dw += ∂L/∂w given x and dy, in float32 (dw zero-filled by the caller; float32 sums). */
export function directBackwardWeight32(g: ConvGeometry, x: Float32Array, dy: Float32Array, dw: Float32Array): void {
    backwardWeight(rt().f32, g, x, dy, dw);
}

/** dw += ∂L/∂w in float64. */
export function directBackwardWeight64(g: ConvGeometry, x: Float64Array, dy: Float64Array, dw: Float64Array): void {
    backwardWeight(rt().f64, g, x, dy, dw);
}
