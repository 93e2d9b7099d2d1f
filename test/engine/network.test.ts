/**
 * Network execution and gradient checks over analysed programs: reproducibility, fan-out
 * accumulation, the memory budget, and gradient checks that fail on a wrong backward and skip
 * (not fail) steps that cross a kink.
 */
import { describe, expect, it, vi } from 'vitest';
import { gradcheck, GRADCHECK_DEFAULTS } from '../../src/engine/gradcheck.js';
import { lossOf, NetworkModel } from '../../src/engine/network.js';
import { getLayer } from '../../src/layers/index.js';
import { clone, tensor } from '../../src/tensor/tensor.js';
import { analyse } from '../helpers.js';

async function network(text: string) {
    const { analysis, diagnostics } = await analyse(text);
    expect(diagnostics.filter(d => d.severity === 1).map(d => d.message)).toEqual([]);
    return analysis.networks[0]!;
}

const SMALL = `
network Small {
    input x: [N, 2, 6, 6]
    a = conv2d(3, kernel_size=3, padding=1) -> relu()
    b = a -> conv2d(3, kernel_size=3, padding=1)
    add(a, b) -> max_pool2d(2) -> flatten() -> linear(4)
}`;

const options = { ...GRADCHECK_DEFAULTS, dtype: 'float64' as const, mode: 'train' as const };

describe('running a network', () => {
    it('is bit-identical for the same seed and differs for another', async () => {
        const net = await network(SMALL);
        const run = (seed: number) => {
            const model = new NetworkModel(net, { dtype: 'float32', mode: 'train', seed, batch: 2 });
            return model.forward(model.sampleInputs()).output;
        };
        const a = run(7), b = run(7), c = run(8);
        expect(a.shape).toEqual([2, 4]);
        expect(Array.from(a.data)).toEqual(Array.from(b.data));
        expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
    });

    it('accumulates the gradient of a tensor used twice', async () => {
        const net = await network(`network Twice {\n    input x: [1, 4]\n    a = relu()\n    add(a, a)\n}`);
        const model = new NetworkModel(net, { dtype: 'float64', mode: 'train', seed: 0 });
        const x = tensor(Float64Array.from([-1, 2, -3, 4]), [1, 4]);
        const pass = model.forward([x]);
        const R = tensor(Float64Array.from([1, 1, 1, 1]), [1, 4]);
        expect(Array.from(model.backward(pass, R).inputs[0]!.data)).toEqual([0, 2, 0, 2]);
    });

    it('stops before allocating beyond the memory budget, naming the layer and the bytes', async () => {
        const net = await network(`network Big {\n    input x: [N, 3, 512, 512]\n    conv2d(64, kernel_size=3, padding=1)\n    conv2d(64, kernel_size=3, padding=1)\n}`);
        expect(() => new NetworkModel(net, { dtype: 'float64', mode: 'train', seed: 0, batch: 4, memoryBudget: 1024 ** 3 }))
            .toThrow(/more than 1\.00 GiB \(the memory budget\) by layer 01_conv2d \(line 3, output \[N, 64, 512, 512\]\): 1\.\d+ GiB so far/);
    });

    it('given an earlier pass, recomputes from a layer on and gives exactly what a fresh pass does', async () => {
        const net = await network(`network E {\n    input x: [N, 2, 5, 5]\n    conv2d(3, kernel_size=3) -> tanh() -> relu()\n    flatten() -> linear(4) -> sigmoid()\n}`);
        const model = new NetworkModel(net, { dtype: 'float64', mode: 'train', seed: 1, batch: 2 });
        const [x] = model.sampleInputs();
        const base = model.forward([x!]);
        const shifted = clone(x!);
        shifted.data[7] = shifted.data[7]! + 1e-3;
        expect(Array.from(model.forward([shifted], { base }).output.data)).toEqual(Array.from(model.forward([shifted]).output.data));
        const conv = model.states[0]!;
        const weight = clone(conv.params['weight']!);
        weight.data[0] = weight.data[0]! - 1e-3;
        const states = new Map([[0, { params: { ...conv.params, weight }, buffers: conv.buffers }]]);
        const linear = model.states[4]!;
        const bias = clone(linear.params['bias']!);
        bias.data[1] = bias.data[1]! + 1e-3;
        const later = new Map([[4, { params: { ...linear.params, bias }, buffers: linear.buffers }]]);
        expect(Array.from(model.forward([x!], { base, states }).output.data)).toEqual(Array.from(model.forward([x!], { states }).output.data));
        expect(Array.from(model.forward([x!], { from: 4, base, states: later }).output.data)).toEqual(Array.from(model.forward([x!], { states: later }).output.data));
    });

    it('refuses a network with errors', async () => {
        const { analysis } = await analyse(`network Bad {\n    input x: [N, 3, 8, 8]\n    conv2d(4, kernel_size=9)\n}`);
        expect(() => new NetworkModel(analysis.networks[0]!, { dtype: 'float32', mode: 'train', seed: 0 })).toThrow(/has errors/);
    });
});

