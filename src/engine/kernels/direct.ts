/**
 * Direct convolution loops for grouped convolutions with few output channels per group
 * (depthwise above all), where im2col + GEMM collapses: the column matrix would be as large as
 * the work, and a 1-row GEMM wastes the register block. For each (image, output channel, input
 * channel of its group, kernel tap), the tap's valid output rows are walked once with an AXPY
 * (forward, input gradient) or a dot product (weight gradient) along the last axis, so the
 * output plane stays in L1. Float64 buffers, geometry lifted to rank 3.
 */
import type { ConvGeometry } from './types.js';
import { rangeHi, rangeLo } from './window.js';

interface Tap {
    od0: number; od1: number; oh0: number; oh1: number; ow0: number; ow1: number;
    offD: number; offH: number; offW: number;
}

/** The valid output box of every kernel tap, in (kd, kh, kw) order; null when a tap never reads the input. */
function taps(g: ConvGeometry): Array<Tap | null> {
    const [D, H, W] = g.inSize;
    const [OD, OH, OW] = g.outSize;
    const out: Array<Tap | null> = [];
    for (let kd = 0; kd < g.kernel[0]; kd++) {
        for (let kh = 0; kh < g.kernel[1]; kh++) {
            for (let kw = 0; kw < g.kernel[2]; kw++) {
                const offD = kd * g.dilation[0] - g.padBefore[0];
                const offH = kh * g.dilation[1] - g.padBefore[1];
                const offW = kw * g.dilation[2] - g.padBefore[2];
                const t: Tap = {
                    od0: rangeLo(g.stride[0], offD), od1: rangeHi(OD, g.stride[0], offD, D),
                    oh0: rangeLo(g.stride[1], offH), oh1: rangeHi(OH, g.stride[1], offH, H),
                    ow0: rangeLo(g.stride[2], offW), ow1: rangeHi(OW, g.stride[2], offW, W),
                    offD, offH, offW,
                };
                out.push(t.od0 < t.od1 && t.oh0 < t.oh1 && t.ow0 < t.ow1 ? t : null);
            }
        }
    }
    return out;
}

function dims(g: ConvGeometry) {
    const [D, H, W] = g.inSize;
    const [OD, OH, OW] = g.outSize;
    const Cg = g.inChannels / g.groups;
    const Mg = g.outChannels / g.groups;
    return { D, H, W, OH, OW, Cg, Mg, P: OD * OH * OW, Pin: D * H * W, KV: g.kernel[0] * g.kernel[1] * g.kernel[2] };
}

/**
 * y += conv(x, w) (y already holds the bias or zeros). Row-wise: for each kernel row (kd, kh) and
 * each output row it reaches, all KW taps are applied in one pass over the output row, so y is
 * loaded and stored once per kernel row instead of once per tap. Output positions whose taps all
 * fall inside the input (the interior) run without bounds checks; 3-wide kernels get an
 * unrolled loop.
 */
