/**
 * Max / min / average pooling over precomputed per-axis windows (window.ts), for any spatial rank
 * (lifted to 3). Semantics follow aten's CPU kernels: a max window starts from −∞ with the index
 * of its first real tap and moves on `v > best || isnan(v)`, so ties keep the FIRST index in
 * row-major window order and NaN propagates; an average divides by `divisor_override`, else by
 * the product over axes of the padded window size (count_include_pad) or of the real tap count.
 * Adaptive pooling is the same loop over adaptive windows. Float64 buffers.
 */
import type { PoolSpec } from './types.js';
import { type AxisWindows, unitWindows } from './window.js';

/** The spec's windows lifted to exactly three axes. */
export function liftWindows(spec: PoolSpec): [AxisWindows, AxisWindows, AxisWindows] {
    const w = spec.windows;
    if (w.length < 1 || w.length > 3) throw new RangeError(`pooling needs 1 to 3 spatial axes of windows, got ${w.length}`);
    const lifted = [...new Array<AxisWindows>(3 - w.length).fill(unitWindows()), ...w];
    return lifted as [AxisWindows, AxisWindows, AxisWindows];
}

/** y (planes × ∏out) from x (planes × ∏in); indices filled for max/min. */
export function poolForward64(spec: PoolSpec, planes: number, x: Float64Array, y: Float64Array, indices: Int32Array | null): void {
    const [wd, wh, ww] = liftWindows(spec);
    const H = wh.inSize;
    const W = ww.inSize;
    const Pin = wd.inSize * H * W;
    const OD = wd.outSize;
    const OH = wh.outSize;
    const OW = ww.outSize;
    const P = OD * OH * OW;
    const sd = wd.step;
    const sh = wh.step;
    const sw = ww.step;
    const mode = spec.mode;
    const override = spec.divisorOverride ?? 0;
    const includePad = spec.countIncludePad ?? true;
    if (mode === 'avg') return avgForward64(wd, wh, ww, planes, x, y, override, includePad);
    for (let plane = 0; plane < planes; plane++) {
        const xb = plane * Pin;
        let yo = plane * P;
        for (let od = 0; od < OD; od++) {
            const fd = wd.first[od]!;
            const cd = wd.count[od]!;
            for (let oh = 0; oh < OH; oh++) {
                const fh = wh.first[oh]!;
                const ch = wh.count[oh]!;
                for (let ow = 0; ow < OW; ow++, yo++) {
                    const fw = ww.first[ow]!;
                    const cw = ww.count[ow]!;
                    const isMax = mode === 'max';
                    let best = isMax ? -Infinity : Infinity;
                    let at = cd > 0 && ch > 0 && cw > 0 ? (fd * H + fh) * W + fw : -1;
                    for (let a = 0; a < cd; a++) {
                        const id = fd + a * sd;
                        for (let b = 0; b < ch; b++) {
                            const r = (id * H + fh + b * sh) * W + fw;
                            for (let c = 0; c < cw; c++) {
                                const i = r + c * sw;
                                const v = x[xb + i]!;
                                if ((isMax ? v > best : v < best) || v !== v) {
                                    best = v;
                                    at = i;
                                }
                            }
                        }
                    }
                    y[yo] = best;
                    indices![yo] = at;
                }
            }
        }
    }
}

