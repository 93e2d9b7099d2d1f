/**
 * Pooling, adaptive pooling and upsample behaviours the PyTorch fixtures touch only lightly:
 * max/min-pool ties routed to the first element with the chosen indices as the branch, the
 * average-pool divisor clipped to the padded input's end under ceil_mode, and PyTorch 1.13's
 * nearest-upsample index rules (float32 arithmetic; nearest_idx's m = n / m = 2n shortcuts, which
 * the backward always takes and the forward only for C = 1 in 2-D and 3-D). Expected values were
 * printed by PyTorch 1.13.
 */
import { describe, expect, it } from 'vitest';
import { probeLayer, type JsonArg } from '../../src/analysis/probe.js';
import { backwardLayer, forwardLayer } from '../../src/engine/layer-run.js';
import { stream } from '../../src/engine/random.js';
import { type DType, fromArray, numel } from '../../src/tensor/tensor.js';

function run(layer: string, shape: number[], args: Record<string, JsonArg>, x: number[], dy?: number[], dtype: DType = 'float64') {
    const probe = probeLayer(layer, [shape], args, new Set(['scale_factor']));
    expect(probe.issues.filter(i => i.severity === 'error').map(i => i.message)).toEqual([]);
    const record = probe.record!;
    const input = fromArray(x, shape, dtype);
    const options = { mode: 'train' as const, rng: stream(1, 'test'), bindings: new Map<string, number>() };
    const state = { params: {}, buffers: {} };
    const forwarded = forwardLayer(record, [input], state, options);
    const outShape = forwarded.output.shape;
    const grad = fromArray(dy ?? new Array<number>(numel(outShape)).fill(1), outShape, dtype);
    const dx = backwardLayer(record, [input], state, options, forwarded, grad).inputs[0]!;
    return { y: Array.from(forwarded.output.data), shape: outShape, dx: Array.from(dx.data), branch: forwarded.branch && Array.from(forwarded.branch), kink: forwarded.kink };
}

describe('max and min pooling', () => {
    it('routes a tie to the first element of the window and reports the chosen indices as the branch', () => {
        const r = run('max_pool1d', [1, 1, 4], { kernel_size: 2, stride: 1 }, [1, 3, 3, 2], [1, 10, 100]);
        expect(r.y).toEqual([3, 3, 3]);
        expect(r.branch).toEqual([1, 1, 2]);
        expect(r.kink).toBe('max-pool tie');
        expect(r.dx).toEqual([0, 11, 100, 0]);
    });

    it('breaks ties in row-major window order in 2-D', () => {
        const r = run('max_pool2d', [1, 1, 2, 3], { kernel_size: 2, stride: 1 }, [5, 5, 1, 5, 5, 1]);
        expect(r.y).toEqual([5, 5]);
        expect(r.branch).toEqual([0, 1]);
    });

    it('min pooling is −max_pool(−x): same ties, same gradient routing', () => {
        const r = run('min_pool1d', [1, 1, 4], { kernel_size: 2, stride: 1 }, [-1, -3, -3, -2], [1, 10, 100]);
        expect(r.y).toEqual([-3, -3, -3]);
        expect(r.branch).toEqual([1, 1, 2]);
        expect(r.kink).toBe('min-pool tie');
        expect(r.dx).toEqual([0, 11, 100, 0]);
    });

    it('pools unbatched [C, L] inputs plane by plane', () => {
        const r = run('max_pool1d', [2, 3], { kernel_size: 3 }, [1, 2, 0, 4, -1, 4]);
        expect(r.shape).toEqual([2, 1]);
        expect(r.y).toEqual([2, 4]);
        expect(r.dx).toEqual([0, 1, 0, 1, 0, 0]);
    });
});

describe('average pooling', () => {
    it('with ceil_mode divides the last window by its size clipped to the padded input', () => {
        // windows start at −1, 1, 3, 5; the last covers [5, 7) of the padded [−1, 7): divisor 2
        const r = run('avg_pool1d', [1, 1, 6], { kernel_size: 3, stride: 2, padding: 1, ceil_mode: true }, [1, 2, 3, 4, 5, 6]);
        expect(r.y).toEqual([1, 3, 5, 3]);
        const third = 1 / 3;
        [third, 2 * third, third, 2 * third, third, third + 0.5].forEach((v, i) => expect(r.dx[i]).toBeCloseTo(v, 14));
    });

    it('without count_include_pad divides by the real elements only', () => {
        const r = run('avg_pool1d', [1, 1, 6], { kernel_size: 3, stride: 2, padding: 1, ceil_mode: true, count_include_pad: false }, [1, 2, 3, 4, 5, 6]);
        expect(r.y).toEqual([1.5, 3, 5, 6]);
    });
});

