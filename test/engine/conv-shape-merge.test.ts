/**
 * The conv, conv_transpose, linear, flatten, identity, dropout and merge layers where the PyTorch
 * fixtures are thin: dropout's seeded mask (torch's fixtures only have p = 0 and p = 1), the
 * default initialisation's bounds and fan-in, the padding modes' index rules and their adjoint,
 * broadcasting's adjoint, and that no layer mutates or aliases its inputs.
 */
import { describe, expect, it } from 'vitest';
import { probeLayer, type JsonArg } from '../../src/analysis/probe.js';
import { backwardLayer, forwardLayer } from '../../src/engine/layer-run.js';
import { foldPadding, padSpatial, type PaddingMode } from '../../src/engine/ops/conv-input.js';
import { broadcastBinary, sumTo } from '../../src/engine/ops/merge-broadcast.js';
import { fanInBound } from '../../src/engine/ops/fan-in-init.js';
import { stream, type Rng } from '../../src/engine/random.js';
import type { Mode } from '../../src/engine/types.js';
import { type DType, type Tensor, astype, clone, dot, fromArray, numel, stats } from '../../src/tensor/tensor.js';
import { randn, rng } from './helpers.js';

function recordOf(layer: string, inputs: number[][], args: Record<string, JsonArg>) {
    const probe = probeLayer(layer, inputs, args, new Set(['p']));
    expect(probe.issues.filter(i => i.severity === 'error')).toEqual([]);
    return probe.record!;
}

function initOf(layer: string, inputs: number[][], args: Record<string, JsonArg>, seed = 1, dtype: DType = 'float64') {
    const record = recordOf(layer, inputs, args);
    return record.layer.init!({ args: record.args, weights: record.weights, inputShapes: inputs, dtype, rng: stream(seed, `param:${layer}`) });
}

function run(layer: string, inputs: Tensor[], args: Record<string, JsonArg>, options: { mode?: Mode; rng?: Rng; params?: Record<string, Tensor> } = {}) {
    const record = recordOf(layer, inputs.map(x => [...x.shape]), args);
    const state = { params: options.params ?? {}, buffers: {} };
    const runOptions = { mode: options.mode ?? 'train', rng: options.rng ?? stream(3, 'dropout'), bindings: new Map<string, number>() };
    const forwarded = forwardLayer(record, inputs, state, runOptions);
    const dy = randn(rng(`dy:${layer}`), forwarded.output.shape, forwarded.output.dtype);
    const grads = backwardLayer(record, inputs, state, runOptions, forwarded, dy);
    return { forwarded, grads, dy };
}

describe('dropout in training mode', () => {
    const x = randn(rng('dropout-x'), [4, 50, 50]);

    it('draws the same mask from the same stream, and another from another seed', () => {
        const a = run('dropout', [x], { p: 0.3 }, { rng: stream(9, 'layer:drop') }).forwarded.output;
        const b = run('dropout', [x], { p: 0.3 }, { rng: stream(9, 'layer:drop') }).forwarded.output;
        const c = run('dropout', [x], { p: 0.3 }, { rng: stream(10, 'layer:drop') }).forwarded.output;
        expect(a.data).toEqual(b.data);
        expect(a.data).not.toEqual(c.data);
    });

    it('does not depend on how far the parent stream was drawn (each call derives its mask stream)', () => {
        const used = stream(9, 'layer:drop');
        used.uniform();
        const a = run('dropout', [x], { p: 0.3 }, { rng: used }).forwarded.output;
        const b = run('dropout', [x], { p: 0.3 }, { rng: stream(9, 'layer:drop') }).forwarded.output;
        expect(a.data).toEqual(b.data);
    });

    it('keeps each element with probability 1 − p, scaled by 1/(1 − p), and routes the gradient through the same mask', () => {
        const p = 0.3;
        const { forwarded, grads, dy } = run('dropout', [x], { p });
        const y = forwarded.output.data, dx = grads.inputs[0]!.data;
        let kept = 0;
        for (let i = 0; i < y.length; i++) {
            if (y[i] === 0) {
                expect(dx[i] === 0).toBe(true);
            } else {
                kept++;
                expect(y[i]).toBeCloseTo(x.data[i]! / (1 - p), 14);
                expect(dx[i]).toBeCloseTo(dy.data[i]! / (1 - p), 14);
            }
        }
        // 10 000 Bernoulli(0.7) draws: the standard deviation of the kept fraction is 0.0046
        expect(Math.abs(kept / y.length - (1 - p))).toBeLessThan(0.02);
    });

    it('zeroes everything with p = 1 and is the identity with p = 0', () => {
        const one = run('dropout', [x], { p: 1 });
        expect(one.forwarded.output.data.every(v => v === 0)).toBe(true);
        expect(one.grads.inputs[0]!.data.every(v => v === 0)).toBe(true);
        const zero = run('dropout', [x], { p: 0 });
        expect(zero.forwarded.output.data).toEqual(x.data);
        expect(zero.grads.inputs[0]!.data).toEqual(zero.dy.data);
    });

    it('draws the same mask in float32 as in float64', () => {
        const a = run('dropout', [astype(x, 'float32')], { p: 0.5 }).forwarded.output;
        const b = run('dropout', [x], { p: 0.5 }).forwarded.output;
        expect(a.dtype).toBe('float32');
        for (let i = 0; i < a.data.length; i++) expect(a.data[i] === 0).toBe(b.data[i] === 0);
    });

    it('is the identity in eval mode', () => {
        const { forwarded, grads, dy } = run('dropout', [x], { p: 0.9 }, { mode: 'eval' });
        expect(forwarded.output.data).toEqual(x.data);
        expect(grads.inputs[0]!.data).toEqual(dy.data);
    });
});

