/**
 * Direct convolution loops for grouped convolutions with few output channels per group
 * (depthwise above all), where im2col + GEMM collapses: the column matrix would be as large as
 * the work, and a 1-row GEMM wastes the register block. For each (image, output channel, input
 * channel of its group, kernel row (kd, kh)), the output rows that kernel row reaches are walked
 * once along the last axis applying all KW taps together — gathering (forward), scattering
 * (input gradient) or accumulating KW dot products (weight gradient) — so each output row is
 * loaded and stored once per kernel row and the plane stays in L1. Float64 buffers, geometry
 * lifted to rank 3.
 */
import type { ConvGeometry } from './types.js';
import { rangeHi, rangeLo } from './window.js';

/**
 * The output columns [lo, hi) whose every kernel tap reads a real input column (no bounds checks
 * needed there); lo = hi = OW when there are none. The rest, the edges, check each tap.
 */
function interiorColumns(g: ConvGeometry): { lo: number; hi: number } {
    const OW = g.outSize[2];
    const lo = rangeLo(g.stride[2], -g.padBefore[2]);
    const hi = rangeHi(OW, g.stride[2], (g.kernel[2] - 1) * g.dilation[2] - g.padBefore[2], g.inSize[2]);
    return lo < hi ? { lo, hi } : { lo: OW, hi: OW };
}

function dims(g: ConvGeometry) {
    const [D, H, W] = g.inSize;
    const [OD, OH, OW] = g.outSize;
    const Cg = g.inChannels / g.groups;
    const Mg = g.outChannels / g.groups;
    return { D, H, W, OH, OW, Cg, Mg, P: OD * OH * OW, Pin: D * H * W };
}

/**
 * y += conv(x, w) (y already holds the bias or zeros). Row-wise: for each kernel row (kd, kh) and
 * each output row it reaches, all KW taps are applied in one pass over the output row, so y is
 * loaded and stored once per kernel row instead of once per tap. Output positions whose taps all
 * fall inside the input (the interior) run without bounds checks; 3-wide kernels get an
 * unrolled loop.
 */
export function directForward64(g: ConvGeometry, x: Float64Array, w: Float64Array, y: Float64Array): void {
    const { D, H, W, OH, OW, Cg, Mg, P, Pin } = dims(g);
    const [OD] = g.outSize;
    const [KD, KH, KW] = g.kernel;
    const [sd, sh, sw] = g.stride;
    const [dd, dh, dw] = g.dilation;
    const [pd, ph, pw] = g.padBefore;
    const { lo, hi } = interiorColumns(g);
    const interior = lo < OW;
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
}

/** dx += convᵀ(dy, w) (dx zeroed by the caller): the forward's row walk, scattering instead of gathering. */
export function directBackwardInput64(g: ConvGeometry, dy: Float64Array, w: Float64Array, dx: Float64Array): void {
    const { D, H, W, OH, OW, Cg, Mg, P, Pin } = dims(g);
    const [OD] = g.outSize;
    const [KD, KH, KW] = g.kernel;
    const [sd, sh, sw] = g.stride;
    const [dd, dh, dw] = g.dilation;
    const [pd, ph, pw] = g.padBefore;
    const { lo, hi } = interiorColumns(g);
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
                                const xr = xd + (oh * sh + offH) * W;
                                for (let ow = 0; ow < OW; ow++) {
                                    if (ow === lo) ow = hi;
                                    if (ow >= OW) break;
                                    const gv = dy[yo + ow]!;
                                    for (let kw = 0; kw < KW; kw++) {
                                        const iw = ow * sw + kw * dw - pw;
                                        if (iw >= 0 && iw < W) dx[xr + iw] = dx[xr + iw]! + w[wr + kw]! * gv;
                                    }
                                }
                                const base = xr - pw;
                                if (KW === 3) {
                                    for (let ow = lo; ow < hi; ow++) {
                                        const i = base + ow * sw;
                                        const gv = dy[yo + ow]!;
                                        dx[i] = dx[i]! + w0 * gv;
                                        dx[i + dw] = dx[i + dw]! + w1 * gv;
                                        dx[i + 2 * dw] = dx[i + 2 * dw]! + w2 * gv;
                                    }
                                } else {
                                    for (let ow = lo; ow < hi; ow++) {
                                        const i = base + ow * sw;
                                        const gv = dy[yo + ow]!;
                                        for (let kw = 0; kw < KW; kw++) dx[i + kw * dw] = dx[i + kw * dw]! + w[wr + kw]! * gv;
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/** dw += Σ_n dy ⋆ x (dw zeroed by the caller): the same row walk, KW dot products at once. */
export function directBackwardWeight64(g: ConvGeometry, x: Float64Array, dy: Float64Array, dw_: Float64Array): void {
    const { D, H, W, OH, OW, Cg, Mg, P, Pin } = dims(g);
    const [OD] = g.outSize;
    const [KD, KH, KW] = g.kernel;
    const [sd, sh, sw] = g.stride;
    const [dd, dh, dw] = g.dilation;
    const [pd, ph, pw] = g.padBefore;
    const { lo, hi } = interiorColumns(g);
    const acc = new Float64Array(KW);
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
                        acc.fill(0);
                        let s0 = 0;
                        let s1 = 0;
                        let s2 = 0;
                        for (let od = rangeLo(sd, offD); od < od1; od++) {
                            const xd = xPlane + (od * sd + offD) * H * W;
                            for (let oh = rangeLo(sh, offH); oh < oh1; oh++) {
                                const yo = yPlane + (od * OH + oh) * OW;
                                const xr = xd + (oh * sh + offH) * W;
                                for (let ow = 0; ow < OW; ow++) {
                                    if (ow === lo) ow = hi;
                                    if (ow >= OW) break;
                                    const gv = dy[yo + ow]!;
                                    for (let kw = 0; kw < KW; kw++) {
                                        const iw = ow * sw + kw * dw - pw;
                                        if (iw >= 0 && iw < W) acc[kw] = acc[kw]! + gv * x[xr + iw]!;
                                    }
                                }
                                const base = xr - pw;
                                if (KW === 3) {
                                    for (let ow = lo; ow < hi; ow++) {
                                        const i = base + ow * sw;
                                        const gv = dy[yo + ow]!;
                                        s0 += gv * x[i]!;
                                        s1 += gv * x[i + dw]!;
                                        s2 += gv * x[i + 2 * dw]!;
                                    }
                                } else {
                                    for (let ow = lo; ow < hi; ow++) {
                                        const i = base + ow * sw;
                                        const gv = dy[yo + ow]!;
                                        for (let kw = 0; kw < KW; kw++) acc[kw] = acc[kw]! + gv * x[i + kw * dw]!;
                                    }
                                }
                            }
                        }
                        if (KW === 3) {
                            acc[0] = acc[0]! + s0;
                            acc[1] = acc[1]! + s1;
                            acc[2] = acc[2]! + s2;
                        }
                        for (let kw = 0; kw < KW; kw++) dw_[wr + kw] = dw_[wr + kw]! + acc[kw]!;
                    }
                }
            }
        }
    }
}
