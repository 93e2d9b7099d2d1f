/**
 * im2col and its adjoint col2im for N-d windows (rank 1–3, lifted to 3 by size-1 axes), on
 * float64 buffers. For channels [c0, c0+C) of one image, the column matrix has one row per
 * (c, kd, kh, kw) — the order of a PyTorch weight's trailing axes, so `W[oc]` is a row of the
 * left operand — and one column per output position (od, oh, ow). A padding tap is 0 in the
 * forward direction and is dropped in the adjoint one.
 */
import type { ConvGeometry } from './types.js';
import { rangeHi, rangeLo } from './window.js';

/** x: the whole input (flat); xOff: offset of channel c0 of the image. */
export function im2col64(x: Float64Array, xOff: number, g: ConvGeometry, channels: number, col: Float64Array): void {
    const [D, H, W] = g.inSize;
    const [OD, OH, OW] = g.outSize;
    const [KD, KH, KW] = g.kernel;
    const [sd, sh, sw] = g.stride;
    const [dd, dh, dw] = g.dilation;
    const [pd, ph, pw] = g.padBefore;
    const P = OD * OH * OW;
    // padding taps stay 0 (a native fill is cheaper than skipping them one by one); real taps are copied
    col.fill(0, 0, channels * KD * KH * KW * P);
    let row = 0;
    for (let c = 0; c < channels; c++) {
        const xc = xOff + c * D * H * W;
        for (let kd = 0; kd < KD; kd++) {
            const offD = kd * dd - pd;
            const od0 = rangeLo(sd, offD);
            const od1 = rangeHi(OD, sd, offD, D);
            for (let kh = 0; kh < KH; kh++) {
                const offH = kh * dh - ph;
                const oh0 = rangeLo(sh, offH);
                const oh1 = rangeHi(OH, sh, offH, H);
                for (let kw = 0; kw < KW; kw++, row++) {
                    const offW = kw * dw - pw;
                    const ow0 = rangeLo(sw, offW);
                    const ow1 = rangeHi(OW, sw, offW, W);
                    for (let od = od0; od < od1; od++) {
                        const xd = xc + (od * sd + offD) * H * W;
                        for (let oh = oh0; oh < oh1; oh++) {
                            const dst = row * P + (od * OH + oh) * OW;
                            const src = xd + (oh * sh + offH) * W + offW;
                            if (sw === 1) for (let ow = ow0; ow < ow1; ow++) col[dst + ow] = x[src + ow]!;
                            else for (let ow = ow0; ow < ow1; ow++) col[dst + ow] = x[src + ow * sw]!;
                        }
                    }
                }
            }
        }
    }
}

/** dx (flat, whole input gradient) += col2im(col) for channels starting at offset dxOff. */
export function col2im64(col: Float64Array, g: ConvGeometry, channels: number, dx: Float64Array, dxOff: number): void {
    const [D, H, W] = g.inSize;
    const [OD, OH, OW] = g.outSize;
    const [KD, KH, KW] = g.kernel;
    const [sd, sh, sw] = g.stride;
    const [dd, dh, dw] = g.dilation;
    const [pd, ph, pw] = g.padBefore;
    const plane = OH * OW;
    let src = 0;
    for (let c = 0; c < channels; c++) {
        const xc = dxOff + c * D * H * W;
        for (let kd = 0; kd < KD; kd++) {
            const offD = kd * dd - pd;
            const od0 = rangeLo(sd, offD);
            const od1 = rangeHi(OD, sd, offD, D);
            for (let kh = 0; kh < KH; kh++) {
                const offH = kh * dh - ph;
                const oh0 = rangeLo(sh, offH);
                const oh1 = rangeHi(OH, sh, offH, H);
                for (let kw = 0; kw < KW; kw++) {
                    const offW = kw * dw - pw;
                    const ow0 = Math.min(rangeLo(sw, offW), OW);
                    const ow1 = Math.max(rangeHi(OW, sw, offW, W), ow0);
                    for (let od = 0; od < OD; od++) {
                        if (od < od0 || od >= od1) {
                            src += plane;
                            continue;
                        }
                        const xd = xc + (od * sd + offD) * H * W;
                        for (let oh = 0; oh < OH; oh++) {
                            if (oh >= oh0 && oh < oh1) {
                                const dst = xd + (oh * sh + offH) * W + offW;
                                if (sw === 1) for (let ow = ow0; ow < ow1; ow++) dx[dst + ow] = dx[dst + ow]! + col[src + ow]!;
                                else for (let ow = ow0; ow < ow1; ow++) dx[dst + ow * sw] = dx[dst + ow * sw]! + col[src + ow]!;
                            }
                            src += OW;
                        }
                    }
                }
            }
        }
    }
}

