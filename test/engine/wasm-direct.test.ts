/**
 * The WebAssembly SIMD direct convolutions (src/engine/kernels/wasm-direct.ts + wasm/direct.wat)
 * against the naive reference, float32 and float64: forward, input gradient and weight gradient on
 * seeded random geometries with fewer than 4 output channels per group (any groups, 1–3 input
 * channels per group, ranks 1–3, strides, dilation, asymmetric padding, batch > 1, kernels larger
 * than the input, outputs of size 1, rows shorter and longer than a vector), on the benchmark's
 * depthwise shape E, on transposed convolutions (whose geometries can read past the padding), with
 * infinities in the data (masked lanes must not turn them into NaNs), and with the plain SIMD128 build
 * as well as the default relaxed-SIMD one.
 */
import { describe, expect, it } from 'vitest';
import { type ConvOptions, type ConvTransposeOptions, convGeometry, convTransposeOutputShape, referenceKernels as ref } from '../../src/engine/kernels/index.js';
import {
    directBackwardInput32, directBackwardInput64, directBackwardWeight32, directBackwardWeight64,
    directForward32, directForward64, directWasmAvailable, releaseDirectWasmMemory,
} from '../../src/engine/kernels/wasm-direct.js';
import type { ConvGeometry } from '../../src/engine/kernels/types.js';
import type { Rng } from '../../src/engine/random.js';
import { type DType, type Tensor, astype, numel } from '../../src/tensor/tensor.js';
import { inPlainSimdChild, randn, rng } from './helpers.js';

const available = directWasmAvailable();

function int(r: Rng, lo: number, hi: number): number {
    return lo + Math.floor(r.uniform() * (hi - lo + 1));
}

interface Case {
    readonly name: string;
    readonly x: number[];
    readonly w: number[];
    readonly options: ConvOptions;
}

function describeCase(x: number[], w: number[], o: ConvOptions): string {
    return `x${JSON.stringify(x)} w${JSON.stringify(w)} s${JSON.stringify(o.stride ?? 1)} d${JSON.stringify(o.dilation ?? 1)} p${JSON.stringify(o.padding ?? 0)} g${o.groups ?? 1}`;
}

/** Random valid convolutions with 1–3 output channels per group. */
function randomCases(count: number): Case[] {
    const r = rng('wasm-direct-cases');
    const out: Case[] = [];
    while (out.length < count) {
        const rank = int(r, 1, 3);
        const groups = int(r, 1, 5);
        const cg = [1, 1, 2, 3][int(r, 0, 3)]!;
        const mg = int(r, 1, 3);
        const batch = int(r, 1, 3);
        const size: number[] = [];
        const kernel: number[] = [];
        const stride: number[] = [];
        const dilation: number[] = [];
        const padding: Array<[number, number]> = [];
        for (let a = 0; a < rank; a++) {
            size.push(int(r, 1, rank === 3 ? 7 : rank === 2 ? 14 : 40));
            kernel.push(int(r, 1, rank === 1 ? 7 : 5));
            stride.push(int(r, 1, 3));
            dilation.push(int(r, 1, 3));
            padding.push([int(r, 0, 4), int(r, 0, 4)]);
        }
        const options = { stride, dilation, padding, groups };
        const x = [batch, cg * groups, ...size];
        const w = [mg * groups, cg, ...kernel];
        try {
            convGeometry(x, w, options);
        } catch {
            continue;
        }
        out.push({ name: describeCase(x, w, options), x, w, options });
    }
    return out;
}

