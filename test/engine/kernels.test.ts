/**
 * The fast kernels against the naive reference on seeded random configurations (ranks 1–3,
 * strides, dilations, asymmetric padding, groups incl. depthwise, batch > 1, float32 and
 * float64), and the adjoint identities that make backward the exact transpose of forward.
 */
import { describe, expect, it } from 'vitest';
import { type ConvOptions, type ConvTransposeOptions, convGeometry, convTransposeOutputShape, jsKernels as fast, referenceKernels as ref, slidingWindows, wasmKernels } from '../../src/engine/kernels/index.js';
import type { Rng } from '../../src/engine/random.js';
import { type DType, type Tensor, astype, dot, fromArray, numel, zeros } from '../../src/tensor/tensor.js';
import { expectAllclose, randn, rng } from './helpers.js';

interface Case {
    readonly name: string;
    readonly x: number[];
    readonly w: number[];
    readonly options: ConvOptions;
}

function int(r: Rng, lo: number, hi: number): number {
    return lo + Math.floor(r.uniform() * (hi - lo + 1));
}

/** Random valid convolutions: every knob drawn independently, rejected when the output is empty. */
function randomCases(count: number): Case[] {
    const r = rng('conv-cases');
    const out: Case[] = [];
    while (out.length < count) {
        const rank = int(r, 1, 3);
        const groups = [1, 1, 2, 3, 4][int(r, 0, 4)]!;
        const depthwise = r.uniform() < 0.2;
        const cg = depthwise ? 1 : int(r, 1, 3);
        const mg = depthwise ? int(r, 1, 2) : int(r, 1, 6);
        const batch = int(r, 1, 3);
        const size: number[] = [];
        const kernel: number[] = [];
        const stride: number[] = [];
        const dilation: number[] = [];
        const padding: Array<[number, number]> = [];
        for (let a = 0; a < rank; a++) {
            size.push(int(r, 1, rank === 3 ? 6 : rank === 2 ? 11 : 19));
            kernel.push(int(r, 1, 4));
            stride.push(int(r, 1, 3));
            dilation.push(int(r, 1, 2));
            padding.push([int(r, 0, 3), int(r, 0, 3)]);
        }
        const options = { stride, dilation, padding, groups };
        const x = [batch, cg * groups, ...size];
        const w = [mg * groups, cg, ...kernel];
        try {
            convGeometry(x, w, options);
        } catch {
            continue; // empty output
        }
        out.push({ name: `conv${rank}d x${JSON.stringify(x)} w${JSON.stringify(w)} s${stride} d${dilation} p${JSON.stringify(padding)} g${groups}`, x, w, options });
    }
    return out;
}

const named: Case[] = [
    { name: "seed 003's conv2d_padded (2,3,17,24)*(4,3,5,8) stride (3,4) pad (6,8)", x: [2, 3, 17, 24], w: [4, 3, 5, 8], options: { stride: [3, 4], padding: [6, 8] } },
    { name: 'pointwise 1×1 conv (a plain GEMM)', x: [2, 12, 5, 7], w: [10, 12, 1, 1], options: {} },
    { name: 'strided 1×1 conv (ResNet shortcut)', x: [2, 8, 7, 7], w: [12, 8, 1, 1], options: { stride: 2 } },
    { name: 'depthwise 3×3', x: [2, 6, 9, 8], w: [6, 1, 3, 3], options: { groups: 6, padding: 1 } },
    { name: 'depthwise multiplier 2, strided, dilated', x: [1, 4, 13, 12], w: [8, 1, 3, 3], options: { groups: 4, stride: 2, dilation: 2, padding: 2 } },
    { name: 'grouped with 3 outputs per group (direct path)', x: [2, 6, 7, 6], w: [6, 3, 2, 3], options: { groups: 2, padding: [[0, 1], [2, 0]] } },
    { name: 'K > 256 and M not a multiple of 4 (blocking edges)', x: [1, 30, 9, 10], w: [13, 30, 3, 3], options: { padding: 1 } },
    { name: "'same' padding with an even kernel ([1, 2])", x: [2, 3, 10], w: [5, 3, 4], options: { padding: [[1, 2]] } },
    { name: 'conv3d with asymmetric padding', x: [1, 2, 4, 5, 6], w: [3, 2, 2, 3, 2], options: { padding: [[1, 0], 1, [0, 2]], stride: [1, 2, 1] } },
    { name: 'kernel larger than the unpadded input', x: [1, 2, 3, 3], w: [2, 2, 5, 5], options: { padding: 2 } },
];