describe('adaptive pooling', () => {
    it('adaptive max reports its arg-max as the branch, ties to the first', () => {
        const r = run('adaptive_max_pool1d', [1, 1, 5], { output_size: 2 }, [2, 2, 1, 7, 7]);
        // bins [0, 3) and [2, 5)
        expect(r.y).toEqual([2, 7]);
        expect(r.branch).toEqual([0, 3]);
        expect(r.kink).toBe('max-pool tie');
    });

    it('adaptive avg to all ones averages the last axes of a higher-rank input (PyTorch fast path)', () => {
        const r = run('adaptive_avg_pool2d', [2, 1, 1, 2, 2], { output_size: 1 }, [1, 2, 3, 4, 5, 6, 7, 8]);
        expect(r.shape).toEqual([2, 1, 1, 1, 1]);
        expect(r.y).toEqual([2.5, 6.5]);
        expect(r.dx).toEqual(new Array(8).fill(0.25));
    });
});

describe('nearest upsample (PyTorch 1.13 index rules)', () => {
    it('computes the source index in float32: ⌊float(o)·float(1/3.7)⌋', () => {
        const n = 11;
        const x = Array.from({ length: n }, (_, i) => i);
        const r = run('upsample', [1, 1, n], { scale_factor: 3.7 }, x);
        expect(r.shape).toEqual([1, 1, 40]);
        const f = Math.fround;
        const s = f(1 / 3.7);
        expect(r.y).toEqual(Array.from({ length: 40 }, (_, o) => Math.min(Math.floor(f(o * s)), n - 1)));
        // o = 37: in float64 37·(1/3.7) = 9.999…98 floors to 9; in float32 the product rounds to 10
        expect(r.y[37]).toBe(10);
    });

    it('1-D: the forward uses the formula, the backward nearest_idx (m = n copies), as PyTorch does', () => {
        // scale 1.25 on n = 2 gives m = 2: forward ⌊o·0.8⌋ = 0, 0; backward o → o
        const r = run('upsample', [1, 1, 2], { scale_factor: 1.25 }, [0, 1], [1, 10]);
        expect(r.y).toEqual([0, 0]);
        expect(r.dx).toEqual([1, 10]);
    });

    it('2-D with C = 1: the forward too takes nearest_idx (copy for m = n, o >> 1 for m = 2n)', () => {
        // [1, 1, 2, 2] × (1.25, 2.3) → [2, 4]: rows copied, columns o >> 1 (not ⌊o/2.3⌋)
        const r = run('upsample', [1, 1, 2, 2], { scale_factor: [1.25, 2.3] }, [0, 1, 2, 3]);
        expect(r.y).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
    });

    it('2-D with C > 1: the forward uses the formula on every axis', () => {
        const r = run('upsample', [1, 2, 2, 2], { scale_factor: [1.25, 2.3] }, [0, 1, 2, 3, 4, 5, 6, 7]);
        // rows ⌊o·0.8⌋ = 0, 0; columns ⌊o/2.3⌋ = 0, 0, 0, 1
        expect(r.y.slice(0, 8)).toEqual([0, 0, 0, 1, 0, 0, 0, 1]);
    });

    it('float32 inputs pick the same indices and keep their dtype', () => {
        const r = run('upsample', [1, 1, 11], { scale_factor: 3.7 }, Array.from({ length: 11 }, (_, i) => i), undefined, 'float32');
        expect(r.y[37]).toBe(10);
    });
});

describe('linear upsample', () => {
    it('align_corners maps the corners onto each other and the backward is the adjoint', () => {
        const r = run('upsample', [1, 1, 3], { size: 5, mode: 'linear', align_corners: true }, [0, 2, 4], [1, 1, 1, 1, 1]);
        expect(r.y).toEqual([0, 1, 2, 3, 4]);
        expect(r.dx).toEqual([1.5, 2, 1.5]);
    });

    it('half-pixel coordinates clamp at the left border', () => {
        // scale 2: source = (o + ½)/2 − ½ = −¼, ¼, ¾, 1¼ → clamped to 0
        const r = run('upsample', [1, 1, 2], { scale_factor: 2, mode: 'linear' }, [0, 4]);
        expect(r.y).toEqual([0, 1, 3, 4]);
    });
});
