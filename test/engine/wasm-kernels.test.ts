/**
 * The WebAssembly SIMD kernels (`wasmKernels`, src/engine/kernels/wasm.ts + wasm/kernels.wat) against
 * the naive reference: the GEMM on edge sizes (m, n, k = 1, odd, not multiples of the 4×8 / 4×4
 * tiles, k across the 256-deep blocks, transposes, alpha/beta, offsets), and forward / backward
 * convolutions on seeded random shapes and options (ranks 1–3, strides, dilation, groups, padding,
 * batch > 1, float32 and float64), plus transposed convolutions.
 */
import { describe, expect, it } from 'vitest';
import { type ConvOptions, type ConvTransposeOptions, convGeometry, kernels, referenceKernels as ref, releaseScratch, wasmKernels as wk, wasmSimdAvailable } from '../../src/engine/kernels/index.js';
import { parallelStats, setThreads, startWorkers, workersReady } from '../../src/engine/kernels/wasm-runtime.js';
import type { Rng } from '../../src/engine/random.js';
import { type DType, type Tensor, astype } from '../../src/tensor/tensor.js';
import { expectAllclose, inPlainSimdChild, randn, rng } from './helpers.js';

const available = wasmSimdAvailable().simd;

function int(r: Rng, lo: number, hi: number): number {
    return lo + Math.floor(r.uniform() * (hi - lo + 1));
}

function maxAbs(t: Tensor | Float32Array | Float64Array): number {
    let m = 0;
    for (const v of 'data' in t ? t.data : t) m = Math.max(m, Math.abs(v));
    return m;
}

describe('WebAssembly SIMD availability', () => {
    it('is detected on this Node (SIMD128 is on by default since Node 16.4)', () => {
        expect(available).toBe(true);
        expect(wk.name).toBe('wasm');
    });

    it('is the default unless CONVSCOPE_KERNELS=js', () => {
        expect(kernels().name).toBe(process.env.CONVSCOPE_KERNELS === 'js' ? 'js' : 'wasm');
    });

    it('survives releaseScratch (a fresh instance and memory)', () => {
        const r = rng('wasm-release');
        const x = randn(r, [1, 3, 6, 6]);
        const w = randn(r, [5, 3, 3, 3]);
        const y1 = wk.convForward(x, w, null, { padding: 1 });
        releaseScratch();
        const y2 = wk.convForward(x, w, null, { padding: 1 });
        expectAllclose(y2, y1, 0, 0, 'y after release');
    });
});