const cases = [...named, ...randomCases(36)];
const dtypes: DType[] = ['float64', 'float32'];

/** Relative tolerance of a float32 result against the float64 reference: a few roundings of the output. */
function atolFor(dtype: DType, reference: Tensor): number {
    let m = 0;
    for (const v of reference.data) m = Math.max(m, Math.abs(v));
    return (dtype === 'float64' ? 1e-13 : 2e-7) * Math.max(1, m) * 4;
}

describe.each(dtypes)('convolution kernels in %s match the naive reference', dtype => {
    it.each(cases)('$name', ({ x: xShape, w: wShape, options }) => {
        const r = rng(`case:${xShape}:${wShape}:${JSON.stringify(options)}`);
        const x = randn(r, xShape, dtype);
        const w = randn(r, wShape, dtype);
        const b = randn(r, [wShape[0]!], dtype);
        // the reference runs in float64 on the same values: the float32 result must be its rounding
        const [x64, w64, b64] = [astype(x, 'float64'), astype(w, 'float64'), astype(b, 'float64')];
        const y0 = ref.convForward(x64, w64, b64, options);
        const y = fast.convForward(x, w, b, options);
        expect(y.dtype).toBe(dtype);
        expectAllclose(y, astype(y0, dtype), atolFor(dtype, y0), 0, 'y');

        const dy = randn(r, y0.shape, dtype);
        const dy64 = astype(dy, 'float64');
        const dx0 = ref.convBackwardInput(dy64, w64, xShape, options);
        expectAllclose(fast.convBackwardInput(dy, w, xShape, options), astype(dx0, dtype), atolFor(dtype, dx0), 0, 'dx');
        const g0 = ref.convBackwardWeight(x64, dy64, wShape, options, true);
        const g = fast.convBackwardWeight(x, dy, wShape, options, true);
        expectAllclose(g.dw, astype(g0.dw, dtype), atolFor(dtype, g0.dw), 0, 'dw');
        expectAllclose(g.db!, astype(g0.db!, dtype), atolFor(dtype, g0.db!), 0, 'db');
    });
});

describe('adjoint identities (float64)', () => {
    it.each(cases)('⟨conv(x), dy⟩ = ⟨x, dX(dy)⟩ = ⟨w, dW(x, dy)⟩ for $name', ({ x: xShape, w: wShape, options }) => {
        const r = rng(`adjoint:${xShape}:${wShape}`);
        const x = randn(r, xShape);
        const w = randn(r, wShape);
        const y = fast.convForward(x, w, null, options);
        const dy = randn(r, y.shape);
        const lhs = dot(y, dy);
        const scale = Math.sqrt(numel(y.shape) * numel(wShape)) + 1;
        expect(Math.abs(dot(x, fast.convBackwardInput(dy, w, xShape, options)) - lhs)).toBeLessThan(1e-12 * scale);
        expect(Math.abs(dot(w, fast.convBackwardWeight(x, dy, wShape, options).dw) - lhs)).toBeLessThan(1e-12 * scale);
    });
});

