/**
 * The normalisation and activation layers where the PyTorch fixtures are thin: erf's accuracy,
 * the branch/kink reports of the piecewise activations, softmax's stability and implicit dim,
 * batch norm's buffers (init, the cumulative average of momentum=None, eval with and without running
 * statistics, no mutation), finite-difference gradients of every smooth layer, and float32 runs.
 */
import { describe, expect, it } from 'vitest';
import { probeLayer, type JsonArg } from '../../src/analysis/probe.js';
import { backwardLayer, forwardLayer } from '../../src/engine/layer-run.js';
import { erf } from '../../src/engine/ops/activation-erf.js';
import { fma } from '../../src/engine/ops/norm-moments.js';
import { stream } from '../../src/engine/random.js';
import type { Mode } from '../../src/engine/types.js';
import { batchNorm3d } from '../../src/layers/batch_norm.js';
import { kernels } from '../../src/engine/kernels/index.js';
import { type DType, type Tensor, astype, clone, fromArray, numel, tensor } from '../../src/tensor/tensor.js';
import { decodeF64, fixtureValues } from '../support/fixture-rng.js';
import { expectAllclose, randn, rng } from './helpers.js';

const FLOATS = new Set(['eps', 'momentum', 'alpha', 'beta', 'k', 'negative_slope', 'min_val', 'max_val']);

function recordOf(layer: string, inputs: number[][], args: Record<string, JsonArg>) {
    const probe = probeLayer(layer, inputs, args, FLOATS);
    expect(probe.issues.filter(i => i.severity === 'error')).toEqual([]);
    return probe.record!;
}

interface State {
    params: Record<string, Tensor>;
    buffers: Record<string, Tensor>;
}

function setup(layer: string, shape: number[], args: Record<string, JsonArg>, dtype: DType = 'float64'): { record: ReturnType<typeof recordOf>; state: State } {
    const record = recordOf(layer, [shape], args);
    const init = record.layer.init?.({ args: record.args, weights: record.weights, inputShapes: [shape], dtype, rng: stream(1, `param:${layer}`) });
    return { record, state: { params: { ...(init?.params ?? {}) }, buffers: { ...(init?.buffers ?? {}) } } };
}

const options = (mode: Mode) => ({ mode, rng: stream(3, 'dropout'), bindings: new Map<string, number>() });

describe('erf', () => {
    // mpmath at 40 digits
    const reference: Array<[number, number]> = [
        [1e-12, 1.1283791670955126e-12], [0.1, 0.1124629160182849], [0.4999, 0.5204119951613866], [0.5, 0.5204998778130465],
        [0.75, 0.7111556336535151], [1.0, 0.8427007929497149], [1.2345, 0.9191623964135658], [1.9375, 0.9938568063952132],
        [2.5, 0.999593047982555], [3.3, 0.9999969422902035], [4.1, 0.9999999932999724], [5.9, 0.9999999999999999],
    ];
    it.each(reference)('erf(±%s) is within 2 ulp of mpmath', (x, e) => {
        expect(Math.abs(erf(x) - e)).toBeLessThanOrEqual(2.5e-16 * e);
        expect(erf(-x)).toBe(-erf(x));
    });
    it('handles 0, ±∞, large arguments and NaN', () => {
        expect(erf(0)).toBe(0);
        expect(erf(6)).toBe(1);
        expect(erf(Infinity)).toBe(1);
        expect(erf(-Infinity)).toBe(-1);
        expect(erf(NaN)).toBeNaN();
    });
});

describe('fma', () => {
    it('keeps the rounding residue a separate multiply and add lose', () => {
        const a = 3.162277660168379, x = 0.7347509581595659;
        expect(a * x - a * x).toBe(0);
        // the exact a·x minus its rounding: what aten's layer norm leaves for a row of one value
        expect(fma(a, x, -(a * x))).toBe(3.4408001984158e-17);
        expect(fma(2, 3, 4)).toBe(10);
    });
});