describe.skipIf(!available)('wasmGemm on edge sizes', () => {
    const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 13, 17];
    interface GemmCase { m: number; n: number; k: number; transA: boolean; transB: boolean; alpha: number; beta: number; dtype: 'float32' | 'float64' | 'mixed' }
    const r = rng('wasm-gemm-cases');
    const cases: GemmCase[] = [];
    for (const m of sizes) for (const n of [1, 3, 8, 9, 17]) cases.push({ m, n, k: sizes[int(r, 0, sizes.length - 1)]!, transA: r.uniform() < 0.5, transB: r.uniform() < 0.5, alpha: 1, beta: 0, dtype: r.uniform() < 0.5 ? 'float32' : 'float64' });
    cases.push({ m: 5, n: 9, k: 600, transA: false, transB: false, alpha: 1, beta: 0, dtype: 'float64' });
    cases.push({ m: 6, n: 11, k: 513, transA: true, transB: true, alpha: 1, beta: 1, dtype: 'float32' });
    cases.push({ m: 1, n: 1, k: 1, transA: false, transB: false, alpha: 2, beta: 0.5, dtype: 'float64' });
    cases.push({ m: 33, n: 70, k: 257, transA: false, transB: true, alpha: -0.5, beta: 2, dtype: 'mixed' });
    cases.push({ m: 4, n: 8, k: 256, transA: true, transB: false, alpha: 1, beta: 1, dtype: 'float32' });
    cases.push({ m: 7, n: 5, k: 0, transA: false, transB: false, alpha: 1, beta: 0.5, dtype: 'float64' });
    // few rows times a transposed B (a batch-1 linear layer: the unpacked row-dot path), odd and even depths
    for (const m of [1, 2, 4]) for (const [n, k] of [[1, 1], [5, 2], [13, 7], [120, 400], [84, 121]] as const) {
        cases.push({ m, n, k, transA: false, transB: true, alpha: 1, beta: m === 2 ? 1 : 0, dtype: m === 4 ? 'mixed' : 'float64' });
    }
    cases.push({ m: 3, n: 9, k: 5, transA: false, transB: true, alpha: -2, beta: 0.5, dtype: 'float64' });
    // small products done as plain loops (one or two columns, or tiny)
    cases.push({ m: 40, n: 2, k: 33, transA: true, transB: false, alpha: 1, beta: 0, dtype: 'float64' });
    cases.push({ m: 9, n: 30, k: 3, transA: false, transB: false, alpha: 0.5, beta: 1, dtype: 'mixed' });

    it.each(cases)('m $m n $n k $k transA $transA transB $transB alpha $alpha beta $beta $dtype', ({ m, n, k, transA, transB, alpha, beta, dtype }) => {
        const rr = rng(`gemm:${m}:${n}:${k}:${transA}:${transB}:${dtype}`);
        // stored shapes with padding columns (ld > row length) and leading offsets
        const [ar, ac] = transA ? [k, m] : [m, k];
        const [br, bc] = transB ? [n, k] : [k, n];
        const lda = ac + 2, ldb = bc + 1, ldc = n + 3;
        const aOffset = 3, bOffset = 1, cOffset = 5;
        const make = (len: number, f32: boolean) => {
            const d = randn(rr, [len]).data;
            return f32 ? new Float32Array(d) : Float64Array.from(d);
        };
        const f32 = dtype === 'float32';
        const a = make(aOffset + ar * lda, f32);
        const b = make(bOffset + br * ldb, f32 || dtype === 'mixed');
        const c = make(cOffset + m * ldc + 2, f32);
        const expected = Float64Array.from(c);
        for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
                let s = 0;
                for (let p = 0; p < k; p++) {
                    const av = transA ? a[aOffset + p * lda + i]! : a[aOffset + i * lda + p]!;
                    const bv = transB ? b[bOffset + j * ldb + p]! : b[bOffset + p * ldb + j]!;
                    s += av * bv;
                }
                const o = cOffset + i * ldc + j;
                expected[o] = alpha * s + (beta === 0 ? 0 : beta * c[o]!);
            }
        }
        wk.gemm({ m, n, k, a, aOffset, lda, transA, b, bOffset, ldb, transB, c, cOffset, ldc, alpha, beta });
        // float32 accumulates in float32: allow k roundings of terms of size |a|·|b|
        const tol = f32 ? 1.2e-7 * (k + 4) * maxAbs(a) * maxAbs(b) * Math.abs(alpha) + 1e-6 * maxAbs(expected) : 1e-12 * (k + 1) * maxAbs(a) * maxAbs(b);
        for (let o = 0; o < c.length; o++) {
            if (!(Math.abs(c[o]! - expected[o]!) <= tol)) expect.fail(`C[${o}] = ${c[o]}, expected ${expected[o]} (tol ${tol})`);
        }
    });
});

interface Case {
    readonly name: string;
    readonly x: number[];
    readonly w: number[];
    readonly options: ConvOptions;
}