describe('gradient checks', () => {
    it('pass per layer and end to end on a small residual network', async () => {
        const report = gradcheck(await network(SMALL), { ...options, batch: 2 });
        expect(report.checks.filter(c => c.status !== 'passed')).toEqual([]);
        expect(report.passed).toBe(true);
        expect(report.loss).toBe('sum(output * R), R ~ N(0,1) seed 0');
        const scopes = new Set(report.checks.map(c => `${c.scope}:${c.tensor}`));
        expect(scopes).toContain('layer:weight');
        expect(scopes).toContain('network:input');
        expect(scopes).toContain('network:bias');
    });

    it('fail, naming the worst index, when a backward is wrong', async () => {
        const net = await network(`network L {\n    input x: [N, 5]\n    linear(3)\n}`);
        const linear = getLayer('linear')!;
        const real = linear.backward!.bind(linear);
        const spy = vi.spyOn(linear, 'backward').mockImplementation(ctx => {
            const g = real(ctx);
            const w = g.params['weight']!;
            const wrong = tensor(Float64Array.from(w.data), w.shape);
            wrong.data[4] = wrong.data[4]! + 0.5;
            return { ...g, params: { ...g.params, weight: wrong } };
        });
        try {
            const report = gradcheck(net, options);
            const failed = report.checks.filter(c => c.status === 'failed');
            expect(failed.map(c => [c.scope, c.tensor, c.worstIndex])).toEqual([['layer', 'weight', [0, 4]], ['network', 'weight', [0, 4]]]);
            expect(report.passed).toBe(false);
        } finally {
            spy.mockRestore();
        }
    });

    it('skip, with the reason, elements whose step crosses relu at 0 — and still check the rest', async () => {
        const net = await network(`network R {\n    input x: [1, 4]\n    relu()\n}`);
        const x = tensor(Float64Array.from([0, 1, -2, 3]), [1, 4]);
        const report = gradcheck(net, { ...options, scopes: ['network'], inputs: [x] });
        const check = report.checks.find(c => c.tensor === 'input')!;
        expect(check.status).toBe('passed');
        expect(check.checked).toBe(3);
        expect(check.note).toMatch(/1 of 4 checked elements skipped: the finite-difference step crossed relu at 0/);
    });

    it('in fast mode compare one random projection per tensor', async () => {
        const report = gradcheck(await network(SMALL), { ...options, fast: true, batch: 2 });
        expect(report.passed).toBe(true);
        expect(report.checks.every(c => c.note?.includes('random projection'))).toBe(true);
    });

    it('report progress and stop when cancelled', async () => {
        let calls = 0;
        const report = gradcheck(await network(SMALL), { ...options, progress: () => ++calls >= 2 });
        expect(report.cancelled).toBe(true);
        expect(report.passed).toBe(false);
    });
});

describe('the loss', () => {
    it('is the float64 sum of output times R', () => {
        expect(lossOf(tensor(Float32Array.from([1, 2]), [2]), tensor(Float32Array.from([3, 4]), [2]))).toBe(11);
    });
});

describe('gradient check relative errors', () => {
    it('count only elements whose gradient is above atol: a conv bias before batch norm has ~0 gradient, not a relative error of 1', async () => {
        const net = await network(`network B {\n    input x: [N, 2, 5, 5]\n    conv2d(3, kernel_size=3) -> batch_norm2d()\n}`);
        const report = gradcheck(net, { ...options, batch: 2 });
        const bias = report.checks.filter(c => c.op === 'conv2d' && c.tensor === 'bias');
        expect(bias.length).toBeGreaterThan(0);
        for (const c of bias) {
            expect(c.status).toBe('passed');
            expect(c.maxAbsError).toBeLessThan(1e-5);
            expect(c.maxRelError).toBeLessThan(1e-3);
        }
        expect(report.passed).toBe(true);
    });
});