/**
 * im2col straight into the GEMM's packed-B layout (gemm.ts `PackedB`, NR = 8): column matrix
 * element (r, j) goes to panels[⌊j/8⌋·8·K + 8·r + j mod 8], columns past P are 0. The forward
 * convolution multiplies from it in place, saving the separate packing pass. `panels` must hold
 * ⌈P/8⌉·8·K values. A gather through `im2colPackedMap`.
 */
export function im2colPacked64(x: Float64Array, xOff: number, g: ConvGeometry, channels: number, panels: Float64Array): void {
    const map = im2colPackedMap(g, channels);
    for (let i = 0; i < map.length; i++) {
        const v = map[i]!;
        panels[i] = v >= 0 ? x[xOff + v]! : 0;
    }
}

/**
 * The gather map of im2col into the packed-B layout, for channels [0, channels) of an image: map[i] is the offset
 * (from channel c0's first element) of the input value at packed-panel position i, or -1 for a 0
 * (a padding tap or a column past P). ⌈P/8⌉·8·K entries. It depends on the geometry only, so it
 * is cached; `im2colPacked64` gathers through it.
 */
export function im2colPackedMap(g: ConvGeometry, channels: number): Int32Array {
    const key = `${channels}|${g.inSize}|${g.outSize}|${g.kernel}|${g.stride}|${g.dilation}|${g.padBefore}`;
    let map = maps.get(key);
    if (map) return map;
    const [D, H, W] = g.inSize;
    const [OD, OH, OW] = g.outSize;
    const [KD, KH, KW] = g.kernel;
    const [sd, sh, sw] = g.stride;
    const [dd, dh, dw] = g.dilation;
    const [pd, ph, pw] = g.padBefore;
    const K = channels * KD * KH * KW;
    const KN = K * 8;
    map = new Int32Array(Math.ceil((OD * OH * OW) / 8) * KN).fill(-1);
    let r = 0;
    for (let c = 0; c < channels; c++) {
        const xc = c * D * H * W;
        for (let kd = 0; kd < KD; kd++) {
            const offD = kd * dd - pd;
            const od0 = rangeLo(sd, offD);
            const od1 = rangeHi(OD, sd, offD, D);
            for (let kh = 0; kh < KH; kh++) {
                const offH = kh * dh - ph;
                const oh0 = rangeLo(sh, offH);
                const oh1 = rangeHi(OH, sh, offH, H);
                for (let kw = 0; kw < KW; kw++, r++) {
                    const offW = kw * dw - pw;
                    const ow0 = Math.min(rangeLo(sw, offW), OW);
                    const ow1 = Math.max(rangeHi(OW, sw, offW, W), ow0);
                    const rb = r * 8;
                    for (let od = od0; od < od1; od++) {
                        const xd = xc + (od * sd + offD) * H * W;
                        for (let oh = oh0; oh < oh1; oh++) {
                            const j0 = (od * OH + oh) * OW;
                            const src = xd + (oh * sh + offH) * W + offW;
                            for (let ow = ow0; ow < ow1; ow++) {
                                const j = j0 + ow;
                                map[(j >> 3) * KN + rb + (j & 7)] = src + ow * sw;
                            }
                        }
                    }
                }
            }
        }
    }
    if (map.length <= MAP_CACHE_ENTRIES) {
        if (cached + map.length > MAP_CACHE_ENTRIES) {
            maps.clear();
            cached = 0;
        }
        maps.set(key, map);
        cached += map.length;
    }
    return map;
}

/** Cached maps hold at most this many entries in all (64 MiB); a larger one is rebuilt per call. */
const MAP_CACHE_ENTRIES = 16 * 2 ** 20;
const maps = new Map<string, Int32Array>();
let cached = 0;