describe('piecewise activations report their branches and kinks', () => {
    const cases: Array<[string, Record<string, JsonArg>, number[], number[], number[], string]> = [
        // layer, args, x, branch, dy/dx (PyTorch's value at the kink)
        ['relu', {}, [-1, 0, 2], [0, 0, 1], [0, 0, 1], 'relu at 0'],
        ['relu6', {}, [-1, 0, 3, 6, 7], [0, 0, 1, 2, 2], [0, 0, 1, 0, 0], 'relu6 at 0 and 6'],
        ['hardtanh', { min_val: -0.5, max_val: 2 }, [-1, -0.5, 0, 2, 3], [0, 0, 1, 2, 2], [0, 0, 1, 0, 0], 'hardtanh at -0.5 and 2.0'],
        ['leaky_relu', { negative_slope: 0.25 }, [-1, 0, 1], [0, 0, 1], [0.25, 0.25, 1], 'leaky_relu at 0'],
        ['elu', { alpha: 0.5 }, [-1, 0, 1], [0, 0, 1], [0.5 * Math.exp(-1), 0.5, 1], 'elu at 0'],
    ];
    it.each(cases)('%s', (layer, args, xs, branch, slope, kink) => {
        const { record, state } = setup(layer, [xs.length], args);
        const x = fromArray(xs, [xs.length], 'float64');
        const f = forwardLayer(record, [x], state, options('train'));
        expect(Array.from(f.branch!)).toEqual(branch);
        expect(f.kink).toBe(kink);
        const g = backwardLayer(record, [x], state, options('train'), f, fromArray(xs.map(() => 1), [xs.length], 'float64'));
        expect(Array.from(g.inputs[0]!.data)).toEqual(slope);
    });
    it('smooth activations report none', () => {
        for (const layer of ['gelu', 'sigmoid', 'tanh', 'softmax', 'log_softmax']) {
            const { record, state } = setup(layer, [2, 3], {});
            const f = forwardLayer(record, [randn(rng(layer), [2, 3])], state, options('train'));
            expect(f.branch).toBeUndefined();
        }
    });
    it('relu and hardtanh pass NaN through, as clamp does', () => {
        for (const layer of ['relu', 'hardtanh', 'relu6']) {
            const { record, state } = setup(layer, [2], {});
            const f = forwardLayer(record, [fromArray([NaN, 0.5], [2], 'float64')], state, options('train'));
            expect(f.output.data[0]).toBeNaN();
        }
    });
});

describe('elementwise activations, evaluated again after a change (reforward)', () => {
    const cases: Array<[string, Record<string, JsonArg>]> = [
        ['relu', {}], ['relu6', {}], ['hardtanh', { min_val: -0.5, max_val: 2 }], ['leaky_relu', { negative_slope: 0.25 }], ['elu', { alpha: 0.5 }],
        ['gelu', {}], ['gelu', { approximate: 'tanh' }], ['sigmoid', {}], ['tanh', {}],
    ];
    const dtypes: DType[] = ['float64', 'float32'];
    // 0 → −0, a kink, NaN → NaN, an ordinary value moved by 1e-6, and unchanged values
    const before = [0, -0.5, NaN, 1.5, -2, 6, 0.25, -0];
    const after = [-0, -0.5, NaN, 1.5 + 1e-6, -2, 6, 0.25, 0];
    it.each(cases.flatMap(([layer, args]) => dtypes.map(dtype => [layer, args, dtype] as const)))('%s %o in %s returns exactly what forward does', (layer, args, dtype) => {
        const { record, state } = setup(layer, [before.length], args, dtype);
        const x0 = fromArray(before, [before.length], dtype);
        const x = fromArray(after, [after.length], dtype);
        const fresh = forwardLayer(record, [x], state, options('train'));
        const again = forwardLayer(record, [x], state, options('train'), { inputs: [x0], forwarded: forwardLayer(record, [x0], state, options('train')) });
        expect(Array.from(again.output.data)).toEqual(Array.from(fresh.output.data)); // toEqual tells −0 from 0
        expect(again.output.dtype).toBe(dtype);
        expect(again.branch && Array.from(again.branch)).toEqual(fresh.branch && Array.from(fresh.branch));
    });
    it('reuse the earlier output where the input is bit for bit the same, and only there', () => {
        const { record, state } = setup('tanh', [4], {});
        const x0 = fromArray([0, 1, 2, 3], [4], 'float64');
        const x = fromArray([-0, 1, 2.5, 3], [4], 'float64');
        const earlier = { output: fromArray([7, 7, 7, 7], [4], 'float64') };
        const y = forwardLayer(record, [x], state, options('train'), { inputs: [x0], forwarded: earlier }).output;
        expect(Array.from(y.data)).toEqual([-0, 7, Math.tanh(2.5), 7]);
        expect(earlier.output.data).toEqual(Float64Array.from([7, 7, 7, 7]));
    });
});

