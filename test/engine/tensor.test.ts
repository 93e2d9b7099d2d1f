/** Tensor helpers: construction, views, index arithmetic, comparison and statistics. */
import { describe, expect, it } from 'vitest';
import {
    allclose, astype, compare, dot, fromArray, fromNested, full, get, indexOf, maxAbsDiff, numel, offsetOf, reshape, stats, strides, tensor, zeros,
} from '../../src/tensor/tensor.js';

describe('tensor construction', () => {
    it('allocates zeros and fills constants in the requested dtype', () => {
        const z = zeros([2, 3]);
        expect(z.dtype).toBe('float32');
        expect(z.data).toBeInstanceOf(Float32Array);
        expect(Array.from(full([2], 1.5, 'float64').data)).toEqual([1.5, 1.5]);
        expect(full([2], 1.5, 'float64').data).toBeInstanceOf(Float64Array);
    });

    it('treats [] as a scalar with one element', () => {
        expect(numel([])).toBe(1);
        expect(zeros([]).data.length).toBe(1);
        expect(numel([3, 0, 2])).toBe(0);
    });

    it('reads nested arrays as NumPy prints them', () => {
        const t = fromNested([[1, 2, 3], [4, 5, 6]], 'float64');
        expect(t.shape).toEqual([2, 3]);
        expect(get(t, 1, 0)).toBe(4);
        expect(() => fromNested([[1, 2], [3]])).toThrow(/ragged/);
    });

    it('rejects data that does not fit the shape', () => {
        expect(() => fromArray([1, 2, 3], [2, 2])).toThrow('3 values do not fit shape [2, 2] (4 elements)');
        expect(() => tensor(new Float64Array(5), [2, 2])).toThrow('data of length 5 does not fit shape [2, 2] (4 elements)');
        expect(() => zeros([2, -1])).toThrow(/non-negative integers/);
    });

    it('converts between dtypes by rounding', () => {
        const t = fromArray([0.1, 1 / 3], [2], 'float64');
        const f = astype(t, 'float32');
        expect(f.data[0]).toBe(Math.fround(0.1));
        expect(astype(f, 'float64').data[1]).toBe(Math.fround(1 / 3));
    });
});

describe('views and indices', () => {
    it('computes C-order strides', () => {
        expect(strides([2, 3, 4])).toEqual([12, 4, 1]);
        expect(strides([])).toEqual([]);
    });

    it('reshapes as a view sharing data, inferring one -1', () => {
        const t = fromArray([0, 1, 2, 3, 4, 5], [2, 3]);
        const v = reshape(t, [3, -1]);
        expect(v.shape).toEqual([3, 2]);
        expect(v.data).toBe(t.data);
        expect(() => reshape(t, [4, -1])).toThrow('cannot reshape [2, 3] (6 elements) to [4, -1]');
        expect(() => reshape(t, [-1, -1])).toThrow(/only one dimension may be -1/);
        expect(() => reshape(t, [7])).toThrow('cannot reshape [2, 3] (6 elements) to [7] (7 elements)');
    });

    it('maps multi-indices to offsets and back', () => {
        const shape = [2, 3, 4];
        for (let off = 0; off < 24; off++) expect(offsetOf(shape, indexOf(shape, off))).toBe(off);
        expect(offsetOf(shape, [1, 2, 3])).toBe(23);
        expect(() => offsetOf(shape, [0, 3, 0])).toThrow('index 3 out of range for axis 1 of size 3');
        expect(() => indexOf(shape, 24)).toThrow(/out of range/);
    });
});

describe('comparison', () => {
    it('follows allclose: |a − b| ≤ atol + rtol·|b|, and names the worst offset', () => {
        const a = fromArray([1, 2, 3.1, NaN], [4], 'float64');
        const b = fromArray([1, 2.0000001, 3, NaN], [4], 'float64');
        const d = compare(a, b, 1e-6, 0);
        expect(d.worst).toBe(2);
        expect(d.maxAbs).toBeCloseTo(0.1, 12);
        expect(allclose(a, b, 0.2, 0)).toBe(true);
        expect(maxAbsDiff(a, b)).toBeCloseTo(0.1, 12);
        expect(compare(fromArray([Infinity]), fromArray([1])).maxAbs).toBe(Infinity);
        expect(() => compare(zeros([2]), zeros([3]))).toThrow('compare: shapes [2] and [3] differ');
    });

    it('takes inner products in float64', () => {
        expect(dot(fromArray([1, 2, 3]), fromArray([4, 5, 6]))).toBe(32);
    });
});

describe('statistics', () => {
    it('gives mean, Bessel-corrected std (torch.std), population std (np.std), min, max and L2 norm', () => {
        const s = stats(fromArray([1, 2, 3, 4], [2, 2], 'float64'));
        expect(s.mean).toBe(2.5);
        expect(s.std).toBeCloseTo(Math.sqrt(5 / 3), 14);
        expect(s.stdPopulation).toBeCloseTo(Math.sqrt(1.25), 14);
        expect([s.min, s.max]).toEqual([1, 4]);
        expect(s.l2).toBeCloseTo(Math.sqrt(30), 14);
        expect(s.nonFinite).toBe(0);
    });

    it('does not lose precision to a large mean, nor overflow the norm', () => {
        const s = stats(fromArray([1e9 + 1, 1e9 + 2, 1e9 + 3], [3], 'float64'));
        expect(s.std).toBeCloseTo(1, 9);
        expect(stats(fromArray([1e200, 1e200], [2], 'float64')).l2).toBeCloseTo(Math.SQRT2 * 1e200, -186);
        expect(stats(fromArray([3e-200, -4e-200], [2], 'float64')).l2 / 5e-200).toBeCloseTo(1, 14);
    });

    it('counts infinities without NaN data, with an infinite norm', () => {
        const s = stats(fromArray([1, -Infinity, 2], [3], 'float64'));
        expect(s.nonFinite).toBe(1);
        expect([s.min, s.max, s.l2]).toEqual([-Infinity, 2, Infinity]);
    });

    it('reports NaN for one element (std) and for NaN data, counting non-finite values', () => {
        expect(Number.isNaN(stats(fromArray([3])).std)).toBe(true);
        const s = stats(fromArray([1, NaN, Infinity]));
        expect(s.nonFinite).toBe(2);
        expect(Number.isNaN(s.mean)).toBe(true);
        expect(stats(zeros([0])).numel).toBe(0);
    });
});
