/**
 * `jsKernels`: the plain-TypeScript implementation of `Kernels`.
 *
 * Convolutions run as im2col + packed GEMM per (image, group) — dcol = Wᵀ·dY then col2im for the
 * input gradient, dW += dY·colᵀ for the weight gradient (Caffe's and aten's `slow_conv2d`
 * scheme) — with two special cases: a 1×1, stride-1, unpadded convolution is a plain GEMM on the
 * image itself, and groups with fewer than 4 output channels (depthwise) use the direct loops.
 *
 * Dtypes: every loop here runs on Float64Array (JavaScript arithmetic is float64 anyway, so a
 * float32 loop would compute nothing faster). A float32 tensor is converted on the way in and
 * rounded once on the way out by the typed-array constructors (native copies, ~1 ns an element,
 * under 1% of a conv), so no JavaScript function ever sees both array types — V8 keeps every
 * loop monomorphic — and float32 results are the correctly rounded float64 sums (at least as
 * accurate as PyTorch's float32 accumulation). The WASM SIMD kernels (wasm.ts) behind the same
 * interface are where float32 gets its own, twice-as-wide arithmetic.
 */
import { type DType, type DataOf, type Tensor, type TensorData, formatShape, numel, sameShape } from '../../tensor/tensor.js';
import { directBackwardInput64, directBackwardWeight64, directForward64 } from './direct.js';
import { KernelError, convGeometry, convTransposeOutputShape } from './geometry.js';
import { MR, NR, type PackA, gemm, gemmPacked, packRowsN } from './gemm.js';
import { col2im64, im2col64, im2colPacked64 } from './im2col.js';
import { liftWindows, poolBackward64, poolForward64 } from './pool.js';
import { type ScratchSlot, scratch } from './scratch.js';
import type { ConvGeometry, Kernels, PoolResult, PoolSpec } from './types.js';

/** The data as float64: itself when it already is, else a converted copy in a scratch slot. */
function in64(data: TensorData, slot: ScratchSlot): Float64Array {
    if (data instanceof Float64Array) return data;
    const s = scratch(slot, data.length);
    s.set(data);
    return s;
}

/**
 * A float64 buffer for a result: the result itself for float64, else scratch to round from.
 * Zeroed unless `initialised` says the caller writes every element before reading any.
 */
function out64(dtype: DType, length: number, slot: ScratchSlot, initialised = false): Float64Array {
    if (dtype === 'float64') return new Float64Array(length);
    const s = scratch(slot, length);
    return initialised ? s : s.fill(0);
}

function result<D extends DType>(dtype: D, data: Float64Array, shape: readonly number[]): Tensor<D> {
    const out = (dtype === 'float64' ? data : new Float32Array(data)) as DataOf<D>;
    return { shape: [...shape], data: out, dtype };
}

export function checkDtypes(what: string, ...tensors: Array<Tensor | null>): void {
    const first = tensors[0]!;
    for (const t of tensors) {
        if (t && t.dtype !== first.dtype) throw new KernelError(`${what}: mixed dtypes ${first.dtype} and ${t.dtype}`);
    }
}

export function checkShape(what: string, actual: readonly number[], expected: readonly number[]): void {
    if (!sameShape(actual, expected)) throw new KernelError(`${what} has shape ${formatShape(actual)}, expected ${formatShape(expected)}`);
}

export function checkBias(bias: Tensor | null, channels: number): void {
    if (bias) checkShape('bias', bias.shape, [channels]);
}

export interface Sizes {
    /** input and output channels per group */
    readonly Cg: number;
    readonly Mg: number;
    /** rows of the column matrix: Cg·∏kernel */
    readonly K: number;
    /** output and input positions per channel */
    readonly P: number;
    readonly Pin: number;
    readonly pointwise: boolean;
    readonly direct: boolean;
}

export function sizes(g: ConvGeometry): Sizes {
    const Cg = g.inChannels / g.groups;
    const Mg = g.outChannels / g.groups;
    const kv = g.kernel[0] * g.kernel[1] * g.kernel[2];
    const P = g.outSize[0] * g.outSize[1] * g.outSize[2];
    const Pin = g.inSize[0] * g.inSize[1] * g.inSize[2];
    const pointwise = kv === 1 && g.stride.every(s => s === 1) && g.padBefore.every(p => p === 0) && P === Pin;
    return { Cg, Mg, K: Cg * kv, P, Pin, pointwise, direct: Mg < MR };
}