describe('softmax and log_softmax', () => {
    it('are stable for large inputs', () => {
        const x = fromArray([1000, 1001, 1002, -1000], [1, 4], 'float64');
        const s = setup('softmax', [1, 4], { dim: -1 });
        const y = forwardLayer(s.record, [x], s.state, options('train')).output.data;
        const e = [Math.exp(-2), Math.exp(-1), 1, 0];
        const z = e[0]! + e[1]! + e[2]!;
        expectAllclose(tensor(Float64Array.from(y), [4]), fromArray(e.map(v => v / z), [4], 'float64'), 1e-15, 1e-15);
        const l = setup('log_softmax', [1, 4], { dim: 1 });
        const ly = forwardLayer(l.record, [x], l.state, options('train')).output.data;
        expect(ly[2]).toBeCloseTo(-Math.log(z), 14);
        expect(ly[3]).toBeCloseTo(-2002 - Math.log(z), 10);
    });
    it('without dim take axis 0 of a 3-D input and axis 1 of a 4-D one (PyTorch\'s legacy rule)', () => {
        const x3 = randn(rng('sm3'), [3, 2, 2]);
        const s3 = setup('softmax', [3, 2, 2], {});
        const y3 = forwardLayer(s3.record, [x3], s3.state, options('train')).output.data;
        for (let i = 0; i < 4; i++) expect(y3[i]! + y3[i + 4]! + y3[i + 8]!).toBeCloseTo(1, 14);
        const x4 = randn(rng('sm4'), [2, 3, 1, 2]);
        const s4 = setup('softmax', [2, 3, 1, 2], {});
        const y4 = forwardLayer(s4.record, [x4], s4.state, options('train')).output.data;
        for (const base of [0, 1, 6, 7]) expect(y4[base]! + y4[base + 2]! + y4[base + 4]!).toBeCloseTo(1, 14);
    });
});

