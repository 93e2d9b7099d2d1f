/**
 * Packed, cache-blocked, register-blocked matrix multiply in plain TypeScript, after Goto & van de
 * Geijn, "Anatomy of High-Performance Matrix Multiplication" (ACM TOMS 2008) and BLIS:
 *
 *   for jc in n step NC:            B block (KC×NC) packed into NR-wide column panels  (L3)
 *     for pc in k step KC:
 *       for ic in m step MC:        A block (MC×KC) packed into MR-high row panels      (L2)
 *         for jr, ir:               MR×NR micro-kernel over KC, accumulators in registers (L1)
 *
 * The micro-kernel is 4×8 (32 float64 accumulators); it reads only float64 packs and writes a
 * float64 tile, so it is monomorphic whatever the callers' array types. Only the packing and the
 * tile write-back read or write caller arrays (O(m·k + k·n + m·n·k/KC) element accesses against
 * the O(m·n·k) multiply-adds), and they come in one version per array type. JavaScript arithmetic
 * is float64, so float32 products accumulate in float64 and are rounded once when stored.
 *
 * The operands arrive through packers (functions filling the panel buffers), or B as panels
 * already packed over its whole depth (`PackedB`): the forward convolution writes its im2col
 * matrix straight in that layout and the blocked loop reads it in place.
 */
import type { TensorData } from '../../tensor/tensor.js';
import { scratch } from './scratch.js';
import type { GemmSpec } from './types.js';

export const MR = 4;
export const NR = 8;
const KC = 256;
const MC = 128;
const NC = 4096;
/** the micro-kernel's output for edge tiles and float32 C */
const tile = new Float64Array(MR * NR);

/**
 * Writes op(A)[i0 .. i0+mc, p0 .. p0+kc] into `ap` as MR-row panels: panel r holds, for each p,
 * MR consecutive values (rows past mc are 0).
 */
export type PackA = (ap: Float64Array, i0: number, mc: number, p0: number, kc: number) => void;
/**
 * Writes op(B)[p0 .. p0+kc, j0 .. j0+nc] into `bp` as NR-column panels: panel c holds, for each p,
 * NR consecutive values (columns past nc are 0).
 */
export type PackB = (bp: Float64Array, p0: number, kc: number, j0: number, nc: number) => void;

/**
 * B already in packed form over its whole depth k: panel c (columns c·NR .. c·NR+NR, zero past n)
 * at offset c·NR·k, element (p, j) at c·NR·k + p·NR + j mod NR. A KC-deep block of a panel is then
 * a contiguous slice, so the blocked loop reads it in place (no copy): what `im2colPacked64`
 * writes for the forward convolution.
 */
export interface PackedB {
    readonly panels: Float64Array;
}

/** C[m×n] (row-major, leading dimension ldc, from cOffset) += alpha · A·B over packers. */
export function gemmPacked(m: number, n: number, k: number, packA: PackA, b: PackB | PackedB, c: TensorData, cOffset: number, ldc: number, alpha: number): void {
    if (m <= 0 || n <= 0 || k <= 0) return;
    const kcMax = Math.min(KC, k);
    const ap = scratch('packA', Math.ceil(Math.min(MC, m) / MR) * MR * kcMax);
    const packB = typeof b === 'function' ? b : null;
    const bp = packB ? scratch('packB', Math.ceil(Math.min(NC, n) / NR) * NR * kcMax) : (b as PackedB).panels;
    const f64 = c instanceof Float64Array;
    for (let jc = 0; jc < n; jc += NC) {
        const nc = Math.min(NC, n - jc);
        for (let pc = 0; pc < k; pc += KC) {
            const kc = Math.min(KC, k - pc);
            if (packB) packB(bp, pc, kc, jc, nc);
            // where panel jr of this block starts: packed here (jr·kc) or in place ((jc+jr)·k + pc·NR)
            const bBase = packB ? 0 : jc * k + pc * NR;
            const bStep = packB ? kc : k;
            for (let ic = 0; ic < m; ic += MC) {
                const mc = Math.min(MC, m - ic);
                packA(ap, ic, mc, pc, kc);
                for (let jr = 0; jr < nc; jr += NR) {
                    const nr = Math.min(NR, nc - jr);
                    const bi = bBase + jr * bStep;
                    for (let ir = 0; ir < mc; ir += MR) {
                        const mr = Math.min(MR, mc - ir);
                        const co = cOffset + (ic + ir) * ldc + jc + jr;
                        if (f64) {
                            if (mr === MR && nr === NR) microAdd(kc, ap, ir * kc, bp, bi, c as Float64Array, co, ldc, alpha);
                            else {
                                micro(kc, ap, ir * kc, bp, bi, tile);
                                addTile64(tile, c as Float64Array, co, ldc, mr, nr, alpha);
                            }
                        } else {
                            micro(kc, ap, ir * kc, bp, bi, tile);
                            addTile32(tile, c as Float32Array, co, ldc, mr, nr, alpha);
                        }
                    }
                }
            }
        }
    }
}