describe('transposed convolution', () => {
    const transposed: Array<{ name: string; x: number[]; w: number[]; options: ConvTransposeOptions }> = [
        { name: 'seed 003: conv_transpose2d stride (3,4) padding (6,8) inverts the padded conv shape', x: [2, 4, 9, 9], w: [4, 3, 5, 8], options: { stride: [3, 4], padding: [6, 8] } },
        { name: 'grouped with output_padding', x: [2, 4, 5, 4], w: [4, 3, 3, 2], options: { stride: 2, padding: 1, outputPadding: [1, 1], groups: 2 } },
        { name: 'output_padding ≥ stride (allowed by dilation)', x: [1, 2, 4], w: [2, 3, 3], options: { stride: 1, dilation: 3, outputPadding: 2 } },
        { name: 'depthwise 3-D', x: [1, 3, 3, 4, 3], w: [3, 1, 2, 3, 2], options: { stride: [2, 1, 2], padding: [0, 1, 1], groups: 3 } },
        { name: '1-D, stride 4, kernel 2 (holes in the output)', x: [2, 3, 6], w: [3, 2, 2], options: { stride: 4 } },
    ];
    it.each(transposed)('matches PyTorch’s scatter definition: $name', ({ x: xShape, w: wShape, options }) => {
        const r = rng(`transposed:${xShape}`);
        const x = randn(r, xShape);
        const w = randn(r, wShape);
        const b = randn(r, [wShape[1]! * (options.groups ?? 1)]);
        const y0 = ref.convTransposeForward(x, w, b, options);
        expect(y0.shape).toEqual(convTransposeOutputShape(xShape, wShape, options));
        expectAllclose(fast.convTransposeForward(x, w, b, options), y0, 1e-12, 0, 'y');
        const dy = randn(r, y0.shape);
        const dx = fast.convTransposeBackwardInput(dy, w, xShape, options);
        expectAllclose(dx, ref.convTransposeBackwardInput(dy, w, xShape, options), 1e-12, 0, 'dx');
        const g = fast.convTransposeBackwardWeight(x, dy, wShape, options, true);
        const g0 = ref.convTransposeBackwardWeight(x, dy, wShape, options, true);
        expectAllclose(g.dw, g0.dw, 1e-12, 0, 'dw');
        expectAllclose(g.db!, g0.db!, 1e-12, 0, 'db');
        // adjoints
        const yNoBias = fast.convTransposeForward(x, w, null, options);
        const lhs = dot(yNoBias, dy);
        expect(dot(x, dx)).toBeCloseTo(lhs, 9);
        expect(dot(w, g.dw)).toBeCloseTo(lhs, 9);
    });

    it('is the input gradient of the convolution with the same arguments (seed 003)', () => {
        const r = rng('transposed-is-dx');
        const opts = { stride: [3, 4], padding: [6, 8] };
        const w = randn(r, [4, 3, 5, 8]);
        const dy = randn(r, [2, 4, 9, 9]);
        const viaConv = fast.convBackwardInput(dy, w, [2, 3, 17, 24], opts);
        const viaTransposed = fast.convTransposeForward(dy, w, null, opts);
        expectAllclose(viaTransposed, viaConv, 0, 0, 'conv_transpose2d = conv2d input gradient');
    });
});