describe('batch norm buffers', () => {
    it('initialise as PyTorch: weight 1, bias 0, running mean 0, running var 1, num_batches_tracked 0', () => {
        const { state } = setup('batch_norm2d', [2, 3, 4, 4], {});
        expect(Array.from(state.params['weight']!.data)).toEqual([1, 1, 1]);
        expect(Array.from(state.params['bias']!.data)).toEqual([0, 0, 0]);
        expect(Array.from(state.buffers['running_mean']!.data)).toEqual([0, 0, 0]);
        expect(Array.from(state.buffers['running_var']!.data)).toEqual([1, 1, 1]);
        expect(Array.from(state.buffers['num_batches_tracked']!.data)).toEqual([0]);
        expect(setup('batch_norm1d', [4, 3], { affine: false, track_running_stats: false }).state).toEqual({ params: {}, buffers: {} });
        const ln = setup('layer_norm', [2, 3, 4], { normalized_shape: [3, 4] }).state.params;
        expect(Array.from(ln['weight']!.data).every(v => v === 1) && Array.from(ln['bias']!.data).every(v => v === 0)).toBe(true);
        expect(ln['weight']!.shape).toEqual([3, 4]);
        const gn = setup('group_norm', [2, 4, 3], { num_groups: 2 }, 'float32').state.params;
        expect(gn['weight']!.dtype).toBe('float32');
        expect(Array.from(gn['weight']!.data)).toEqual([1, 1, 1, 1]);
    });

    it('average cumulatively with momentum=None, the variance unbiased', () => {
        const { record, state } = setup('batch_norm1d', [4, 2], { momentum: null });
        const a = fromArray([1, 10, 2, 20, 3, 30, 6, 40], [4, 2], 'float64');
        const b = fromArray([0, 0, 4, 2, 4, 4, 0, 2], [4, 2], 'float64');
        forwardLayer(record, [a], state, options('train'));
        expect(Array.from(state.buffers['running_mean']!.data)).toEqual([3, 25]);
        // unbiased: Σ(x − mean)²/(4 − 1)
        expect(state.buffers['running_var']!.data[0]).toBeCloseTo(14 / 3, 14);
        forwardLayer(record, [b], state, options('train'));
        expect(Array.from(state.buffers['num_batches_tracked']!.data)).toEqual([2]);
        expect(Array.from(state.buffers['running_mean']!.data)).toEqual([2.5, 13.5]);
        expect(state.buffers['running_var']!.data[0]).toBeCloseTo((14 / 3 + 16 / 3) / 2, 14);
    });

    it('replace the buffer tensors instead of writing into them, and leave inputs and params alone', () => {
        const { record, state } = setup('batch_norm2d', [2, 2, 2, 2], { momentum: 0.3 });
        const x = randn(rng('bn-x'), [2, 2, 2, 2]);
        const before = { x: clone(x), mean: state.buffers['running_mean']!, meanData: clone(state.buffers['running_mean']!), w: clone(state.params['weight']!) };
        const f = forwardLayer(record, [x], state, options('train'));
        backwardLayer(record, [x], state, options('train'), f, randn(rng('bn-dy'), [2, 2, 2, 2]));
        expect(state.buffers['running_mean']).not.toBe(before.mean);
        expect(before.mean.data).toEqual(before.meanData.data);
        expect(x.data).toEqual(before.x.data);
        expect(state.params['weight']!.data).toEqual(before.w.data);
    });

    it('use the running statistics in eval mode without updating them; batch ones when not tracked', () => {
        const x = randn(rng('bn-eval'), [3, 2, 4]);
        const tracked = setup('batch_norm1d', [3, 2, 4], {});
        tracked.state.buffers['running_mean'] = fromArray([0.5, -1], [2], 'float64');
        tracked.state.buffers['running_var'] = fromArray([4, 0.25], [2], 'float64');
        const y = forwardLayer(tracked.record, [x], tracked.state, options('eval')).output;
        expect(y.data[0]).toBeCloseTo((x.data[0]! - 0.5) / Math.sqrt(4 + 1e-5), 14);
        expect(y.data[4]).toBeCloseTo((x.data[4]! + 1) / Math.sqrt(0.25 + 1e-5), 14);
        expect(Array.from(tracked.state.buffers['num_batches_tracked']!.data)).toEqual([0]);
        const untracked = setup('batch_norm1d', [3, 2, 4], { track_running_stats: false });
        const train = forwardLayer(untracked.record, [x], untracked.state, options('train')).output;
        const evalY = forwardLayer(untracked.record, [x], untracked.state, options('eval')).output;
        expect(evalY.data).toEqual(train.data);
        expect(untracked.state.buffers).toEqual({});
    });

    it('eval mode accepts one value per channel (PyTorch fixture case the analysis, which assumes training, rejects)', async () => {
        // test/fixtures/engine/norm.json case 48: batch_norm3d(eps=0.1, momentum=0.5) in eval mode on [1, 2, 1, 1, 1]
        const fs = await import('node:fs');
        const path = await import('node:path');
        const cases = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../fixtures/engine/norm.json'), 'utf8')).cases as Array<{ layer: string; inputs: number[][]; mode: string; seed: number; output: string; grads: Record<string, string> }>;
        const c = cases.find(k => k.layer === 'batch_norm3d' && k.mode === 'eval' && numel(k.inputs[0]!) === 2)!;
        const shape = c.inputs[0]!;
        const v = (label: string, n: number, map?: (u: number) => number) => tensor(fixtureValues(c.seed, label, n, map), [n]);
        const ctx = {
            args: { num_features: null, eps: 0.1, momentum: 0.5, affine: true, track_running_stats: true },
            inputs: [tensor(fixtureValues(c.seed, 'input0', 2), shape)],
            params: { weight: v('weight', 2), bias: v('bias', 2) },
            buffers: { running_mean: v('running_mean', 2), running_var: v('running_var', 2, u => 0.5 + u), num_batches_tracked: fromArray([0], [1], 'float64') },
            mode: 'eval' as const, kernels: kernels(), outShape: shape, rng: stream(1, 'x'),
        };
        const f = batchNorm3d.forward!(ctx);
        expectAllclose(f.output, tensor(decodeF64(c.output), shape), 1e-14, 1e-12);
        const g = batchNorm3d.backward!({ ...ctx, output: f.output, saved: f.saved, gradOutput: tensor(fixtureValues(c.seed, 'R', 2), shape) });
        expectAllclose(g.inputs[0]!, tensor(decodeF64(c.grads['input0']!), shape), 1e-14, 1e-12);
        expectAllclose(g.params['weight']!, tensor(decodeF64(c.grads['weight']!), [2]), 1e-14, 1e-12);
        expectAllclose(g.params['bias']!, tensor(decodeF64(c.grads['bias']!), [2]), 1e-14, 1e-12);
    });
});