/** Random valid convolutions, with enough output channels per group to reach the GEMM path. */
function randomCases(count: number): Case[] {
    const r = rng('wasm-conv-cases');
    const out: Case[] = [];
    while (out.length < count) {
        const rank = int(r, 1, 3);
        const groups = [1, 1, 2, 3, 4][int(r, 0, 4)]!;
        const cg = int(r, 1, 5);
        const mg = int(r, 1, 13);
        const batch = int(r, 1, 3);
        const size: number[] = [];
        const kernel: number[] = [];
        const stride: number[] = [];
        const dilation: number[] = [];
        const padding: Array<[number, number]> = [];
        for (let a = 0; a < rank; a++) {
            size.push(int(r, 1, rank === 3 ? 7 : rank === 2 ? 13 : 37));
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
            continue;
        }
        out.push({ name: `conv${rank}d x${JSON.stringify(x)} w${JSON.stringify(w)} s${stride} d${dilation} p${JSON.stringify(padding)} g${groups}`, x, w, options });
    }
    return out;
}

const named: Case[] = [
    { name: "seed 003's conv2d_padded (2,3,17,24)*(4,3,5,8) stride (3,4) pad (6,8)", x: [2, 3, 17, 24], w: [4, 3, 5, 8], options: { stride: [3, 4], padding: [6, 8] } },
    { name: 'pointwise 1×1 conv', x: [2, 12, 5, 7], w: [10, 12, 1, 1], options: {} },
    { name: 'strided 1×1 conv', x: [2, 8, 7, 7], w: [12, 8, 1, 1], options: { stride: 2 } },
    { name: 'depthwise 3×3 (direct path)', x: [2, 6, 9, 8], w: [6, 1, 3, 3], options: { groups: 6, padding: 1 } },
    { name: 'K > 256 (k blocks) and M not a multiple of 4', x: [1, 30, 9, 10], w: [13, 30, 3, 3], options: { padding: 1 } },
    { name: 'K > 512, one output position', x: [2, 70, 3, 3], w: [5, 70, 3, 3], options: {} },
    { name: 'single output channel row tile, P = 1', x: [3, 4, 2, 2], w: [4, 4, 2, 2], options: {} },
    { name: 'grouped, dilated, strided', x: [2, 8, 15, 11], w: [12, 4, 3, 2], options: { groups: 2, stride: [2, 1], dilation: [1, 2], padding: [[2, 1], 1] } },
    { name: 'conv3d with asymmetric padding', x: [2, 3, 4, 5, 6], w: [9, 3, 2, 3, 2], options: { padding: [[1, 0], 1, [0, 2]], stride: [1, 2, 1] } },
    { name: 'conv1d, long', x: [2, 5, 131], w: [7, 5, 9], options: { padding: 4 } },
];

const cases = [...named, ...randomCases(40)];
const dtypes: DType[] = ['float64', 'float32'];

/** Tolerance against the float64 reference: float32 sums k terms in float32. */
function tolerance(dtype: DType, reference: Tensor, terms: number, a: Tensor, b: Tensor): number {
    if (dtype === 'float64') return 1e-13 * Math.max(1, maxAbs(reference)) * 4 + 1e-15 * terms * maxAbs(a) * maxAbs(b);
    return 1.2e-7 * (terms + 4) * maxAbs(a) * maxAbs(b) + 1e-6 * maxAbs(reference);
}

describe.skipIf(!available).each(dtypes)('wasmKernels convolutions in %s match the naive reference', dtype => {
    it.each(cases)('$name', ({ x: xShape, w: wShape, options }) => {
        const r = rng(`wasm-case:${xShape}:${wShape}:${JSON.stringify(options)}`);
        const x = randn(r, xShape, dtype);
        const w = randn(r, wShape, dtype);
        const b = randn(r, [wShape[0]!], dtype);
        const [x64, w64, b64] = [astype(x, 'float64'), astype(w, 'float64'), astype(b, 'float64')];
        const K = wShape.slice(1).reduce((p, q) => p * q, 1);
        const y0 = ref.convForward(x64, w64, b64, options);
        const y = wk.convForward(x, w, b, options);
        expect(y.dtype).toBe(dtype);
        expectAllclose(y, astype(y0, dtype), tolerance(dtype, y0, K + 1, x, w), 0, 'y');

        const dy = randn(r, y0.shape, dtype);
        const dy64 = astype(dy, 'float64');
        const dx0 = ref.convBackwardInput(dy64, w64, xShape, options);
        const dx = wk.convBackwardInput(dy, w, xShape, options);
        expect(dx.dtype).toBe(dtype);
        expectAllclose(dx, astype(dx0, dtype), tolerance(dtype, dx0, wShape[0]! * K, dy, w), 0, 'dx');
        const g0 = ref.convBackwardWeight(x64, dy64, wShape, options, true);
        const g = wk.convBackwardWeight(x, dy, wShape, options, true);
        const P = y0.shape.slice(2).reduce((p, q) => p * q, 1) * xShape[0]!;
        expectAllclose(g.dw, astype(g0.dw, dtype), tolerance(dtype, g0.dw, P, x, dy), 0, 'dw');
        expectAllclose(g.db!, astype(g0.db!, dtype), tolerance(dtype, g0.db!, P, dy, dy), 0, 'db');
    });
});