/** The generic GEMM (see GemmSpec). */
export function gemm(spec: GemmSpec): void {
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
    scaleMatrix(c, cOffset, m, n, ldc, beta);
    if (alpha === 0) return;
    const packA: PackA = transA
        ? (ap, i0, mc, p0, kc) => packRowsT(a, aOffset, lda, i0, mc, p0, kc, ap, MR)
        : (ap, i0, mc, p0, kc) => packRowsN(a, aOffset, lda, i0, mc, p0, kc, ap, MR);
    // op(B) columns are op(Bᵀ) rows: the same packers with the roles of the indices swapped
    const packB: PackB = transB
        ? (bp, p0, kc, j0, nc) => packRowsN(b, bOffset, ldb, j0, nc, p0, kc, bp, NR)
        : (bp, p0, kc, j0, nc) => packRowsT(b, bOffset, ldb, j0, nc, p0, kc, bp, NR);
    gemmPacked(m, n, k, packA, packB, c, cOffset, ldc, alpha);
}

function checkMatrix(what: string, length: number, offset: number, rows: number, cols: number, ld: number): void {
    if (rows === 0 || cols === 0) return;
    if (ld < cols) throw new RangeError(`gemm: leading dimension of ${what} (${ld}) is below its row length ${cols}`);
    const end = offset + (rows - 1) * ld + cols;
    if (offset < 0 || end > length) throw new RangeError(`gemm: ${what} (${rows}×${cols}, ld ${ld}, offset ${offset}) overruns its array of ${length}`);
}

function scaleMatrix(c: TensorData, off: number, m: number, n: number, ldc: number, beta: number): void {
    if (beta === 1) return;
    for (let i = 0; i < m; i++) {
        const r = off + i * ldc;
        if (beta === 0) c.fill(0, r, r + n);
        else for (let j = 0; j < n; j++) c[r + j] = c[r + j]! * beta;
    }
}

/**
 * Packs rows [r0, r0+rc) × columns [p0, p0+kc) of a row-major matrix X (X[r][p] = x[off + r·ld + p])
 * into panels of `w` rows: dst[panel·w·kc + p·w + i] = X[r0 + panel·w + i][p0 + p].
 */
export function packRowsN(x: TensorData, off: number, ld: number, r0: number, rc: number, p0: number, kc: number, dst: Float64Array, w: number): void {
    if (x instanceof Float64Array) packRowsN64(x, off, ld, r0, rc, p0, kc, dst, w);
    else packRowsN32(x, off, ld, r0, rc, p0, kc, dst, w);
}

/** The same for rows of Xᵀ: dst[panel·w·kc + p·w + i] = X[p0 + p][r0 + panel·w + i]. */
export function packRowsT(x: TensorData, off: number, ld: number, r0: number, rc: number, p0: number, kc: number, dst: Float64Array, w: number): void {
    if (x instanceof Float64Array) packRowsT64(x, off, ld, r0, rc, p0, kc, dst, w);
    else packRowsT32(x, off, ld, r0, rc, p0, kc, dst, w);
}