const named: Case[] = [
    { name: 'shape E: depthwise 3×3, 128 × 28×28', x: [1, 128, 28, 28], w: [128, 1, 3, 3], options: { padding: 1, groups: 128 } },
    { name: 'depthwise 3×3 stride 2, batch 2', x: [2, 6, 15, 16], w: [6, 1, 3, 3], options: { padding: 1, stride: 2, groups: 6 } },
    { name: 'kernel larger than the input', x: [2, 2, 3, 2], w: [4, 1, 5, 6], options: { padding: [[2, 3], [4, 1]], groups: 2 } },
    { name: 'output of size 1', x: [2, 3, 4, 5], w: [3, 1, 4, 5], options: { groups: 3 } },
    { name: 'groups 1 with 3 outputs', x: [2, 3, 9, 10], w: [3, 3, 3, 3], options: { padding: 1 } },
    { name: 'conv1d, rows of 1…33 outputs', x: [3, 4, 33], w: [4, 1, 1], options: { groups: 4 } },
    { name: 'conv1d, long, W stride 3 and dilation 2', x: [2, 4, 131], w: [6, 2, 5], options: { stride: 3, dilation: 2, padding: [[4, 1]], groups: 2 } },
    { name: 'conv3d depthwise, strided and dilated', x: [2, 3, 6, 7, 9], w: [3, 1, 3, 2, 3], options: { stride: [2, 1, 2], dilation: [1, 2, 1], padding: [[1, 0], 1, [2, 1]], groups: 3 } },
    { name: 'stride above the kernel extent (skipped inputs)', x: [1, 2, 11, 13], w: [2, 1, 2, 2], options: { stride: [4, 5], groups: 2 } },
    { name: 'dilation with W stride 2 (W phases without taps)', x: [1, 2, 9, 17], w: [4, 1, 3, 3], options: { stride: 2, dilation: 2, padding: 2, groups: 2 } },
    { name: 'padding larger than the kernel reach', x: [1, 1, 2, 3], w: [2, 1, 2, 2], options: { padding: [[5, 0], [0, 6]], stride: [3, 2] } },
];

const cases = [...named, ...randomCases(80)];
const dtypes: DType[] = ['float64', 'float32'];

function maxAbs(t: Tensor | Float32Array | Float64Array): number {
    let m = 0;
    for (const v of 'data' in t ? t.data : t) m = Math.max(m, Math.abs(v));
    return m;
}

/** |actual − expected| ≤ rel·max|expected| everywhere (float32: ~1e-5, float64: ~1e-12 relative to the magnitude). */
function expectClose(actual: Float32Array | Float64Array, expected: Tensor, dtype: DType, what: string): void {
    expect(actual.length, `${what} length`).toBe(expected.data.length);
    const tol = (dtype === 'float32' ? 1e-5 : 1e-12) * Math.max(maxAbs(expected), 1e-30);
    for (let i = 0; i < actual.length; i++) {
        if (!(Math.abs(actual[i]! - expected.data[i]!) <= tol)) {
            expect.fail(`${what}[${i}] = ${actual[i]}, expected ${expected.data[i]} (tol ${tol.toExponential(2)})`);
        }
    }
}

/** The three direct kernels of a dtype on (possibly output-resized) geometry g, results in fresh arrays. */
function run(dtype: DType, g: ConvGeometry, x: Tensor, w: Tensor, dy: Tensor, bias: Tensor | null) {
    const P = numel(g.yShape.slice(2));
    const fill = <A extends Float32Array | Float64Array>(y: A): A => {
        if (bias) for (let i = 0; i < y.length; i++) y[i] = bias.data[Math.floor(i / P) % g.outChannels]!;
        return y;
    };
    if (dtype === 'float32') {
        const y = fill(new Float32Array(numel(g.yShape)));
        const dx = new Float32Array(numel(g.xShape));
        const dw = new Float32Array(numel(g.wShape));
        directForward32(g, x.data as Float32Array, w.data as Float32Array, y);
        directBackwardInput32(g, dy.data as Float32Array, w.data as Float32Array, dx);
        directBackwardWeight32(g, x.data as Float32Array, dy.data as Float32Array, dw);
        return { y, dx, dw };
    }
    const y = fill(new Float64Array(numel(g.yShape)));
    const dx = new Float64Array(numel(g.xShape));
    const dw = new Float64Array(numel(g.wShape));
    directForward64(g, x.data as Float64Array, w.data as Float64Array, y);
    directBackwardInput64(g, dy.data as Float64Array, w.data as Float64Array, dx);
    directBackwardWeight64(g, x.data as Float64Array, dy.data as Float64Array, dw);
    return { y, dx, dw };
}