describe.skipIf(!available)('threads', () => {
    // large enough to be split (MIN_PARALLEL_FLOPS); stride 1 (dx by correlation) and 2 (dx by scatter)
    const big: { name: string; x: number[]; w: number[]; options: ConvOptions }[] = [
        { name: '3×3 stride 1', x: [2, 16, 23, 25], w: [36, 16, 3, 3], options: { padding: 1 } },
        { name: '3×3 stride 2, grouped', x: [1, 64, 47, 48], w: [96, 32, 3, 3], options: { stride: 2, padding: 1, groups: 2 } },
        { name: 'dilated 1-D', x: [2, 32, 2001], w: [40, 32, 5], options: { dilation: 3, padding: 6 } },
    ];

    async function withThreads<T>(n: number, f: () => T): Promise<T> {
        const before = setThreads(n);
        try {
            if (n > 1) {
                startWorkers();
                for (let i = 0; i < 200 && workersReady() < n - 1; i++) await new Promise(done => setTimeout(done, 10));
                expect(workersReady()).toBe(n - 1);
            }
            return f();
        } finally {
            setThreads(before);
        }
    }

    it.each(dtypes.flatMap(dtype => big.map(c => ({ ...c, dtype }))))('$dtype $name: two threads give the single thread\'s results bit for bit', async ({ x: xShape, w: wShape, options, dtype }) => {
        const r = rng(`wasm-threads:${xShape}`);
        const x = randn(r, xShape, dtype);
        const w = randn(r, wShape, dtype);
        const b = randn(r, [wShape[0]!], dtype);
        const passes = () => {
            const y = wk.convForward(x, w, b, options);
            const dy = astype(y, dtype);
            return [y, wk.convBackwardInput(dy, w, xShape, options), wk.convBackwardWeight(x, dy, wShape, options, true).dw];
        };
        const one = await withThreads(1, passes);
        const shared = parallelStats.shared;
        const two = await withThreads(2, passes);
        expect(parallelStats.shared - shared).toBeGreaterThanOrEqual(3);
        for (let i = 0; i < 3; i++) expect(Array.from(two[i]!.data)).toEqual(Array.from(one[i]!.data));
        const y0 = ref.convForward(astype(x, 'float64'), astype(w, 'float64'), astype(b, 'float64'), options);
        expectAllclose(two[0]!, astype(y0, dtype), tolerance(dtype, y0, wShape.slice(1).reduce((p, q) => p * q, 1) + 1, x, w), 0, 'y');
    });
});