/** y = conv(x, w) + bias, all float64. */
function convForward64(g: ConvGeometry, x: Float64Array, w: Float64Array, bias: TensorData | null, y: Float64Array): void {
    const { Cg, Mg, K, P, Pin, pointwise, direct } = sizes(g);
    const Cout = g.outChannels;
    for (let n = 0; n < g.batch; n++) {
        for (let oc = 0; oc < Cout; oc++) y.fill(bias ? bias[oc]! : 0, (n * Cout + oc) * P, (n * Cout + oc + 1) * P);
    }
    if (direct) return directForward64(g, x, w, y);
    // the column matrix goes straight into the GEMM's packed layout (no separate packing pass)
    const packed = pointwise ? null : { panels: scratch('col', Math.ceil(P / NR) * NR * K) };
    for (let grp = 0; grp < g.groups; grp++) {
        const aOff = grp * Mg * K;
        const packA: PackA = (ap, i0, mc, p0, kc) => packRowsN(w, aOff, K, i0, mc, p0, kc, ap, MR);
        for (let n = 0; n < g.batch; n++) {
            const xOff = (n * g.inChannels + grp * Cg) * Pin;
            const cOff = (n * Cout + grp * Mg) * P;
            if (packed) {
                im2colPacked64(x, xOff, g, Cg, packed.panels);
                gemmPacked(Mg, P, K, packA, packed, y, cOff, P, 1);
            } else {
                gemm({ m: Mg, n: P, k: K, a: w, aOffset: aOff, lda: K, b: x, bOffset: xOff, ldb: P, c: y, cOffset: cOff, ldc: P, beta: 1 });
            }
        }
    }
}

/** dx = ∂/∂x of ⟨conv(x, w), dy⟩, all float64; dx zeroed by the caller. */
function convBackwardInput64(g: ConvGeometry, dy: Float64Array, w: Float64Array, dx: Float64Array): void {
    const { Cg, Mg, K, P, Pin, pointwise, direct } = sizes(g);
    if (direct) return directBackwardInput64(g, dy, w, dx);
    const col = pointwise ? null : scratch('col', K * P);
    for (let n = 0; n < g.batch; n++) {
        for (let grp = 0; grp < g.groups; grp++) {
            const xOff = (n * g.inChannels + grp * Cg) * Pin;
            gemm({
                m: K, n: P, k: Mg,
                a: w, aOffset: grp * Mg * K, lda: K, transA: true,
                b: dy, bOffset: (n * g.outChannels + grp * Mg) * P, ldb: P,
                c: col ?? dx, cOffset: col ? 0 : xOff, ldc: P, beta: col ? 0 : 1,
            });
            if (col) col2im64(col, g, Cg, dx, xOff);
        }
    }
}

/** dw = ∂/∂w of ⟨conv(x, w), dy⟩, all float64; dw zeroed by the caller. */
function convBackwardWeight64(g: ConvGeometry, x: Float64Array, dy: Float64Array, dw: Float64Array): void {
    const { Cg, Mg, K, P, Pin, pointwise, direct } = sizes(g);
    if (direct) return directBackwardWeight64(g, x, dy, dw);
    const col = pointwise ? null : scratch('col', K * P);
    for (let n = 0; n < g.batch; n++) {
        for (let grp = 0; grp < g.groups; grp++) {
            const xOff = (n * g.inChannels + grp * Cg) * Pin;
            if (col) im2col64(x, xOff, g, Cg, col);
            gemm({
                m: Mg, n: K, k: P,
                a: dy, aOffset: (n * g.outChannels + grp * Mg) * P, lda: P,
                b: col ?? x, bOffset: col ? 0 : xOff, ldb: P, transB: true,
                c: dw, cOffset: grp * Mg * K, ldc: K, beta: 1,
            });
        }
    }
}

/** Σ over batch and space of dy `[N, C, ...]`, per channel. */
export function channelSums<D extends DType>(dy: Tensor<D>): Tensor<D> {
    const [N, C] = [dy.shape[0]!, dy.shape[1]!];
    const P = numel(dy.shape.slice(2));
    const d = in64(dy.data, 'y');
    const s = new Float64Array(C);
    for (let n = 0; n < N; n++) {
        for (let c = 0; c < C; c++) {
            let acc = 0;
            for (let i = (n * C + c) * P, end = i + P; i < end; i++) acc += d[i]!;
            s[c] = s[c]! + acc;
        }
    }
    return result(dy.dtype, s, [C]);
}

/** y[n][c][…] += bias[c] */
export function addChannelBias(y: TensorData, bias: TensorData, N: number, C: number, P: number): void {
    for (let n = 0; n < N; n++) {
        for (let c = 0; c < C; c++) {
            const b = bias[c]!;
            for (let i = (n * C + c) * P, end = i + P; i < end; i++) y[i] = y[i]! + b;
        }
    }
}

export function poolShapes(xShape: readonly number[], spec: PoolSpec): { planes: number; yShape: number[] } {
    const rank = xShape.length - 2;
    if (rank !== spec.windows.length) throw new KernelError(`pooling input ${formatShape(xShape)} has ${rank} spatial axes, the windows ${spec.windows.length}`);
    spec.windows.forEach((w, i) => {
        if (w.inSize !== xShape[i + 2]) throw new KernelError(`pooling windows for axis ${i} were built for size ${w.inSize}, the input has ${xShape[i + 2]}`);
    });
    if (spec.mode === 'avg' && spec.divisorOverride === 0) throw new KernelError('divisor_override must be non-zero');
    liftWindows(spec);
    return { planes: xShape[0]! * xShape[1]!, yShape: [xShape[0]!, xShape[1]!, ...spec.windows.map(w => w.outSize)] };
}