describe.each([fast, wasmKernels].map(k => [k.name, k] as const))('pooling kernels (%s) match the naive reference', (_, fast) => {
    const r = rng('pool-cases');
    const pools = Array.from({ length: 24 }, (_, i) => {
        const rank = 1 + (i % 3);
        const size = Array.from({ length: rank }, () => int(r, 3, rank === 3 ? 7 : 12));
        const kernel = size.map(() => int(r, 1, 3));
        const ceilMode = r.uniform() < 0.5;
        const windows = size.map((n, a) => slidingWindows(n, {
            kernel: kernel[a]!, stride: int(r, 1, 3), padding: int(r, 0, Math.floor(kernel[a]! / 2)),
            dilation: i % 4 === 0 ? 2 : 1, ceilMode,
        }));
        const mode = (['max', 'min', 'avg'] as const)[i % 3]!;
        return { name: `${mode} pool ${rank}d on ${size} #${i}`, shape: [2, 3, ...size], spec: { mode, windows, countIncludePad: i % 2 === 0, divisorOverride: i % 5 === 0 ? 3 : null } };
    }).filter(p => p.spec.windows.every(w => w.outSize > 0));
    it.each(pools)('$name', ({ shape, spec }) => {
        const rr = rng(`pool:${shape}`);
        // values rounded to halves so max windows have ties
        const x = fromArray(randn(rr, shape).data.map(v => Math.round(v * 2) / 2), shape, 'float64');
        const a = fast.poolForward(x, spec);
        const b = ref.poolForward(x, spec);
        expectAllclose(a.y, b.y, 1e-14, 0, 'y');
        expect(a.indices).toEqual(b.indices);
        const dy = randn(rr, a.y.shape);
        expectAllclose(fast.poolBackward(dy, shape, spec, a.indices), ref.poolBackward(dy, shape, spec, b.indices), 1e-14, 0, 'dx');
        // float32 gives the same result, rounded
        const a32 = fast.poolForward(astype(x, 'float32'), spec);
        expectAllclose(a32.y, astype(a.y, 'float32'), 1e-6, 1e-6, 'y float32');
    });

    it('routes max ties to the first index in window order, and NaN wins', () => {
        const x = fromArray([1, 3, 3, 0, 3, 2, NaN, 1, 5], [1, 1, 9], 'float64');
        const spec = { mode: 'max' as const, windows: [slidingWindows(9, { kernel: 3, stride: 3 })] };
        const { y, indices } = fast.poolForward(x, spec);
        expect(Array.from(indices!)).toEqual([1, 4, 6]);
        expect(y.data[0]).toBe(3);
        expect(Number.isNaN(y.data[2])).toBe(true);
        const dx = fast.poolBackward(fromArray([10, 20, 30], [1, 1, 3], 'float64'), [1, 1, 9], spec, indices);
        expect(Array.from(dx.data)).toEqual([0, 10, 0, 0, 20, 0, 30, 0, 0]);
    });
});

describe('gemm', () => {
    const shapes = [
        { m: 1, n: 1, k: 1 }, { m: 5, n: 9, k: 3 }, { m: 4, n: 8, k: 300 }, { m: 131, n: 37, k: 270 },
        { m: 7, n: 4100, k: 5 }, { m: 130, n: 4103, k: 2 },
    ];
    const flags = [[false, false], [true, false], [false, true], [true, true]] as const;
    it.each(shapes.flatMap(s => flags.map(([ta, tb]) => ({ ...s, ta, tb }))))('m=$m n=$n k=$k transA=$ta transB=$tb', ({ m, n, k, ta, tb }) => {
        const r = rng(`gemm:${m}:${n}:${k}`);
        for (const dtype of dtypes) {
            // operands embedded at offsets with padded leading dimensions
            const lda = (ta ? m : k) + 3;
            const ldb = (tb ? k : n) + 1;
            const ldc = n + 2;
            const a = randn(r, [2 + (ta ? k : m) * lda], dtype).data;
            const b = randn(r, [5 + (tb ? n : k) * ldb], dtype).data;
            const c0 = randn(r, [1 + m * ldc], dtype).data;
            const spec = { m, n, k, a, aOffset: 2, lda, transA: ta, b, bOffset: 5, ldb, transB: tb, ldc, cOffset: 1, alpha: 0.5, beta: -2 };
            const c1 = c0.slice();
            const c2 = c0.slice();
            fast.gemm({ ...spec, c: c1 });
            ref.gemm({ ...spec, c: c2 });
            expectAllclose({ shape: [c1.length], data: c1, dtype } as Tensor, { shape: [c2.length], data: c2, dtype } as Tensor, dtype === 'float64' ? 1e-12 * Math.sqrt(k) : 1e-5 * Math.sqrt(k), 1e-6, 'C');
        }
    });

    it('overwrites C when beta = 0, ignoring NaNs there (BLAS semantics)', () => {
        const c = new Float64Array([NaN, NaN]);
        fast.gemm({ m: 1, n: 2, k: 1, a: new Float64Array([2]), lda: 1, b: new Float64Array([3, 4]), ldb: 2, c, ldc: 2 });
        expect(Array.from(c)).toEqual([6, 8]);
    });

    it('rejects operands that overrun their arrays', () => {
        expect(() => fast.gemm({ m: 2, n: 2, k: 2, a: new Float64Array(3), lda: 2, b: new Float64Array(4), ldb: 2, c: new Float64Array(4), ldc: 2 })).toThrow(/A \(2×2, ld 2, offset 0\) overruns its array of 3/);
    });
});