function packRowsN64(x: Float64Array, off: number, ld: number, r0: number, rc: number, p0: number, kc: number, dst: Float64Array, w: number): void {
    for (let r = 0; r < rc; r += w) {
        const base = r * kc;
        const rows = Math.min(w, rc - r);
        for (let i = 0; i < rows; i++) {
            let s = off + (r0 + r + i) * ld + p0;
            let d = base + i;
            for (let p = 0; p < kc; p++, d += w) dst[d] = x[s++]!;
        }
        for (let i = rows; i < w; i++) for (let p = 0, d = base + i; p < kc; p++, d += w) dst[d] = 0;
    }
}

function packRowsN32(x: Float32Array, off: number, ld: number, r0: number, rc: number, p0: number, kc: number, dst: Float64Array, w: number): void {
    for (let r = 0; r < rc; r += w) {
        const base = r * kc;
        const rows = Math.min(w, rc - r);
        for (let i = 0; i < rows; i++) {
            let s = off + (r0 + r + i) * ld + p0;
            let d = base + i;
            for (let p = 0; p < kc; p++, d += w) dst[d] = x[s++]!;
        }
        for (let i = rows; i < w; i++) for (let p = 0, d = base + i; p < kc; p++, d += w) dst[d] = 0;
    }
}

function packRowsT64(x: Float64Array, off: number, ld: number, r0: number, rc: number, p0: number, kc: number, dst: Float64Array, w: number): void {
    for (let r = 0; r < rc; r += w) {
        let d = r * kc;
        const rows = Math.min(w, rc - r);
        if (rows === 8 && w === 8) {
            for (let p = 0, s = off + p0 * ld + r0 + r; p < kc; p++, s += ld, d += 8) {
                dst[d] = x[s]!; dst[d + 1] = x[s + 1]!; dst[d + 2] = x[s + 2]!; dst[d + 3] = x[s + 3]!;
                dst[d + 4] = x[s + 4]!; dst[d + 5] = x[s + 5]!; dst[d + 6] = x[s + 6]!; dst[d + 7] = x[s + 7]!;
            }
            continue;
        }
        for (let p = 0; p < kc; p++) {
            const s = off + (p0 + p) * ld + r0 + r;
            for (let i = 0; i < rows; i++) dst[d + i] = x[s + i]!;
            for (let i = rows; i < w; i++) dst[d + i] = 0;
            d += w;
        }
    }
}

function packRowsT32(x: Float32Array, off: number, ld: number, r0: number, rc: number, p0: number, kc: number, dst: Float64Array, w: number): void {
    for (let r = 0; r < rc; r += w) {
        let d = r * kc;
        const rows = Math.min(w, rc - r);
        if (rows === 8 && w === 8) {
            for (let p = 0, s = off + p0 * ld + r0 + r; p < kc; p++, s += ld, d += 8) {
                dst[d] = x[s]!; dst[d + 1] = x[s + 1]!; dst[d + 2] = x[s + 2]!; dst[d + 3] = x[s + 3]!;
                dst[d + 4] = x[s + 4]!; dst[d + 5] = x[s + 5]!; dst[d + 6] = x[s + 6]!; dst[d + 7] = x[s + 7]!;
            }
            continue;
        }
        for (let p = 0; p < kc; p++) {
            const s = off + (p0 + p) * ld + r0 + r;
            for (let i = 0; i < rows; i++) dst[d + i] = x[s + i]!;
            for (let i = rows; i < w; i++) dst[d + i] = 0;
            d += w;
        }
    }
}

function addTile64(t: Float64Array, c: Float64Array, co: number, ldc: number, mr: number, nr: number, alpha: number): void {
    for (let i = 0; i < mr; i++) {
        const r = co + i * ldc;
        for (let j = 0; j < nr; j++) c[r + j] = c[r + j]! + alpha * t[i * NR + j]!;
    }
}