describe('WebAssembly SIMD direct convolutions', () => {
    it('are available on this Node', () => {
        expect(available).toBe(true);
    });

    it.skipIf(!available)('survive releaseDirectWasmMemory (a fresh instance and memory)', () => {
        const r = rng('wasm-direct-release');
        const g = convGeometry([2, 4, 9, 9], [4, 1, 3, 3], { padding: 1, groups: 4 });
        const [x, w] = [randn(r, g.xShape, 'float32'), randn(r, g.wShape, 'float32')];
        const y1 = new Float32Array(numel(g.yShape));
        directForward32(g, x.data, w.data, y1);
        releaseDirectWasmMemory();
        const y2 = new Float32Array(numel(g.yShape));
        directForward32(g, x.data, w.data, y2);
        expect(y2).toEqual(y1);
    });

    it.skipIf(!available)('refuse a working set above 2 GiB with an Error', () => {
        // one output, but the taps reach 2^29 padded positions: the padded input alone is 2 GiB
        const g = convGeometry([1, 1, 1], [1, 1, 2], { dilation: 2 ** 29, padding: [[2 ** 29, 0]] });
        const one = new Float32Array(1);
        expect(() => directForward32(g, one, new Float32Array(2), new Float32Array(1))).toThrow(/2 GiB/);
        expect(() => directBackwardInput32(g, one, new Float32Array(2), new Float32Array(1))).toThrow(/2 GiB/);
        expect(() => directBackwardWeight32(g, one, one, new Float32Array(2))).toThrow(/2 GiB/);
    });
});

describe.skipIf(!available).each(dtypes)('direct convolutions in %s match the naive reference', dtype => {
    it.each(cases)('$name', ({ x: xShape, w: wShape, options }) => {
        const r = rng(`wasm-direct:${xShape}:${wShape}:${JSON.stringify(options)}`);
        const g = convGeometry(xShape, wShape, options);
        const x = randn(r, xShape, dtype);
        const w = randn(r, wShape, dtype);
        const b = randn(r, [wShape[0]!], dtype);
        const dy = randn(r, g.yShape, dtype);
        const [x64, w64, b64, dy64] = [astype(x, 'float64'), astype(w, 'float64'), astype(b, 'float64'), astype(dy, 'float64')];
        const got = run(dtype, g, x, w, dy, b);
        expectClose(got.y, ref.convForward(x64, w64, b64, options), dtype, 'y');
        expectClose(got.dx, ref.convBackwardInput(dy64, w64, xShape, options), dtype, 'dx');
        expectClose(got.dw, ref.convBackwardWeight(x64, dy64, wShape, options).dw, dtype, 'dw');
    });
});

/**
 * Transposed convolutions as the caller maps them: conv_transpose(x) is the input gradient of the
 * convolution from its output back to x, whose geometry is given x's size as output (with
 * output_padding, windows then reach past the padded input); its input and weight gradients are
 * that convolution's forward and weight gradient.
 */
interface TransposedCase { readonly x: number[]; readonly w: number[]; readonly options: ConvTransposeOptions }

const transposed: TransposedCase[] = [
    { x: [2, 4, 5, 6], w: [4, 1, 3, 3], options: { stride: 2, padding: 1, outputPadding: 1, groups: 4 } },
    { x: [1, 6, 7], w: [6, 2, 4], options: { stride: 3, dilation: 2, padding: [[1, 2]], outputPadding: 2, groups: 2 } },
    { x: [2, 3, 3, 4, 2], w: [3, 1, 2, 3, 2], options: { stride: [2, 1, 3], padding: [0, 1, 0], outputPadding: [1, 0, 2], groups: 3 } },
    { x: [1, 2, 9, 9], w: [2, 3, 3, 3], options: { stride: 2, outputPadding: 1 } },
];