describe('im2col and col2im', () => {
    it.each(cases.slice(0, 12))('match the reference and are adjoint: $name', ({ x: xShape, w: wShape, options }) => {
        const g = convGeometry(xShape, wShape, options);
        const r = rng(`im2col:${xShape}`);
        const x = randn(r, xShape);
        const cg = g.inChannels / g.groups;
        const rows = cg * g.kernel[0] * g.kernel[1] * g.kernel[2];
        const P = g.outSize[0] * g.outSize[1] * g.outSize[2];
        const n = g.batch - 1;
        const c0 = (g.groups - 1) * cg;
        const a = new Float64Array(rows * P);
        const b = new Float64Array(rows * P).fill(7);
        fast.im2col(x.data, g, n, c0, cg, a);
        ref.im2col(x.data, g, n, c0, cg, b);
        expect(a).toEqual(b);
        // ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩
        const c = randn(r, [rows * P]).data as Float64Array;
        const dx = zeros(xShape, 'float64');
        fast.col2im(c, g, n, c0, cg, dx.data);
        const dx0 = zeros(xShape, 'float64');
        ref.col2im(c, g, n, c0, cg, dx0.data);
        expectAllclose(dx, dx0, 1e-12, 0, 'col2im');
        let lhs = 0;
        for (let i = 0; i < a.length; i++) lhs += a[i]! * c[i]!;
        expect(dot(x, dx)).toBeCloseTo(lhs, 9);
    });
});

describe('argument checks', () => {
    it('names expected and actual numbers', () => {
        const x = zeros([1, 4, 5, 5], 'float64');
        expect(() => fast.convForward(x, zeros([2, 3, 3, 3], 'float64'), null)).toThrow('weight [2, 3, 3, 3] expects 3 input channels (groups 1), input [1, 4, 5, 5] has 4');
        expect(() => fast.convForward(x, zeros([3, 2, 3, 3], 'float64'), null, { groups: 2 })).toThrow('output channels 3 are not divisible by groups 2');
        expect(() => fast.convForward(x, zeros([2, 4, 7, 7], 'float64'), null)).toThrow(/convolution output \[-1, -1\] is empty/);
        expect(() => fast.convForward(x, zeros([2, 4, 3, 3], 'float32'), null)).toThrow('convForward: mixed dtypes float64 and float32');
        expect(() => fast.convForward(x, zeros([2, 4, 3, 3], 'float64'), zeros([3], 'float64'))).toThrow('bias has shape [3], expected [2]');
        expect(() => fast.convForward(x, zeros([2, 4, 3, 3], 'float64'), null, { stride: [1, 2, 3] })).toThrow('stride has 3 entries for 2 spatial axes');
    });
});

describe('repeated calls', () => {
    it('give identical results (scratch buffers are reused, never leaked between calls)', () => {
        const r = rng('repeat');
        const big = { x: randn(r, [1, 5, 20, 20], 'float32'), w: randn(r, [7, 5, 3, 3], 'float32') };
        const small = { x: randn(r, [2, 3, 6, 6], 'float32'), w: randn(r, [4, 3, 3, 3], 'float32') };
        const first = fast.convForward(small.x, small.w, null, { padding: 1 });
        fast.convForward(big.x, big.w, null, { padding: 1 });
        fast.convBackwardWeight(big.x, fast.convForward(big.x, big.w, null), [7, 5, 3, 3]);
        expect(fast.convForward(small.x, small.w, null, { padding: 1 }).data).toEqual(first.data);
    });
});