export const jsKernels: Kernels = {
    name: 'js',

    gemm,

    im2col(x, g, n, c0, channels, col) {
        const Pin = g.inSize[0] * g.inSize[1] * g.inSize[2];
        const off = (n * g.inChannels + c0) * Pin;
        if (x instanceof Float64Array) im2col64(x, off, g, channels, col);
        else im2col64(Float64Array.from(x.subarray(off, off + channels * Pin)), 0, g, channels, col);
    },

    col2im(col, g, n, c0, channels, dx) {
        const Pin = g.inSize[0] * g.inSize[1] * g.inSize[2];
        const off = (n * g.inChannels + c0) * Pin;
        if (dx instanceof Float64Array) return col2im64(col, g, channels, dx, off);
        const part = Float64Array.from(dx.subarray(off, off + channels * Pin));
        col2im64(col, g, channels, part, 0);
        dx.set(part, off);
    },

    convForward(x, w, bias, options) {
        checkDtypes('convForward', x, w, bias);
        const g = convGeometry(x.shape, w.shape, options);
        checkBias(bias, g.outChannels);
        const y = out64(x.dtype, numel(g.yShape), 'y', true); // convForward64 starts from the bias
        convForward64(g, in64(x.data, 'x'), in64(w.data, 'w'), bias?.data ?? null, y);
        return result(x.dtype, y, g.yShape);
    },

    convBackwardInput(dy, w, xShape, options) {
        checkDtypes('convBackwardInput', dy, w);
        const g = convGeometry(xShape, w.shape, options);
        checkShape('dy', dy.shape, g.yShape);
        const dx = out64(dy.dtype, numel(xShape), 'x');
        convBackwardInput64(g, in64(dy.data, 'y'), in64(w.data, 'w'), dx);
        return result(dy.dtype, dx, xShape);
    },

    convBackwardWeight(x, dy, wShape, options, withBias = false) {
        checkDtypes('convBackwardWeight', x, dy);
        const g = convGeometry(x.shape, wShape, options);
        checkShape('dy', dy.shape, g.yShape);
        const dw = new Float64Array(numel(wShape));
        convBackwardWeight64(g, in64(x.data, 'x'), in64(dy.data, 'y'), dw);
        return { dw: result(x.dtype, dw, wShape), db: withBias ? channelSums(dy) : null };
    },

    convTransposeForward(x, w, bias, options = {}) {
        checkDtypes('convTransposeForward', x, w, bias);
        const yShape = convTransposeOutputShape(x.shape, w.shape, options);
        // the convolution whose input gradient this is: from y's size back to x's
        const g = convGeometry(yShape, w.shape, options, x.shape.slice(2));
        checkShape('input', x.shape, g.yShape);
        checkBias(bias, yShape[1]!);
        const y = out64(x.dtype, numel(yShape), 'y');
        convBackwardInput64(g, in64(x.data, 'x'), in64(w.data, 'w'), y);
        if (bias) addChannelBias(y, bias.data, yShape[0]!, yShape[1]!, numel(yShape.slice(2)));
        return result(x.dtype, y, yShape);
    },

    convTransposeBackwardInput(dy, w, xShape, options = {}) {
        checkDtypes('convTransposeBackwardInput', dy, w);
        checkShape('dy', dy.shape, convTransposeOutputShape(xShape, w.shape, options));
        const g = convGeometry(dy.shape, w.shape, options, xShape.slice(2));
        const dx = out64(dy.dtype, numel(xShape), 'x', true);
        convForward64(g, in64(dy.data, 'y'), in64(w.data, 'w'), null, dx);
        return result(dy.dtype, dx, xShape);
    },

    convTransposeBackwardWeight(x, dy, wShape, options = {}, withBias = false) {
        checkDtypes('convTransposeBackwardWeight', x, dy);
        checkShape('dy', dy.shape, convTransposeOutputShape(x.shape, wShape, options));
        const g = convGeometry(dy.shape, wShape, options, x.shape.slice(2));
        const dw = new Float64Array(numel(wShape));
        convBackwardWeight64(g, in64(dy.data, 'y'), in64(x.data, 'x'), dw);
        return { dw: result(x.dtype, dw, wShape), db: withBias ? channelSums(dy) : null };
    },

    poolForward<D extends DType>(x: Tensor<D>, spec: PoolSpec): PoolResult<D> {
        const { planes, yShape } = poolShapes(x.shape, spec);
        const len = numel(yShape);
        const y = out64(x.dtype, len, 'y', true);
        const indices = spec.mode === 'avg' ? null : new Int32Array(len);
        poolForward64(spec, planes, in64(x.data, 'x'), y, indices);
        return { y: result(x.dtype, y, yShape), indices };
    },

    poolBackward(dy, xShape, spec, indices) {
        const { planes, yShape } = poolShapes(xShape, spec);
        checkShape('dy', dy.shape, yShape);
        const dx = out64(dy.dtype, numel(xShape), 'x');
        poolBackward64(spec, planes, in64(dy.data, 'y'), dx, indices);
        return result(dy.dtype, dx, xShape);
    },
} satisfies Kernels;
