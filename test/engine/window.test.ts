/**
 * Window iteration: the valid-output ranges of a kernel tap, and pooling windows (padding,
 * dilation, ceil_mode, adaptive), checked against brute force and PyTorch's formulas.
 */
import { describe, expect, it } from 'vitest';
import { adaptiveWindows, rangeHi, rangeLo, slidingWindows } from '../../src/engine/kernels/index.js';
import { poolOutputSize } from '../../src/shape/window.js';

describe('rangeLo / rangeHi', () => {
    it('give exactly the outputs o with 0 ≤ o·stride + offset < inLen (brute force)', () => {
        for (let outLen = 1; outLen <= 7; outLen++) {
            for (let stride = 1; stride <= 4; stride++) {
                for (let offset = -9; offset <= 9; offset++) {
                    for (let inLen = 1; inLen <= 8; inLen++) {
                        const valid = Array.from({ length: outLen }, (_, o) => o).filter(o => o * stride + offset >= 0 && o * stride + offset < inLen);
                        const lo = rangeLo(stride, offset);
                        const hi = rangeHi(outLen, stride, offset, inLen);
                        const got = Array.from({ length: Math.max(0, hi - lo) }, (_, i) => lo + i);
                        expect(got, `outLen ${outLen} stride ${stride} offset ${offset} inLen ${inLen}`).toEqual(valid);
                    }
                }
            }
        }
    });
});

describe('slidingWindows', () => {
    it("agree with PyTorch's pooling output size, ceil_mode included", () => {
        for (let n = 1; n <= 12; n++) {
            for (let k = 1; k <= 4; k++) {
                for (let s = 1; s <= 3; s++) {
                    for (let p = 0; p <= Math.floor(k / 2); p++) {
                        for (const d of [1, 2]) {
                            for (const ceilMode of [false, true]) {
                                if (n + 2 * p < d * (k - 1) + 1) continue;
                                const w = slidingWindows(n, { kernel: k, stride: s, padding: p, dilation: d, ceilMode });
                                expect(w.outSize).toBe(poolOutputSize(n, k, s, p, d, ceilMode));
                            }
                        }
                    }
                }
            }
        }
    });

    it('list each window’s real taps and its padded size (aten’s avg_pool clipping)', () => {
        // n = 5, kernel 3, stride 2, padding 1, ceil_mode: windows start at -1, 1, 3 (and 5 is dropped:
        // it would start in the right padding)
        const w = slidingWindows(5, { kernel: 3, stride: 2, padding: 1, ceilMode: true });
        expect(w.outSize).toBe(3);
        expect(Array.from(w.first)).toEqual([0, 1, 3]);
        expect(Array.from(w.count)).toEqual([2, 3, 2]);
        // padded: min(start + k, n + p) − start → 3, 3, min(6, 6) − 3 = 3
        expect(Array.from(w.padded)).toEqual([3, 3, 3]);
        const v = slidingWindows(6, { kernel: 3, stride: 2, padding: 1, ceilMode: true });
        // starts -1, 1, 3, 5: the last window covers 5..7, clipped to n + p = 7 → padded 2, real 1
        expect(Array.from(v.first)).toEqual([0, 1, 3, 5]);
        expect(Array.from(v.count)).toEqual([2, 3, 3, 1]);
        expect(Array.from(v.padded)).toEqual([3, 3, 3, 2]);
    });

    it('step over dilated taps, skipping those in the padding', () => {
        const w = slidingWindows(7, { kernel: 3, stride: 1, padding: 2, dilation: 2 });
        // window o starts at o − 2 and reads o − 2, o, o + 2
        expect(w.outSize).toBe(7);
        expect(w.step).toBe(2);
        expect(Array.from(w.first)).toEqual([0, 1, 0, 1, 2, 3, 4]);
        expect(Array.from(w.count)).toEqual([2, 2, 3, 3, 3, 2, 2]);
    });

    it('default the stride to the kernel size', () => {
        expect(slidingWindows(9, { kernel: 3 }).outSize).toBe(3);
    });
});

describe('adaptiveWindows', () => {
    it('split n into out windows [⌊o·n/out⌋, ⌈(o+1)·n/out⌉)', () => {
        const w = adaptiveWindows(10, 4);
        expect(Array.from(w.first)).toEqual([0, 2, 5, 7]);
        expect(Array.from(w.count)).toEqual([3, 3, 3, 3]);
        const up = adaptiveWindows(3, 5); // more outputs than inputs: windows overlap
        expect(Array.from(up.first)).toEqual([0, 0, 1, 1, 2]);
        expect(Array.from(up.count)).toEqual([1, 2, 1, 2, 1]);
    });
});