describe.skipIf(!available).each(dtypes)('wasmKernels transposed convolutions in %s', dtype => {
    const transposed: Array<{ name: string; x: number[]; w: number[]; options: ConvTransposeOptions }> = [
        { name: 'seed 003: stride (3,4) padding (6,8)', x: [2, 4, 9, 9], w: [4, 3, 5, 8], options: { stride: [3, 4], padding: [6, 8] } },
        { name: 'grouped with output_padding, 5 outputs per group', x: [2, 4, 5, 4], w: [4, 5, 3, 2], options: { stride: 2, padding: 1, outputPadding: [1, 1], groups: 2 } },
        { name: '1-D, stride 4, kernel 2', x: [2, 6, 6], w: [6, 9, 2], options: { stride: 4 } },
        { name: '3-D, dilated', x: [1, 5, 3, 4, 3], w: [5, 6, 2, 3, 2], options: { stride: [2, 1, 2], padding: [0, 1, 1], dilation: 2 } },
    ];
    it.each(transposed)('$name', ({ x: xShape, w: wShape, options }) => {
        const r = rng(`wasm-transposed:${xShape}:${dtype}`);
        const x = randn(r, xShape, dtype);
        const w = randn(r, wShape, dtype);
        const b = randn(r, [wShape[1]! * (options.groups ?? 1)], dtype);
        const [x64, w64, b64] = [astype(x, 'float64'), astype(w, 'float64'), astype(b, 'float64')];
        const y0 = ref.convTransposeForward(x64, w64, b64, options);
        const terms = wShape.reduce((p, q) => p * q, 1);
        expectAllclose(wk.convTransposeForward(x, w, b, options), astype(y0, dtype), tolerance(dtype, y0, terms, x, w), 0, 'y');
        const dy = randn(r, y0.shape, dtype);
        const dy64 = astype(dy, 'float64');
        const dx0 = ref.convTransposeBackwardInput(dy64, w64, xShape, options);
        expectAllclose(wk.convTransposeBackwardInput(dy, w, xShape, options), astype(dx0, dtype), tolerance(dtype, dx0, terms, dy, w), 0, 'dx');
        const g0 = ref.convTransposeBackwardWeight(x64, dy64, wShape, options, true);
        const g = wk.convTransposeBackwardWeight(x, dy, wShape, options, true);
        const big = y0.shape.reduce((p, q) => p * q, 1);
        expectAllclose(g.dw, astype(g0.dw, dtype), tolerance(dtype, g0.dw, big, x, dy), 0, 'dw');
        expectAllclose(g.db!, astype(g0.db!, dtype), tolerance(dtype, g0.db!, big, dy, dy), 0, 'db');
    });
});

describe.skipIf(!available)('the two builds', () => {
    it('uses relaxed SIMD (fused multiply-add) by default, switched on through node:v8 on Node 20', () => {
        expect(wasmSimdAvailable().relaxed).toBe(process.env.CONVSCOPE_WASM_RELAXED !== '0');
    });

    it('keeps the plain SIMD128 build, which agrees with the reference, with CONVSCOPE_WASM_RELAXED=0 (child node)', () => {
        const out = inPlainSimdChild(src => `
            import { referenceKernels as ref, wasmKernels as wk, wasmSimdAvailable } from ${src('index.ts')};
            let seed = 7;
            const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
            const out: Record<string, number | boolean> = { relaxed: wasmSimdAvailable().relaxed };
            for (const dtype of ['float32', 'float64'] as const) {
                const make = (shape: number[]) => {
                    const n = shape.reduce((a, b) => a * b, 1);
                    const d = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
                    for (let i = 0; i < n; i++) d[i] = rand();
                    return { shape, data: d, dtype } as any;
                };
                const x = make([2, 7, 11, 9]), w = make([13, 7, 3, 3]);
                const opts = { padding: 1, stride: [1, 2] };
                const y = wk.convForward(x, w, null, opts);
                const toF64 = (t: any) => ({ ...t, data: Float64Array.from(t.data), dtype: 'float64' });
                const y0 = ref.convForward(toF64(x), toF64(w), null, opts);
                let err = 0;
                for (let i = 0; i < y0.data.length; i++) err = Math.max(err, Math.abs(y.data[i]! - y0.data[i]!));
                out[dtype] = err;
            }
            console.log(JSON.stringify(out));
        `);
        expect(out.relaxed).toBe(false);
        expect(out.float32).toBeLessThan(1e-5);
        expect(out.float64).toBeLessThan(1e-12);
    });
});