/** L = Σ y·R; central differences on every input and parameter element (float64, fresh buffers each time). */
function checkGradients(layer: string, shape: number[], args: Record<string, JsonArg>, mode: Mode = 'train', scale = 1) {
    const { record, state } = setup(layer, shape, args);
    const params: Record<string, Tensor> = {};
    for (const [name, p] of Object.entries(state.params)) params[name] = randn(rng(`${layer}:${name}`), p.shape);
    const buffers = state.buffers;
    const x = randn(rng(`${layer}:x`), shape);
    for (let i = 0; i < x.data.length; i++) x.data[i] = x.data[i]! * scale;
    const loss = (input: Tensor, ps: Record<string, Tensor>) => {
        const y = forwardLayer(record, [input], { params: ps, buffers: { ...buffers } }, options(mode)).output;
        let s = 0;
        for (let i = 0; i < y.data.length; i++) s += y.data[i]! * R.data[i]!;
        return s;
    };
    const f = forwardLayer(record, [x], { params, buffers: { ...buffers } }, options(mode));
    const R = randn(rng(`${layer}:R`), f.output.shape);
    const g = backwardLayer(record, [x], { params, buffers: { ...buffers } }, options(mode), f, R);
    const eps = 1e-6;
    const numeric = (t: Tensor, rebuild: (t: Tensor) => number) => {
        const out = new Float64Array(t.data.length);
        for (let i = 0; i < t.data.length; i++) {
            const plus = clone(t);
            plus.data[i] = plus.data[i]! + eps;
            const minus = clone(t);
            minus.data[i] = minus.data[i]! - eps;
            out[i] = (rebuild(plus) - rebuild(minus)) / (2 * eps);
        }
        return tensor(out, t.shape);
    };
    expectAllclose(g.inputs[0]!, numeric(x, t => loss(t, params)), 1e-7, 1e-6, `${layer} input gradient`);
    for (const [name, p] of Object.entries(params)) {
        expectAllclose(g.params[name]!, numeric(p, t => loss(x, { ...params, [name]: t })), 1e-7, 1e-6, `${layer} ${name} gradient`);
    }
}