export function directForward64(g: ConvGeometry, x: Float64Array, w: Float64Array, y: Float64Array): void {
    const { D, H, W, OH, OW, Cg, Mg, P, Pin, KV } = dims(g);
    const [OD] = g.outSize;
    const [KD, KH, KW] = g.kernel;
    const [sd, sh, sw] = g.stride;
    const [dd, dh, dw] = g.dilation;
    const [pd, ph, pw] = g.padBefore;
    // output columns whose every tap is a real input column
    const iLo = rangeLo(sw, -pw);
    const iHi = rangeHi(OW, sw, (KW - 1) * dw - pw, W);
    const interior = iLo < iHi;
    const lo = interior ? iLo : OW;
    const hi = interior ? iHi : OW;
    for (let n = 0; n < g.batch; n++) {
        for (let oc = 0; oc < g.outChannels; oc++) {
            const grp = Math.floor(oc / Mg);
            const yPlane = (n * g.outChannels + oc) * P;
            for (let icl = 0; icl < Cg; icl++) {
                const xPlane = (n * g.inChannels + grp * Cg + icl) * Pin;
                for (let kd = 0; kd < KD; kd++) {
                    const offD = kd * dd - pd;
                    const od1 = rangeHi(OD, sd, offD, D);
                    for (let kh = 0; kh < KH; kh++) {
                        const offH = kh * dh - ph;
                        const oh1 = rangeHi(OH, sh, offH, H);
                        const wr = ((oc * Cg + icl) * KD + kd) * KH * KW + kh * KW;
                        const w0 = w[wr]!;
                        const w1 = KW > 1 ? w[wr + 1]! : 0;
                        const w2 = KW > 2 ? w[wr + 2]! : 0;
                        for (let od = rangeLo(sd, offD); od < od1; od++) {
                            const xd = xPlane + (od * sd + offD) * H * W;
                            for (let oh = rangeLo(sh, offH); oh < oh1; oh++) {
                                const yo = yPlane + (od * OH + oh) * OW;
                                const xr = xd + (oh * sh + offH) * W; // the input row
                                // edges: check every tap
                                for (let ow = 0; ow < OW; ow++) {
                                    if (ow === lo) ow = hi;
                                    if (ow >= OW) break;
                                    let s = y[yo + ow]!;
                                    for (let kw = 0; kw < KW; kw++) {
                                        const iw = ow * sw + kw * dw - pw;
                                        if (iw >= 0 && iw < W) s += w[wr + kw]! * x[xr + iw]!;
                                    }
                                    y[yo + ow] = s;
                                }
                                if (!interior) continue;
                                const base = xr - pw;
                                if (KW === 3) {
                                    for (let ow = lo; ow < hi; ow++) {
                                        const i = base + ow * sw;
                                        y[yo + ow] = y[yo + ow]! + w0 * x[i]! + w1 * x[i + dw]! + w2 * x[i + 2 * dw]!;
                                    }
                                } else {
                                    for (let ow = lo; ow < hi; ow++) {
                                        const i = base + ow * sw;
                                        let s = y[yo + ow]!;
                                        for (let kw = 0; kw < KW; kw++) s += w[wr + kw]! * x[i + kw * dw]!;
                                        y[yo + ow] = s;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    void KV;
}

/** dx += convᵀ(dy, w) (dx zeroed by the caller). */
export function directBackwardInput64(g: ConvGeometry, dy: Float64Array, w: Float64Array, dx: Float64Array): void {
    const { H, W, OH, OW, Cg, Mg, P, Pin, KV } = dims(g);
    const [sd, sh, sw] = g.stride;
    const tapList = taps(g);
    for (let n = 0; n < g.batch; n++) {
        for (let oc = 0; oc < g.outChannels; oc++) {
            const grp = Math.floor(oc / Mg);
            const yPlane = (n * g.outChannels + oc) * P;
            for (let icl = 0; icl < Cg; icl++) {
                const xPlane = (n * g.inChannels + grp * Cg + icl) * Pin;
                const wb = (oc * Cg + icl) * KV;
                for (let t = 0; t < KV; t++) {
                    const tap = tapList[t];
                    if (!tap) continue;
                    const wv = w[wb + t]!;
                    const { ow0, ow1 } = tap;
                    for (let od = tap.od0; od < tap.od1; od++) {
                        const xd = xPlane + (od * sd + tap.offD) * H * W;
                        for (let oh = tap.oh0; oh < tap.oh1; oh++) {
                            const yo = yPlane + (od * OH + oh) * OW;
                            const xo = xd + (oh * sh + tap.offH) * W + tap.offW;
                            if (sw === 1) for (let ow = ow0; ow < ow1; ow++) dx[xo + ow] = dx[xo + ow]! + wv * dy[yo + ow]!;
                            else for (let ow = ow0; ow < ow1; ow++) dx[xo + ow * sw] = dx[xo + ow * sw]! + wv * dy[yo + ow]!;
                        }
                    }
                }
            }
        }
    }
}

/** dw += Σ_n dy ⋆ x (dw zeroed by the caller). */
export function directBackwardWeight64(g: ConvGeometry, x: Float64Array, dy: Float64Array, dw: Float64Array): void {
    const { H, W, OH, OW, Cg, Mg, P, Pin, KV } = dims(g);
    const [sd, sh, sw] = g.stride;
    const tapList = taps(g);
    for (let n = 0; n < g.batch; n++) {
        for (let oc = 0; oc < g.outChannels; oc++) {
            const grp = Math.floor(oc / Mg);
            const yPlane = (n * g.outChannels + oc) * P;
            for (let icl = 0; icl < Cg; icl++) {
                const xPlane = (n * g.inChannels + grp * Cg + icl) * Pin;
                const wb = (oc * Cg + icl) * KV;
                for (let t = 0; t < KV; t++) {
                    const tap = tapList[t];
                    if (!tap) continue;
                    const { ow0, ow1 } = tap;
                    let s = 0;
                    for (let od = tap.od0; od < tap.od1; od++) {
                        const xd = xPlane + (od * sd + tap.offD) * H * W;
                        for (let oh = tap.oh0; oh < tap.oh1; oh++) {
                            const yo = yPlane + (od * OH + oh) * OW;
                            const xo = xd + (oh * sh + tap.offH) * W + tap.offW;
                            if (sw === 1) for (let ow = ow0; ow < ow1; ow++) s += dy[yo + ow]! * x[xo + ow]!;
                            else for (let ow = ow0; ow < ow1; ow++) s += dy[yo + ow]! * x[xo + ow * sw]!;
                        }
                    }
                    dw[wb + t] = dw[wb + t]! + s;
                }
            }
        }
    }
}