describe.skipIf(!available).each(dtypes)('direct kernels in %s as transposed convolutions', dtype => {
    it.each(transposed.map(c => ({ ...c, name: describeCase(c.x, c.w, c.options) })))('$name', ({ x: xShape, w: wShape, options }) => {
        const r = rng(`wasm-direct-t:${xShape}:${wShape}:${JSON.stringify(options)}`);
        const yShape = convTransposeOutputShape(xShape, wShape, options);
        const g = convGeometry(yShape, wShape, options, xShape.slice(2));
        const x = randn(r, xShape, dtype);
        const w = randn(r, wShape, dtype);
        const dy = randn(r, yShape, dtype);
        const [x64, w64, dy64] = [astype(x, 'float64'), astype(w, 'float64'), astype(dy, 'float64')];
        // run(g, dy as the conv input, w, x as its output gradient): y = the transposed conv's dx,
        // dx = the transposed conv's output, dw = its weight gradient
        const got = run(dtype, g, dy, w, x, null);
        expectClose(got.dx, ref.convTransposeForward(x64, w64, null, options), dtype, 'y');
        expectClose(got.y, ref.convTransposeBackwardInput(dy64, w64, xShape, options), dtype, 'dx');
        expectClose(got.dw, ref.convTransposeBackwardWeight(x64, dy64, wShape, options).dw, dtype, 'dw');
    });
});

/** ref and got agree: the same NaNs and infinities, finite values within rel·max|finite ref|. */
function expectSameNonFinite(got: Float32Array | Float64Array, ref: Tensor, rel: number, what: string): void {
    let scale = 0;
    for (const v of ref.data) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < got.length; i++) {
        const [a, b] = [got[i]!, ref.data[i]!];
        const ok = Number.isFinite(b) ? Math.abs(a - b) <= rel * scale : Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
        if (!ok) expect.fail(`${what}[${i}] = ${a}, expected ${b}`);
    }
}

/**
 * Infinities in x (forward, weight gradient) and in dy (input gradient), at row ends where masked
 * lanes of neighbouring rows read them: they must give the reference's infinities, not NaNs. (An
 * infinity that meets a zero padding tap, e.g. in dy for the weight gradient, gives NaN, as
 * im2col + GEMM does, where the reference skips the tap.)
 */
describe.skipIf(!available).each(dtypes)('direct convolutions in %s with infinities in x or dy', dtype => {
    const geometries: Case[] = [
        { name: 'rows shorter than a vector', x: [1, 2, 4, 3], w: [2, 1, 3, 3], options: { padding: 1, groups: 2 } },
        { name: 'flat rows with a masked end', x: [2, 3, 9, 10], w: [6, 1, 3, 3], options: { padding: [[1, 0], [2, 1]], groups: 3 } },
        { name: 'W stride 2 (phases)', x: [1, 2, 7, 13], w: [2, 1, 3, 4], options: { stride: 2, padding: 1, groups: 2 } },
    ];
    it.each(geometries)('$name', ({ x: xShape, w: wShape, options }) => {
        const r = rng(`wasm-direct-inf:${xShape}:${JSON.stringify(options)}`);
        const g = convGeometry(xShape, wShape, options);
        const x = randn(r, xShape, dtype);
        const w = randn(r, wShape, dtype);
        const dy = randn(r, g.yShape, dtype);
        const [xInf, dyInf] = [astype(x, dtype), astype(dy, dtype)];
        xInf.data[xShape.at(-1)! - 1] = Infinity;
        dyInf.data[2 * g.yShape.at(-1)! - 1] = -Infinity;
        const [xInf64, w64, dy64, dyInf64] = [xInf, w, dy, dyInf].map(t => astype(t, 'float64'));
        const rel = dtype === 'float32' ? 1e-5 : 1e-12;
        const a = run(dtype, g, xInf, w, dy, null);
        expectSameNonFinite(a.y, ref.convForward(xInf64!, w64!, null, options), rel, 'y');
        expectSameNonFinite(a.dw, ref.convBackwardWeight(xInf64!, dy64!, wShape, options).dw, rel, 'dw');
        const b = run(dtype, g, x, w, dyInf, null);
        expectSameNonFinite(b.dx, ref.convBackwardInput(dyInf64!, w64!, xShape, options), rel, 'dx');
    });
});