describe('gradients agree with central differences', () => {
    it.each([
        ['batch_norm2d', [3, 2, 2, 2], {}, 'train'],
        ['batch_norm1d', [4, 3], { affine: false }, 'train'],
        ['batch_norm3d', [2, 2, 1, 2, 2], { momentum: null }, 'eval'],
        ['batch_norm1d', [3, 2, 4], { track_running_stats: false }, 'eval'],
        ['layer_norm', [2, 3, 4], { normalized_shape: [3, 4] }, 'train'],
        ['layer_norm', [3, 5], { normalized_shape: 5, elementwise_affine: false }, 'train'],
        ['group_norm', [2, 6, 3], { num_groups: 3 }, 'train'],
        ['group_norm', [2, 4, 2, 2], { num_groups: 1, affine: false }, 'eval'],
        ['local_response_norm', [2, 5, 3], { size: 3, alpha: 2, beta: 0.75, k: 1 }, 'train'],
        ['local_response_norm', [1, 3, 2, 2], { size: 6, alpha: 1, beta: 2, k: 0.5 }, 'train'],
        ['local_response_norm', [2, 4, 2], { size: 2, alpha: 0.5, beta: 0.5, k: 2 }, 'train'],
        ['softmax', [3, 4, 2], { dim: 1 }, 'train'],
        ['log_softmax', [3, 4], { dim: -1 }, 'train'],
        ['gelu', [4, 5], {}, 'train'],
        ['gelu', [4, 5], { approximate: 'tanh' }, 'train'],
        ['sigmoid', [4, 5], {}, 'train'],
        ['tanh', [4, 5], {}, 'train'],
        ['elu', [4, 5], { alpha: 1.5 }, 'train'],
    ] as Array<[string, number[], Record<string, JsonArg>, Mode]>)('%s on %j %j (%s)', (layer, shape, args, mode) => {
        checkGradients(layer, shape, args, mode);
    });
});

describe('float32', () => {
    it.each([
        ['batch_norm2d', [2, 3, 2, 2], {}],
        ['layer_norm', [2, 6], { normalized_shape: 6 }],
        ['group_norm', [2, 4, 3], { num_groups: 2 }],
        ['local_response_norm', [2, 4, 3], { size: 3 }],
        ['gelu', [3, 4], {}],
        ['softmax', [3, 4], { dim: 1 }],
        ['relu', [3, 4], {}],
    ] as Array<[string, number[], Record<string, JsonArg>]>)('%s keeps float32 and agrees with float64', (layer, shape, args) => {
        const x64 = randn(rng(`f32:${layer}`), shape);
        const x32 = astype(x64, 'float32');
        const run = (x: Tensor, dtype: DType) => {
            const { record, state } = setup(layer, shape, args, dtype);
            const f = forwardLayer(record, [x], state, options('train'));
            const dy = astype(randn(rng(`f32dy:${layer}`), shape), dtype);
            const g = backwardLayer(record, [x], state, options('train'), f, dy);
            return { y: f.output, dx: g.inputs[0]!, params: g.params, buffers: state.buffers };
        };
        const a = run(astype(x32, 'float64'), 'float64');
        const b = run(x32, 'float32');
        expect(b.y.dtype).toBe('float32');
        expect(b.dx.dtype).toBe('float32');
        expectAllclose(astype(b.y, 'float64'), a.y, 1e-6, 1e-6, 'output');
        expectAllclose(astype(b.dx, 'float64'), a.dx, 1e-5, 1e-5, 'input gradient');
        for (const [name, p] of Object.entries(b.params)) {
            expect(p.dtype).toBe('float32');
            expectAllclose(astype(p, 'float64'), a.params[name]!, 1e-5, 1e-5, name);
        }
        for (const [name, t] of Object.entries(b.buffers)) expect(t.dtype, name).toBe('float32');
    });
});
