/**
 * The seed notebooks' worked examples, run through the engine as .conv programs: every value the
 * notebooks print (seeds 001–004) must come out of our layers. (Seed 000 is in
 * test/engine/seed000.test.ts; seed 002's k=2 examples truncate the output to the input length,
 * which no PyTorch layer does, and are left out.)
 */
import { describe, expect, it } from 'vitest';
import { NetworkModel } from '../../src/engine/network.js';
import { type Tensor, tensor } from '../../src/tensor/tensor.js';
import { analyse } from '../helpers.js';

function t(values: ArrayLike<number>, shape: number[]): Tensor<'float64'> {
    return tensor(Float64Array.from(values as ArrayLike<number>), shape);
}

function linspace(a: number, b: number, n: number): number[] {
    return Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));
}

/** Builds the network, replaces parameters by `params` (by layer index and name) and runs forward + backward. */
async function run(text: string, input: Tensor, params: Record<number, Record<string, Tensor>> = {}, gradOutput?: (shape: readonly number[]) => Tensor) {
    const { analysis, diagnostics } = await analyse(text);
    expect(diagnostics.filter(d => d.severity === 1).map(d => d.message)).toEqual([]);
    const model = new NetworkModel(analysis.networks[0]!, { dtype: 'float64', mode: 'train', seed: 0, batch: input.shape[0] });
    for (const [i, p] of Object.entries(params)) Object.assign(model.states[Number(i)]!.params, p);
    const pass = model.forward([input]);
    const dy = gradOutput ? gradOutput(pass.output.shape) : t(new Array(pass.output.data.length).fill(1), [...pass.output.shape]);
    const back = model.backward(pass, dy);
    return { output: pass.output, inputGrad: back.inputs[0]!, paramGrads: back.params };
}

function nested(x: Tensor): unknown {
    const rec = (offset: number, dim: number): unknown => {
        if (dim === x.shape.length) return x.data[offset];
        const stride = x.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
        return Array.from({ length: x.shape[dim]! }, (_, i) => rec(offset + i * stride, dim + 1));
    };
    return rec(0, 0);
}

function expectClose(actual: Tensor, expected: number[], digits: number) {
    expect(actual.data.length).toBe(expected.length);
    actual.data.forEach((v, i) => expect(v, `element ${i}`).toBeCloseTo(expected[i]!, digits));
}

describe('seed 001: convolution with stride 2 and padding 1 on linspace data', () => {
    it('reproduces convolution_3d_layer_forward(x, w, b, 2, 1)', async () => {
        const x = t(linspace(-0.1, 0.5, 96), [2, 3, 4, 4]);
        const w = t(linspace(-0.2, 0.3, 144), [3, 3, 4, 4]);
        const b = t(linspace(-0.1, 0.2, 3), [3]);
        const { output } = await run(`network S { input x: [N, 3, 4, 4]\n conv2d(3, kernel_size=4, stride=2, padding=1) }`, x, { 0: { weight: w, bias: b } });
        expectClose(output, [
            -0.08759809, -0.10987781, -0.18387192, -0.2109216, 0.21027089, 0.21661097, 0.22847626, 0.23004637, 0.50813986, 0.54309974, 0.64082444, 0.67101435,
            -0.98053589, -1.03143541, -1.19128892, -1.24695841, 0.69108355, 0.66880383, 0.59480972, 0.56776003, 2.36270298, 2.36904306, 2.38090835, 2.38247847,
        ], 7);
    });

    it('reproduces naive_convolution of the 10/0 image with the Sobel kernel', async () => {
        const A = [...new Array(18).fill(10), ...new Array(18).fill(0)];
        const k = t([1, 2, 1, 0, 0, 0, -1, -2, -1], [1, 1, 3, 3]);
        const { output } = await run(`network S { input x: [1, 1, 6, 6]\n conv2d(1, kernel_size=3, bias=false) }`, t(A, [1, 1, 6, 6]), { 0: { weight: k } });
        expect(nested(output)).toEqual([[[[0, 0, 0, 0], [40, 40, 40, 40], [40, 40, 40, 40], [0, 0, 0, 0]]]]);
    });
});