function addTile32(t: Float64Array, c: Float32Array, co: number, ldc: number, mr: number, nr: number, alpha: number): void {
    for (let i = 0; i < mr; i++) {
        const r = co + i * ldc;
        for (let j = 0; j < nr; j++) c[r + j] = c[r + j]! + alpha * t[i * NR + j]!;
    }
}

/** The 4×8 micro-kernel: t[i·8 + j] = Σ_p ap[i + 4p] · bp[j + 8p]. */
function micro(kc: number, ap: Float64Array, ai: number, bp: Float64Array, bi: number, t: Float64Array): void {
    let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c04 = 0, c05 = 0, c06 = 0, c07 = 0;
    let c10 = 0, c11 = 0, c12 = 0, c13 = 0, c14 = 0, c15 = 0, c16 = 0, c17 = 0;
    let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c24 = 0, c25 = 0, c26 = 0, c27 = 0;
    let c30 = 0, c31 = 0, c32 = 0, c33 = 0, c34 = 0, c35 = 0, c36 = 0, c37 = 0;
    for (let p = 0; p < kc; p++) {
        const a0 = ap[ai + 0]!, a1 = ap[ai + 1]!, a2 = ap[ai + 2]!, a3 = ap[ai + 3]!;
        const b0 = bp[bi + 0]!;
        c00 += a0 * b0; c10 += a1 * b0; c20 += a2 * b0; c30 += a3 * b0;
        const b1 = bp[bi + 1]!;
        c01 += a0 * b1; c11 += a1 * b1; c21 += a2 * b1; c31 += a3 * b1;
        const b2 = bp[bi + 2]!;
        c02 += a0 * b2; c12 += a1 * b2; c22 += a2 * b2; c32 += a3 * b2;
        const b3 = bp[bi + 3]!;
        c03 += a0 * b3; c13 += a1 * b3; c23 += a2 * b3; c33 += a3 * b3;
        const b4 = bp[bi + 4]!;
        c04 += a0 * b4; c14 += a1 * b4; c24 += a2 * b4; c34 += a3 * b4;
        const b5 = bp[bi + 5]!;
        c05 += a0 * b5; c15 += a1 * b5; c25 += a2 * b5; c35 += a3 * b5;
        const b6 = bp[bi + 6]!;
        c06 += a0 * b6; c16 += a1 * b6; c26 += a2 * b6; c36 += a3 * b6;
        const b7 = bp[bi + 7]!;
        c07 += a0 * b7; c17 += a1 * b7; c27 += a2 * b7; c37 += a3 * b7;
        ai += 4;
        bi += 8;
    }
    t[0] = c00; t[1] = c01; t[2] = c02; t[3] = c03; t[4] = c04; t[5] = c05; t[6] = c06; t[7] = c07;
    t[8] = c10; t[9] = c11; t[10] = c12; t[11] = c13; t[12] = c14; t[13] = c15; t[14] = c16; t[15] = c17;
    t[16] = c20; t[17] = c21; t[18] = c22; t[19] = c23; t[20] = c24; t[21] = c25; t[22] = c26; t[23] = c27;
    t[24] = c30; t[25] = c31; t[26] = c32; t[27] = c33; t[28] = c34; t[29] = c35; t[30] = c36; t[31] = c37;

}