describe('default initialisation', () => {
    function expectUniform(t: Tensor, bound: number) {
        const s = stats(t);
        expect(s.min).toBeGreaterThanOrEqual(-bound);
        expect(s.max).toBeLessThan(bound);
        // a large sample fills the interval: U(−b, b) has std b/√3
        if (t.data.length >= 1000) {
            expect(s.min).toBeLessThan(-0.95 * bound);
            expect(s.max).toBeGreaterThan(0.95 * bound);
            expect(Math.abs(s.std / (bound / Math.sqrt(3)) - 1)).toBeLessThan(0.05);
            expect(Math.abs(s.mean)).toBeLessThan(0.05 * bound);
        }
    }

    it('draws conv weights and bias from U(±1/√(C_in/groups·∏k))', () => {
        const { params } = initOf('conv2d', [[1, 12, 9, 9]], { out_channels: 66, kernel_size: [3, 5], groups: 3 });
        expect(params['weight']!.shape).toEqual([66, 4, 3, 5]);
        expectUniform(params['weight']!, 1 / Math.sqrt(4 * 15));
        expectUniform(params['bias']!, 1 / Math.sqrt(4 * 15));
    });

    it('reads conv_transpose fan-in from weight dimension 1 (C_out/groups), not from the input channels', () => {
        const { params } = initOf('conv_transpose1d', [[1, 6, 5]], { out_channels: 40, kernel_size: 3, groups: 2 });
        expect(params['weight']!.shape).toEqual([6, 20, 3]);
        expect(fanInBound([6, 20, 3])).toBe(1 / Math.sqrt(60));
        expectUniform(params['weight']!, 1 / Math.sqrt(60));
        expectUniform(params['bias']!, 1 / Math.sqrt(60));
    });

    it('draws linear weights from U(±1/√in_features) and leaves out the bias when bias=false', () => {
        const { params } = initOf('linear', [[2, 30]], { out_features: 100, bias: false });
        expect(Object.keys(params)).toEqual(['weight']);
        expectUniform(params['weight']!, 1 / Math.sqrt(30));
    });

    it('is reproducible from the seed, gives one stream per tensor, and rounds the same values to float32', () => {
        const a = initOf('conv1d', [[1, 3, 8]], { out_channels: 4, kernel_size: 3 }, 5);
        const b = initOf('conv1d', [[1, 3, 8]], { out_channels: 4, kernel_size: 3 }, 5);
        const noBias = initOf('conv1d', [[1, 3, 8]], { out_channels: 4, kernel_size: 3, bias: false }, 5);
        const f32 = initOf('conv1d', [[1, 3, 8]], { out_channels: 4, kernel_size: 3 }, 5, 'float32');
        expect(a.params['weight']!.data).toEqual(b.params['weight']!.data);
        expect(noBias.params['weight']!.data).toEqual(a.params['weight']!.data);
        expect(f32.params['weight']!.dtype).toBe('float32');
        expect(f32.params['weight']!.data).toEqual(Float32Array.from(a.params['weight']!.data));
    });
});