describe('seed 002: 1-D convolution, its sum and its gradients by hand', () => {
    const conv = (k: number) => `network S { input x: [N, 1, ${k}]\n conv1d(1, kernel_size=3, padding=1, bias=false) }`;

    it('convolves 1..9 with [1, 2, 3] into [8, 14, ..., 26]', async () => {
        const { output } = await run(conv(9), t([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 1, 9]), { 0: { weight: t([1, 2, 3], [1, 1, 3]) } });
        expect(Array.from(output.data)).toEqual([8, 14, 20, 26, 32, 38, 44, 50, 26]);
    });

    it('sums to 39, and dL/dw[0] = 10 is the finite difference the notebook measures', async () => {
        const { output, paramGrads } = await run(conv(5), t([1, 2, 3, 4, 5], [1, 1, 5]), { 0: { weight: t([1, 1, 1], [1, 1, 3]) } });
        expect(Array.from(output.data).reduce((a, b) => a + b)).toBe(39);
        expect(paramGrads[0]!['weight']!.data[0]).toBe(10);
    });

    it('gives the input gradients [2, 3, 3, 2] and [12, 16, 7]', async () => {
        const a = await run(conv(4), t([10, 11, 12, 13], [1, 1, 4]), { 0: { weight: t([1, 1, 1], [1, 1, 3]) } });
        expect(Array.from(a.inputGrad.data)).toEqual([2, 3, 3, 2]);
        const b = await run(conv(3), t([90, 23, 43], [1, 1, 3]), { 0: { weight: t([9, 3, 4], [1, 1, 3]) } });
        expect(Array.from(b.inputGrad.data)).toEqual([12, 16, 7]);
    });

    it('convolves a batch of two rows with [1, 1, 1]', async () => {
        const { output } = await run(conv(7), t([0, 1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6, 7], [2, 1, 7]), { 0: { weight: t([1, 1, 1], [1, 1, 3]) } });
        expect(nested(output)).toEqual([[[1, 3, 6, 9, 12, 15, 11]], [[3, 6, 9, 12, 15, 18, 13]]]);
    });
});

describe('seed 003: transposed convolution and local response normalisation', () => {
    it('conv_transpose2d is the input gradient of conv2d with the same stride and padding', async () => {
        const K = t(linspace(-1, 1, 4 * 3 * 5 * 8), [4, 3, 5, 8]);
        const dY = t(linspace(-2, 3, 2 * 4 * 9 * 9).map(v => Math.sin(7 * v)), [2, 4, 9, 9]);
        const conv = await run(`network C { input x: [2, 3, 17, 24]\n conv2d(4, kernel_size=(5, 8), stride=(3, 4), padding=(6, 8), bias=false) }`,
            t(new Array(2 * 3 * 17 * 24).fill(0), [2, 3, 17, 24]), { 0: { weight: K } }, () => dY);
        const transposed = await run(`network T { input y: [2, 4, 9, 9]\n conv_transpose2d(3, kernel_size=(5, 8), stride=(3, 4), padding=(6, 8), bias=false) }`, dY, { 0: { weight: K } });
        expect(transposed.output.shape).toEqual([2, 3, 17, 24]);
        transposed.output.data.forEach((v, i) => expect(v).toBeCloseTo(conv.inputGrad.data[i]!, 12));
    });

    it("matches the notebook's LRN (sum over channels i−n/2 .. i+n/2−1) with PyTorch's alpha·n", async () => {
        const X = t(linspace(-3, 3, 2 * 14 * 9 * 7).map(v => Math.cos(5 * v) * 2), [2, 14, 9, 7]);
        const { output } = await run(`network L { input x: [2, 14, 9, 7]\n local_response_norm(6, alpha=0.0006, beta=0.75, k=1) }`, X);
        const [, C, H, W] = [2, 14, 9, 7];
        const at = (e: number, c: number, y: number, x: number) => X.data[((e * C + c) * H + y) * W + x]!;
        for (const [e, c, y, x] of [[0, 0, 0, 0], [1, 13, 8, 6], [0, 5, 3, 2], [1, 2, 7, 1]] as const) {
            let ss = 0;
            for (let j = Math.max(0, c - 3); j < Math.min(C, c + 3); j++) ss += at(e, j, y, x) ** 2;
            expect(output.data[((e * C + c) * H + y) * W + x]).toBeCloseTo(at(e, c, y, x) / (1 + 1e-4 * ss) ** 0.75, 12);
        }
    });
});