describe.skipIf(!available)('the plain SIMD128 build (the default is relaxed SIMD, with fused multiply-add)', () => {
    it('agrees with the reference with CONVSCOPE_WASM_RELAXED=0 (child node)', () => {
        const out = inPlainSimdChild(src => `
            import { convGeometry, referenceKernels as ref } from ${src('index.ts')};
            import * as wd from ${src('wasm-direct.ts')};
            import { directRelaxed } from ${src('wasm/generated/modules.ts')};
            const WA = (globalThis as any).WebAssembly;
            let seed = 11;
            const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
            const cases: Array<[number[], number[], any]> = [
                [[1, 128, 28, 28], [128, 1, 3, 3], { padding: 1, groups: 128 }],
                [[2, 6, 5, 9, 11], [6, 2, 3, 2, 3], { stride: [1, 2, 1], dilation: [2, 1, 1], padding: [[1, 0], 1, [2, 1]], groups: 3 }],
                [[3, 4, 37], [8, 2, 5], { stride: 3, padding: 2, groups: 2 }],
            ];
            const out: Record<string, number | boolean> = { relaxed: directRelaxed !== null && WA.validate(Uint8Array.from(atob(directRelaxed), (c: string) => c.charCodeAt(0))) };
            for (const dtype of ['float32', 'float64'] as const) {
                let err = 0;
                for (const [xs, ws, o] of cases) {
                    const g = convGeometry(xs, ws, o);
                    const make = (shape: readonly number[]) => {
                        const d = new Float64Array(shape.reduce((a, b) => a * b, 1)).map(rand);
                        return { t: { shape, data: d, dtype: 'float64' } as any, d: dtype === 'float32' ? new Float32Array(d) : d };
                    };
                    const [x, w, dy] = [make(xs), make(ws), make(g.yShape)];
                    const A = dtype === 'float32' ? Float32Array : Float64Array;
                    const y = new A(dy.d.length), dx = new A(x.d.length), dw = new A(w.d.length);
                    if (dtype === 'float32') {
                        wd.directForward32(g, x.d as Float32Array, w.d as Float32Array, y as Float32Array);
                        wd.directBackwardInput32(g, dy.d as Float32Array, w.d as Float32Array, dx as Float32Array);
                        wd.directBackwardWeight32(g, x.d as Float32Array, dy.d as Float32Array, dw as Float32Array);
                    } else {
                        wd.directForward64(g, x.d as Float64Array, w.d as Float64Array, y as Float64Array);
                        wd.directBackwardInput64(g, dy.d as Float64Array, w.d as Float64Array, dx as Float64Array);
                        wd.directBackwardWeight64(g, x.d as Float64Array, dy.d as Float64Array, dw as Float64Array);
                    }
                    const pairs: Array<[ArrayLike<number>, ArrayLike<number>]> = [
                        [y, ref.convForward(x.t, w.t, null, o).data],
                        [dx, ref.convBackwardInput(dy.t, w.t, xs, o).data],
                        [dw, ref.convBackwardWeight(x.t, dy.t, ws, o).dw.data],
                    ];
                    for (const [a, b] of pairs) {
                        let scale = 0;
                        for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
                        for (let i = 0; i < b.length; i++) err = Math.max(err, Math.abs(a[i]! - b[i]!) / scale);
                    }
                }
                out[dtype] = err;
            }
            console.log(JSON.stringify(out));
        `);
        expect(out.relaxed).toBe(false);
        expect(out.float32).toBeLessThan(1e-5);
        expect(out.float64).toBeLessThan(1e-12);
    });
});