describe('padding modes (F.pad) and their adjoint', () => {
    const x = fromArray([1, 2, 3, 4], [1, 1, 4], 'float64');
    it.each([
        ['reflect', [3, 2, 1, 2, 3, 4, 3, 2]],
        ['replicate', [1, 1, 1, 2, 3, 4, 4, 4]],
        ['circular', [3, 4, 1, 2, 3, 4, 1, 2]],
    ] as const)('%s copies the documented positions', (mode, expected) => {
        expect([...padSpatial(x, 1, [2], [2], mode).data]).toEqual(expected);
    });

    it.each(['reflect', 'replicate', 'circular'] as const)('%s: folding is the transpose of padding (⟨pad x, g⟩ = ⟨x, fold g⟩) in 3-D', (mode: PaddingMode) => {
        const t = randn(rng(`pad-x-${mode}`), [2, 3, 3, 4, 5]);
        const before = [1, 2, 0], after = [2, 1, 3];
        const padded = padSpatial(t, 3, before, after, mode);
        expect(padded.shape).toEqual([2, 3, 6, 7, 8]);
        const g = randn(rng(`pad-g-${mode}`), padded.shape);
        const folded = foldPadding(g, t.shape, 3, before, after, mode);
        expect(dot(padded, g)).toBeCloseTo(dot(t, folded), 10);
    });

    it('conv2d with reflect padding equals a zero-padding-free conv of the reflected input', () => {
        const input = randn(rng('reflect-in'), [1, 2, 5, 6]);
        const weight = randn(rng('reflect-w'), [3, 2, 3, 3]);
        const viaLayer = run('conv2d', [input], { out_channels: 3, kernel_size: 3, padding: [1, 2], padding_mode: 'reflect', bias: false }, { params: { weight } });
        const manual = run('conv2d', [padSpatial(input, 2, [1, 2], [1, 2], 'reflect')], { out_channels: 3, kernel_size: 3, bias: false }, { params: { weight } });
        expect(viaLayer.forwarded.output.data).toEqual(manual.forwarded.output.data);
    });
});

describe('broadcasting merges', () => {
    it('sumTo is the transpose of broadcasting', () => {
        const a = randn(rng('bc-a'), [3, 1, 4]);
        const out = [2, 3, 5, 4];
        const b = randn(rng('bc-b'), out);
        const zero = fromArray(new Float64Array(numel(out)), out, 'float64');
        const broadcast = broadcastBinary('add', zero, a, out);
        expect(dot(broadcast, b)).toBeCloseTo(dot(a, sumTo(b, a.shape)), 10);
    });

    it('mul of three broadcast inputs has the product rule gradients', () => {
        const a = randn(rng('m-a'), [2, 3, 1]);
        const b = randn(rng('m-b'), [1, 4]);
        const c = randn(rng('m-c'), [3, 1]);
        const { forwarded, grads, dy } = run('mul', [a, b, c], {});
        expect(forwarded.output.shape).toEqual([2, 3, 4]);
        // dL/db[0, k] = Σ_{i,j} dy[i, j, k] · a[i, j, 0] · c[j, 0]
        for (let k = 0; k < 4; k++) {
            let s = 0;
            for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) s += dy.data[(i * 3 + j) * 4 + k]! * a.data[i * 3 + j]! * c.data[j]!;
            expect(grads.inputs[1]!.data[k]).toBeCloseTo(s, 12);
        }
    });
});

describe('layers without parameters neither mutate nor alias their inputs', () => {
    const cases: Array<[string, number[][], Record<string, JsonArg>, Mode]> = [
        ['identity', [[2, 3]], {}, 'train'],
        ['flatten', [[2, 3, 4]], {}, 'train'],
        ['dropout', [[2, 3]], { p: 0.5 }, 'eval'],
        ['dropout', [[2, 3]], { p: 0.5 }, 'train'],
        ['add', [[2, 3], [3]], {}, 'train'],
        ['add', [[2, 3], [2, 3]], {}, 'train'],
        ['mul', [[2, 3], [2, 3]], {}, 'train'],
        ['concat', [[2, 3], [2, 1]], {}, 'train'],
    ];
    it.each(cases)('%s on %j', (layer, shapes, args, mode) => {
        const inputs = shapes.map((s, i) => randn(rng(`alias-${i}`), s));
        const copies = inputs.map(clone);
        const { forwarded, grads, dy } = run(layer, inputs, args, { mode });
        const dyCopy = clone(dy);
        inputs.forEach((x, i) => expect(x.data).toEqual(copies[i]!.data));
        const arrays = [...inputs.map(x => x.data), dy.data];
        for (const t of [forwarded.output, ...grads.inputs]) expect(arrays.some(a => a.buffer === t!.data.buffer)).toBe(false);
        expect(dy.data).toEqual(dyCopy.data);
    });
});