describe('seed 004: convolution, pooling, groups and batch norm on a 6×6 integer image', () => {
    const input = [2, 7, 6, 4, 6, 5, 0, 4, 0, 3, 8, 4, 0, 4, 1, 2, 5, 5, 7, 6, 9, 6, 3, 1, 9, 3, 1, 9, 7, 9, 2, 0, 5, 9, 3, 4];
    const second = [9, 6, 2, 0, 6, 2, 7, 9, 7, 3, 3, 4, 3, 7, 0, 9, 0, 9, 6, 9, 5, 4, 8, 8, 6, 0, 0, 0, 0, 1, 3, 0, 1, 1, 7, 9];
    const identity = t([0, 0, 0, 0, 1, 0, 0, 0, 0], [1, 1, 3, 3]);
    const image = t(input, [1, 1, 6, 6]);

    it.each([
        [1, 0, 1, [4, 0, 3, 8, 4, 1, 2, 5, 6, 9, 6, 3, 3, 1, 9, 7]],
        [2, 0, 1, [4, 3, 6, 6]],
        [1, 1, 1, input],
        [1, 1, 2, [4, 0, 3, 8, 4, 1, 2, 5, 6, 9, 6, 3, 3, 1, 9, 7]],
    ])('convolves with the identity kernel at stride %i, padding %i, dilation %i', async (s, p, d, expected) => {
        const { output } = await run(`network C { input x: [1, 1, 6, 6]\n conv2d(1, kernel_size=3, stride=${s}, padding=${p}, dilation=${d}, bias=false) }`, image, { 0: { weight: identity } });
        expect(Array.from(output.data)).toEqual(expected);
    });

    it.each([
        ['max_pool2d(2, stride=2)', [7, 6, 8, 7, 9, 5, 9, 9, 9]],
        ['max_pool2d(2, stride=2, padding=1)', [2, 7, 6, 5, 0, 4, 8, 5, 9, 9, 9, 9, 2, 5, 9, 4]],
        ['max_pool2d(2, stride=2, padding=1, dilation=2)', [4, 4, 4, 6, 6, 6, 6, 9, 9]],
        ['avg_pool2d(2)', [3.25, 3.25, 5.75, 4.25, 4.5, 3.5, 3.5, 6, 5.75]],
    ])('pools with %s', async (call, expected) => {
        const { output } = await run(`network P { input x: [1, 1, 6, 6]\n ${call} }`, image);
        expect(Array.from(output.data)).toEqual(expected);
    });

    it('computes the groups example: one-hot 3×3 filters over two channels', async () => {
        const filter = new Array(4 * 2 * 9).fill(0);
        let k = 0;
        for (let i = 0; i < 4; i++) for (let j = 0; j < 2; j++) filter[(i * 2 + j) * 9 + k++] = 1;
        const { output } = await run(`network G { input x: [1, 2, 6, 6]\n conv2d(4, kernel_size=3, bias=false) }`, t([...input, ...second], [1, 2, 6, 6]), { 0: { weight: t(filter, [4, 2, 3, 3]) } });
        expect(output.shape).toEqual([1, 4, 4, 4]);
        expect(Array.from(output.data.slice(0, 8))).toEqual([8, 9, 6, 10, 9, 11, 3, 6]);
    });

    it("normalises with the batch's biased variance, as nn.BatchNorm2d does in training", async () => {
        const x = t([1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7], [2, 2, 2, 2]);
        const { output } = await run(`network B { input x: [2, 2, 2, 2]\n batch_norm2d() }`, x);
        expectClose(output, [0.1187, -0.8307, -0.8307, -0.8307, -1.0422, -0.6797, -1.0422, -1.0422, -0.8307, 0.1187, 1.0681, 2.0175, 0.4078, 0.7703, 1.1329, 1.4954], 4);
    });
});
