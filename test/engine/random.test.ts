/**
 * The seeded streams: exact first values (produced by the Python transcription in
 * src/engine/random.ts's header, run under /usr/bin/python3), determinism and independence.
 */
import { describe, expect, it } from 'vitest';
import { fnv1a64, normalTensor, splitmix64, stream, uniformTensor } from '../../src/engine/random.js';
import { stats } from '../../src/tensor/tensor.js';

describe('the documented algorithm', () => {
    it('hashes labels with FNV-1a 64', () => {
        expect(fnv1a64('')).toBe(0xcbf29ce484222325n);
        expect(fnv1a64('input:x')).toBe(0x80c43e2d5926f491n);
    });

    it('starts splitmix64 at the published value for seed 0', () => {
        expect(splitmix64(0n, 2)).toEqual([0xe220a8397b1dcdafn, 0x6e789e6aa1b965f4n]);
    });

    it('reproduces the golden xoshiro128** outputs', () => {
        const a = stream(0, '');
        expect([a.nextUint32(), a.nextUint32(), a.nextUint32(), a.nextUint32()]).toEqual([3781564968, 1944808877, 2340108199, 3500316882]);
        const b = stream(42, 'input:image');
        expect([b.nextUint32(), b.nextUint32(), b.nextUint32(), b.nextUint32()]).toEqual([1881523188, 1035595838, 2656663862, 3363734745]);
    });

    it('reproduces the golden uniforms and normals', () => {
        const u = stream(42, 'input:image');
        expect([u.uniform(), u.uniform(), u.uniform()]).toEqual([0.4380762520515802, 0.6185527576743105, 0.40018552038315713]);
        const big = stream(2n ** 64n - 1n, 'param:conv1.weight');
        expect([big.uniform(), big.uniform()]).toEqual([0.1853006250618735, 0.9239470699997798]);
        const n = stream(7, 'loss');
        expect([n.normal(), n.normal()]).toEqual([0.8744430965160092, -0.32553280273150065]);
    });
});

describe('streams', () => {
    it('are deterministic for (seed, label)', () => {
        const a = uniformTensor(stream(5, 'x'), [100], { dtype: 'float64' });
        const b = uniformTensor(stream(5, 'x'), [100], { dtype: 'float64' });
        expect(a.data).toEqual(b.data);
    });

    it('differ across labels and seeds', () => {
        const a = stream(5, 'x').uniform();
        expect(stream(5, 'y').uniform()).not.toBe(a);
        expect(stream(6, 'x').uniform()).not.toBe(a);
    });

    it('derive sub-streams by label path', () => {
        expect(stream(3, 'param').derive('conv1.weight').uniform()).toBe(stream(3, 'param/conv1.weight').uniform());
        expect(stream(3).derive('loss').uniform()).toBe(stream(3, 'loss').uniform());
    });

    it('give the same values in float32 and float64, up to rounding', () => {
        const a = normalTensor(stream(9, 'n'), [50], { dtype: 'float32' });
        const b = normalTensor(stream(9, 'n'), [50], { dtype: 'float64' });
        expect(Array.from(a.data)).toEqual(Array.from(b.data, Math.fround));
    });

    it('reject seeds that are not non-negative integers', () => {
        expect(() => stream(-1)).toThrow(/non-negative safe integer/);
        expect(() => stream(1.5)).toThrow(/non-negative safe integer/);
        expect(() => stream(2n ** 64n)).toThrow(/\[0, 2\^64\)/);
    });
});

describe('distributions', () => {
    it('fill uniform tensors within [low, high)', () => {
        const t = uniformTensor(stream(1, 'u'), [20000], { low: -2, high: 3, dtype: 'float64' });
        const s = stats(t);
        expect(s.min).toBeGreaterThanOrEqual(-2);
        expect(s.max).toBeLessThan(3);
        expect(s.mean).toBeCloseTo(0.5, 1);
        expect(s.std).toBeCloseTo(5 / Math.sqrt(12), 1);
    });

    it('fill normal tensors with the requested mean and std', () => {
        const s = stats(normalTensor(stream(1, 'n'), [20000], { mean: 1, std: 2, dtype: 'float64' }));
        expect(s.mean).toBeCloseTo(1, 1);
        expect(s.std).toBeCloseTo(2, 1);
    });
});
