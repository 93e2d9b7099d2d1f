/**
 * The one interface behind which the compute kernels live. Layer code calls only these methods,
 * so a faster implementation (WASM SIMD, worker threads) replaces `jsKernels` without touching a
 * layer. Every method takes and returns tensors of one dtype (float32 or float64; the output has
 * the input's dtype) and works for spatial rank 1, 2 and 3: input `[N, C, ...spatial]`, weight
 * `[Cout, Cin/groups, ...kernel]` exactly as PyTorch lays them out.
 */
import type { DType, Tensor, TensorData } from '../../tensor/tensor.js';
import type { AxisWindows } from './window.js';

/** Per spatial axis: one number for every axis, or one entry per axis. */
export type PerAxis = number | readonly number[];

/** Padding per axis: `p` on both sides, or `[before, after]` (e.g. 'same' with an even kernel). */
export type Padding = number | readonly (number | readonly [number, number])[];

export interface ConvOptions {
    /** default 1 */
    readonly stride?: PerAxis;
    /** default 1 */
    readonly dilation?: PerAxis;
    /** zero padding; default 0 */
    readonly padding?: Padding;
    /** default 1 */
    readonly groups?: number;
}

export interface ConvTransposeOptions extends ConvOptions {
    /** extra size added on the high side of the output; default 0 (must be < max(stride, dilation) in PyTorch) */
    readonly outputPadding?: PerAxis;
}

/**
 * A resolved convolution: everything a kernel loop needs, with the spatial axes left-padded to
 * rank 3 by size-1 axes (kernel 1, stride 1, dilation 1, no padding), so that one loop nest
 * serves conv1d, conv2d and conv3d. `rank` is the true spatial rank.
 */
export interface ConvGeometry {
    readonly rank: number;
    readonly batch: number;
    readonly inChannels: number;
    readonly outChannels: number;
    readonly groups: number;
    /** [D, H, W] of the input */
    readonly inSize: readonly [number, number, number];
    readonly outSize: readonly [number, number, number];
    readonly kernel: readonly [number, number, number];
    readonly stride: readonly [number, number, number];
    readonly dilation: readonly [number, number, number];
    readonly padBefore: readonly [number, number, number];
    readonly padAfter: readonly [number, number, number];
    /** true shapes, for results */
    readonly xShape: readonly number[];
    readonly wShape: readonly number[];
    readonly yShape: readonly number[];
}

/**
 * C ← alpha·op(A)·op(B) + beta·C on row-major matrices inside flat arrays. op(A) is m×k (A is
 * stored k×m when `transA`), op(B) is k×n (stored n×k when `transB`). beta = 0 overwrites C
 * (NaNs in C are not propagated, as in BLAS).
 */
export interface GemmSpec {
    readonly m: number;
    readonly n: number;
    readonly k: number;
    readonly a: TensorData;
    readonly aOffset?: number;
    /** leading dimension (row length as stored) */
    readonly lda: number;
    readonly transA?: boolean;
    readonly b: TensorData;
    readonly bOffset?: number;
    readonly ldb: number;
    readonly transB?: boolean;
    readonly c: TensorData;
    readonly cOffset?: number;
    readonly ldc: number;
    /** default 1 */
    readonly alpha?: number;
    /** default 0 */
    readonly beta?: number;
}

export type PoolMode = 'max' | 'min' | 'avg';

/**
 * A pooling: the windows along each spatial axis (see `slidingWindows`, `adaptiveWindows`) and,
 * for averages, how the divisor is formed.
 */
export interface PoolSpec {
    readonly mode: PoolMode;
    /** one entry per spatial axis */
    readonly windows: readonly AxisWindows[];
    /** avg: divide by the window size including padding (PyTorch's default true) */
    readonly countIncludePad?: boolean;
    /** avg: divide by this instead */
    readonly divisorOverride?: number | null;
}

export interface PoolResult<D extends DType = DType> {
    readonly y: Tensor<D>;
    /**
     * max/min: flat index within each input `(n, c)` plane of the chosen element (PyTorch's
     * `return_indices`; ties go to the first in row-major window order, NaN wins); -1 for a window
     * with no real element. null for avg.
     */
    readonly indices: Int32Array | null;
}

export interface WeightGrads<D extends DType = DType> {
    readonly dw: Tensor<D>;
    /** Σ dy over batch and space per output channel; null unless asked for */
    readonly db: Tensor<D> | null;
}

export interface Kernels {
    readonly name: string;

    /** Matrix multiply (see GemmSpec). A, B and C may each be Float32Array or Float64Array. */
    gemm(spec: GemmSpec): void;
    /**
     * Unfolds channels [c0, c0 + channels) of image `n` of `x` (flat, `g.xShape` layout) into
     * `col`, a (channels·∏kernel) × ∏outSize row-major matrix: row (c, kd, kh, kw), column
     * (od, oh, ow); padding taps are 0.
     */
    im2col(x: TensorData, g: ConvGeometry, n: number, c0: number, channels: number, col: Float64Array): void;
    /** The adjoint of im2col: adds each column entry back onto the input element it came from. */
    col2im(col: Float64Array, g: ConvGeometry, n: number, c0: number, channels: number, dx: TensorData): void;

    /** y = conv(x, w) + b, a cross-correlation, as `torch.nn.functional.conv{1,2,3}d`. */
    convForward<D extends DType>(x: Tensor<D>, w: Tensor<D>, bias: Tensor<D> | null, options?: ConvOptions): Tensor<D>;
    /** ∂L/∂x given ∂L/∂y (a transposed convolution of dy with w). */
    convBackwardInput<D extends DType>(dy: Tensor<D>, w: Tensor<D>, xShape: readonly number[], options?: ConvOptions): Tensor<D>;
    /** ∂L/∂w (a convolution of x with dy) and, when `withBias`, ∂L/∂b. */
    convBackwardWeight<D extends DType>(x: Tensor<D>, dy: Tensor<D>, wShape: readonly number[], options?: ConvOptions, withBias?: boolean): WeightGrads<D>;

    /** `conv_transpose{1,2,3}d`: w is `[Cin, Cout/groups, ...kernel]`; = convBackwardInput + bias. */
    convTransposeForward<D extends DType>(x: Tensor<D>, w: Tensor<D>, bias: Tensor<D> | null, options?: ConvTransposeOptions): Tensor<D>;
    /** = convForward(dy, w), cut to the input's size `xShape` */
    convTransposeBackwardInput<D extends DType>(dy: Tensor<D>, w: Tensor<D>, xShape: readonly number[], options?: ConvTransposeOptions): Tensor<D>;
    /** = convBackwardWeight(dy, x); db = Σ dy per output channel */
    convTransposeBackwardWeight<D extends DType>(x: Tensor<D>, dy: Tensor<D>, wShape: readonly number[], options?: ConvTransposeOptions, withBias?: boolean): WeightGrads<D>;

    /** max / min / avg pooling over `[N, C, ...spatial]` with precomputed windows. */
    poolForward<D extends DType>(x: Tensor<D>, spec: PoolSpec): PoolResult<D>;
    /** `indices` from poolForward for max/min (ignored for avg). */
    poolBackward<D extends DType>(dy: Tensor<D>, xShape: readonly number[], spec: PoolSpec, indices: Int32Array | null): Tensor<D>;
}