/** poolForward64's average: Σ window taps (in row-major window order) / divisor. */
function avgForward64(wd: AxisWindows, wh: AxisWindows, ww: AxisWindows, planes: number, x: Float64Array, y: Float64Array, override: number, includePad: boolean): void {
    const H = wh.inSize;
    const W = ww.inSize;
    const HW = H * W;
    const Pin = wd.inSize * HW;
    const OD = wd.outSize;
    const OH = wh.outSize;
    const OW = ww.outSize;
    const sd = wd.step;
    const sh = wh.step;
    const sw = ww.step;
    const dFirst = wd.first, dCount = wd.count, dPad = wd.padded;
    const hFirst = wh.first, hCount = wh.count, hPad = wh.padded;
    const wFirst = ww.first, wCount = ww.count, wPad = ww.padded;
    let yo = 0;
    for (let plane = 0; plane < planes; plane++) {
        const xb = plane * Pin;
        for (let od = 0; od < OD; od++) {
            const fd = dFirst[od]!;
            const cd = dCount[od]!;
            for (let oh = 0; oh < OH; oh++) {
                const fh = hFirst[oh]!;
                const ch = hCount[oh]!;
                const row = xb + fd * HW + fh * W;
                const padDH = dPad[od]! * hPad[oh]!;
                for (let ow = 0; ow < OW; ow++, yo++) {
                    const fw = wFirst[ow]!;
                    const cw = wCount[ow]!;
                    let s = 0;
                    if (cd === 1 && ch === 2 && cw === 2) {
                        // the common 2×2 window, unrolled (the same additions in the same order)
                        const r0 = row + fw;
                        const r1 = r0 + sh * W;
                        s = 0 + x[r0]! + x[r0 + sw]! + x[r1]! + x[r1 + sw]!;
                    } else {
                        for (let a = 0; a < cd; a++) {
                            const rd = xb + (fd + a * sd) * HW;
                            for (let b = 0; b < ch; b++) {
                                const r = rd + (fh + b * sh) * W + fw;
                                for (let c = 0; c < cw; c++) s += x[r + c * sw]!;
                            }
                        }
                    }
                    y[yo] = s / (override !== 0 ? override : includePad ? padDH * wPad[ow]! : cd * ch * cw);
                }
            }
        }
    }
}

/** dx (zeroed by the caller) += the adjoint of poolForward64 applied to dy. */
export function poolBackward64(spec: PoolSpec, planes: number, dy: Float64Array, dx: Float64Array, indices: Int32Array | null): void {
    const [wd, wh, ww] = liftWindows(spec);
    const H = wh.inSize;
    const W = ww.inSize;
    const Pin = wd.inSize * H * W;
    const OD = wd.outSize;
    const OH = wh.outSize;
    const OW = ww.outSize;
    const P = OD * OH * OW;
    if (spec.mode !== 'avg') {
        if (!indices || indices.length !== planes * P) throw new RangeError(`${spec.mode} pooling backward needs the ${planes * P} indices from the forward pass`);
        for (let plane = 0; plane < planes; plane++) {
            const xb = plane * Pin;
            for (let o = plane * P, end = o + P; o < end; o++) {
                const i = indices[o]!;
                if (i >= 0) dx[xb + i] = dx[xb + i]! + dy[o]!;
            }
        }
        return;
    }
    const sd = wd.step;
    const sh = wh.step;
    const sw = ww.step;
    const override = spec.divisorOverride ?? 0;
    const includePad = spec.countIncludePad ?? true;
    for (let plane = 0; plane < planes; plane++) {
        const xb = plane * Pin;
        let yo = plane * P;
        for (let od = 0; od < OD; od++) {
            const fd = wd.first[od]!;
            const cd = wd.count[od]!;
            for (let oh = 0; oh < OH; oh++) {
                const fh = wh.first[oh]!;
                const ch = wh.count[oh]!;
                for (let ow = 0; ow < OW; ow++, yo++) {
                    const fw = ww.first[ow]!;
                    const cw = ww.count[ow]!;
                    const divisor = override !== 0 ? override
                        : includePad ? wd.padded[od]! * wh.padded[oh]! * ww.padded[ow]!
                        : cd * ch * cw;
                    const g = dy[yo]! / divisor;
                    for (let a = 0; a < cd; a++) {
                        const rd = xb + (fd + a * sd) * H * W;
                        for (let b = 0; b < ch; b++) {
                            const r = rd + (fh + b * sh) * W + fw;
                            for (let c = 0; c < cw; c++) dx[r + c * sw] = dx[r + c * sw]! + g;
                        }
                    }
                }
            }
        }
    }
}