/** The same micro-kernel adding alpha·tile straight into a full 4×8 block of a float64 C. */
function microAdd(kc: number, ap: Float64Array, ai: number, bp: Float64Array, bi: number, c: Float64Array, co: number, ldc: number, alpha: number): void {
    let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c04 = 0, c05 = 0, c06 = 0, c07 = 0;
    let c10 = 0, c11 = 0, c12 = 0, c13 = 0, c14 = 0, c15 = 0, c16 = 0, c17 = 0;
    let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c24 = 0, c25 = 0, c26 = 0, c27 = 0;
    let c30 = 0, c31 = 0, c32 = 0, c33 = 0, c34 = 0, c35 = 0, c36 = 0, c37 = 0;
    for (let p = 0; p < kc; p++) {
        const a0 = ap[ai + 0]!, a1 = ap[ai + 1]!, a2 = ap[ai + 2]!, a3 = ap[ai + 3]!;
        const b0 = bp[bi + 0]!;
        c00 += a0 * b0; c10 += a1 * b0; c20 += a2 * b0; c30 += a3 * b0;
        const b1 = bp[bi + 1]!;
        c01 += a0 * b1; c11 += a1 * b1; c21 += a2 * b1; c31 += a3 * b1;
        const b2 = bp[bi + 2]!;
        c02 += a0 * b2; c12 += a1 * b2; c22 += a2 * b2; c32 += a3 * b2;
        const b3 = bp[bi + 3]!;
        c03 += a0 * b3; c13 += a1 * b3; c23 += a2 * b3; c33 += a3 * b3;
        const b4 = bp[bi + 4]!;
        c04 += a0 * b4; c14 += a1 * b4; c24 += a2 * b4; c34 += a3 * b4;
        const b5 = bp[bi + 5]!;
        c05 += a0 * b5; c15 += a1 * b5; c25 += a2 * b5; c35 += a3 * b5;
        const b6 = bp[bi + 6]!;
        c06 += a0 * b6; c16 += a1 * b6; c26 += a2 * b6; c36 += a3 * b6;
        const b7 = bp[bi + 7]!;
        c07 += a0 * b7; c17 += a1 * b7; c27 += a2 * b7; c37 += a3 * b7;
        ai += 4;
        bi += 8;
    }
    const r0 = co + 0 * ldc;
    c[r0 + 0] = c[r0 + 0]! + alpha * c00; c[r0 + 1] = c[r0 + 1]! + alpha * c01; c[r0 + 2] = c[r0 + 2]! + alpha * c02; c[r0 + 3] = c[r0 + 3]! + alpha * c03; c[r0 + 4] = c[r0 + 4]! + alpha * c04; c[r0 + 5] = c[r0 + 5]! + alpha * c05; c[r0 + 6] = c[r0 + 6]! + alpha * c06; c[r0 + 7] = c[r0 + 7]! + alpha * c07;
    const r1 = co + 1 * ldc;
    c[r1 + 0] = c[r1 + 0]! + alpha * c10; c[r1 + 1] = c[r1 + 1]! + alpha * c11; c[r1 + 2] = c[r1 + 2]! + alpha * c12; c[r1 + 3] = c[r1 + 3]! + alpha * c13; c[r1 + 4] = c[r1 + 4]! + alpha * c14; c[r1 + 5] = c[r1 + 5]! + alpha * c15; c[r1 + 6] = c[r1 + 6]! + alpha * c16; c[r1 + 7] = c[r1 + 7]! + alpha * c17;
    const r2 = co + 2 * ldc;
    c[r2 + 0] = c[r2 + 0]! + alpha * c20; c[r2 + 1] = c[r2 + 1]! + alpha * c21; c[r2 + 2] = c[r2 + 2]! + alpha * c22; c[r2 + 3] = c[r2 + 3]! + alpha * c23; c[r2 + 4] = c[r2 + 4]! + alpha * c24; c[r2 + 5] = c[r2 + 5]! + alpha * c25; c[r2 + 6] = c[r2 + 6]! + alpha * c26; c[r2 + 7] = c[r2 + 7]! + alpha * c27;
    const r3 = co + 3 * ldc;
    c[r3 + 0] = c[r3 + 0]! + alpha * c30; c[r3 + 1] = c[r3 + 1]! + alpha * c31; c[r3 + 2] = c[r3 + 2]! + alpha * c32; c[r3 + 3] = c[r3 + 3]! + alpha * c33; c[r3 + 4] = c[r3 + 4]! + alpha * c34; c[r3 + 5] = c[r3 + 5]! + alpha * c35; c[r3 + 6] = c[r3 + 6]! + alpha * c36; c[r3 + 7] = c[r3 + 7]! + alpha * c37;
}
