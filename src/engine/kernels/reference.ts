/**
 * `referenceKernels`: the definitions, written as naive loops, for tests to check the fast
 * kernels against. Nothing here is blocked, packed, lifted or clever:
 *
 *   conv:           y[n,o,p] = b[o] + Σ_{c in o's group} Σ_k x[n,c, p·s − pad + k·d] · w[o,c,k]
 *   input grad:     dx[n,c, p·s − pad + k·d] += dy[n,o,p] · w[o,c,k]      (the same loop, scattered)
 *   weight grad:    dw[o,c,k] += dy[n,o,p] · x[n,c, p·s − pad + k·d]
 *   conv_transpose: y[n,o, i·s − pad + k·d] += x[n,c,i] · w[c,o,k]         (PyTorch's definition)
 *   pooling:        each window's taps visited one by one
 *
 * Positions outside the input are padding (zero / skipped). Any spatial rank, any dtype (the
 * loops are polymorphic and slow on purpose: only tests run them).
 */
import { type DType, type Tensor, allocate, formatShape, numel, strides, zeros } from '../../tensor/tensor.js';
import { KernelError, convGeometry, convTransposeOutputShape, padPairs, perAxis } from './geometry.js';
import type { ConvGeometry, ConvOptions, ConvTransposeOptions, GemmSpec, Kernels, PoolResult, PoolSpec, WeightGrads } from './types.js';

/** Calls fn with every multi-index of `shape` in C order (the index array is reused). */
function forEachIndex(shape: readonly number[], fn: (index: readonly number[]) => void): void {
    if (shape.some(d => d === 0)) return;
    const index = new Array<number>(shape.length).fill(0);
    for (;;) {
        fn(index);
        let axis = shape.length - 1;
        while (axis >= 0 && ++index[axis]! === shape[axis]) index[axis--] = 0;
        if (axis < 0) return;
    }
}

interface Params { s: number[]; d: number[]; pb: number[]; groups: number }

function params(rank: number, o: ConvOptions): Params {
    const [pb] = padPairs(o.padding, rank);
    return { s: perAxis(o.stride, rank, 1, 'stride'), d: perAxis(o.dilation, rank, 1, 'dilation'), pb, groups: o.groups ?? 1 };
}

/**
 * Visits every (n, oc, output position p, input channel c, kernel offset k) of conv(x: xShape,
 * w: wShape) → yShape whose input position is real, with flat offsets into x, w and y.
 */
function forEachTap(xShape: readonly number[], wShape: readonly number[], yShape: readonly number[], p: Params, fn: (xi: number, wi: number, yi: number) => void): void {
    const rank = xShape.length - 2;
    const [N, Cin] = [xShape[0]!, xShape[1]!];
    const Cout = wShape[0]!;
    const Cg = Cin / p.groups;
    const Mg = Cout / p.groups;
    const xs = strides(xShape);
    const ws = strides(wShape);
    const ys = strides(yShape);
    const inSize = xShape.slice(2);
    for (let n = 0; n < N; n++) {
        for (let oc = 0; oc < Cout; oc++) {
            const grp = Math.floor(oc / Mg);
            forEachIndex(yShape.slice(2), out => {
                let yi = n * ys[0]! + oc * ys[1]!;
                for (let a = 0; a < rank; a++) yi += out[a]! * ys[a + 2]!;
                for (let icl = 0; icl < Cg; icl++) {
                    forEachIndex(wShape.slice(2), k => {
                        let xi = n * xs[0]! + (grp * Cg + icl) * xs[1]!;
                        let wi = oc * ws[0]! + icl * ws[1]!;
                        for (let a = 0; a < rank; a++) {
                            const pos = out[a]! * p.s[a]! - p.pb[a]! + k[a]! * p.d[a]!;
                            if (pos < 0 || pos >= inSize[a]!) return;
                            xi += pos * xs[a + 2]!;
                            wi += k[a]! * ws[a + 2]!;
                        }
                        fn(xi, wi, yi);
                    });
                }
            });
        }
    }
}

/** Flat offset into x of tap k of output position `out` (lifted rank-3 indices), or -1 for padding. */
function liftedTap(g: ConvGeometry, n: number, c: number, out: readonly number[], k: readonly number[]): number {
    let xi = n * g.inChannels + c;
    for (let a = 0; a < 3; a++) {
        const pos = out[a]! * g.stride[a]! - g.padBefore[a]! + k[a]! * g.dilation[a]!;
        if (pos < 0 || pos >= g.inSize[a]!) return -1;
        xi = xi * g.inSize[a]! + pos;
    }
    return xi;
}

function naiveGemm(spec: GemmSpec): void {
    const { m, n, k, a, b, c, lda, ldb, ldc } = spec;
    const [ao, bo, co] = [spec.aOffset ?? 0, spec.bOffset ?? 0, spec.cOffset ?? 0];
    const alpha = spec.alpha ?? 1;
    const beta = spec.beta ?? 0;
    for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
            let s = 0;
            for (let p = 0; p < k; p++) {
                const av = spec.transA ? a[ao + p * lda + i]! : a[ao + i * lda + p]!;
                const bv = spec.transB ? b[bo + j * ldb + p]! : b[bo + p * ldb + j]!;
                s += av * bv;
            }
            const ci = co + i * ldc + j;
            c[ci] = (beta === 0 ? 0 : beta * c[ci]!) + alpha * s;
        }
    }
}

function sumChannels<D extends DType>(dy: Tensor<D>): Tensor<D> {
    const C = dy.shape[1]!;
    const P = numel(dy.shape.slice(2));
    const db = zeros([C], dy.dtype);
    for (let i = 0; i < dy.data.length; i++) {
        const c = Math.floor(i / P) % C;
        db.data[c] = db.data[c]! + dy.data[i]!;
    }
    return db;
}

export const referenceKernels: Kernels = {
    name: 'reference',

    gemm: naiveGemm,

    im2col(x, g, n, c0, channels, col) {
        // column p = output position, row (c, k) = the forward conv's tap
        const P = g.outSize[0] * g.outSize[1] * g.outSize[2];
        let p = 0;
        forEachIndex(g.outSize, out => {
            let row = 0;
            for (let c = 0; c < channels; c++) {
                forEachIndex(g.kernel, k => {
                    const xi = liftedTap(g, n, c0 + c, out, k);
                    col[row * P + p] = xi < 0 ? 0 : x[xi]!;
                    row++;
                });
            }
            p++;
        });
    },

    col2im(col, g, n, c0, channels, dx) {
        const P = g.outSize[0] * g.outSize[1] * g.outSize[2];
        let p = 0;
        forEachIndex(g.outSize, out => {
            let row = 0;
            for (let c = 0; c < channels; c++) {
                forEachIndex(g.kernel, k => {
                    const xi = liftedTap(g, n, c0 + c, out, k);
                    if (xi >= 0) dx[xi] = dx[xi]! + col[row * P + p]!;
                    row++;
                });
            }
            p++;
        });
    },

    convForward(x, w, bias, options = {}) {
        const g = convGeometry(x.shape, w.shape, options);
        const y = zeros(g.yShape, x.dtype);
        const P = numel(g.yShape.slice(2));
        if (bias) for (let i = 0; i < y.data.length; i++) y.data[i] = bias.data[Math.floor(i / P) % g.outChannels]!;
        forEachTap(x.shape, w.shape, g.yShape, params(g.rank, options), (xi, wi, yi) => {
            y.data[yi] = y.data[yi]! + x.data[xi]! * w.data[wi]!;
        });
        return y;
    },

    convBackwardInput(dy, w, xShape, options = {}) {
        const g = convGeometry(xShape, w.shape, options);
        const dx = zeros(xShape, dy.dtype);
        forEachTap(xShape, w.shape, g.yShape, params(g.rank, options), (xi, wi, yi) => {
            dx.data[xi] = dx.data[xi]! + dy.data[yi]! * w.data[wi]!;
        });
        return dx;
    },

    convBackwardWeight<D extends DType>(x: Tensor<D>, dy: Tensor<D>, wShape: readonly number[], options: ConvOptions = {}, withBias = false): WeightGrads<D> {
        const g = convGeometry(x.shape, wShape, options);
        const dw = zeros(wShape, x.dtype);
        forEachTap(x.shape, wShape, g.yShape, params(g.rank, options), (xi, wi, yi) => {
            dw.data[wi] = dw.data[wi]! + dy.data[yi]! * x.data[xi]!;
        });
        return { dw, db: withBias ? sumChannels(dy) : null };
    },

    convTransposeForward<D extends DType>(x: Tensor<D>, w: Tensor<D>, bias: Tensor<D> | null, options: ConvTransposeOptions = {}): Tensor<D> {
        const yShape = convTransposeOutputShape(x.shape, w.shape, options);
        const rank = x.shape.length - 2;
        const p = params(rank, options);
        const y = zeros(yShape, x.dtype);
        const [N, Cin] = [x.shape[0]!, x.shape[1]!];
        const Mg = w.shape[1]!; // output channels per group
        const Cg = Cin / p.groups;
        const [xs, ws, ys] = [strides(x.shape), strides(w.shape), strides(yShape)];
        for (let n = 0; n < N; n++) {
            for (let ic = 0; ic < Cin; ic++) {
                const grp = Math.floor(ic / Cg);
                forEachIndex(x.shape.slice(2), i => {
                    let xi = n * xs[0]! + ic * xs[1]!;
                    for (let a = 0; a < rank; a++) xi += i[a]! * xs[a + 2]!;
                    for (let ol = 0; ol < Mg; ol++) {
                        forEachIndex(w.shape.slice(2), k => {
                            let yi = n * ys[0]! + (grp * Mg + ol) * ys[1]!;
                            let wi = ic * ws[0]! + ol * ws[1]!;
                            for (let a = 0; a < rank; a++) {
                                const pos = i[a]! * p.s[a]! - p.pb[a]! + k[a]! * p.d[a]!;
                                if (pos < 0 || pos >= yShape[a + 2]!) return;
                                yi += pos * ys[a + 2]!;
                                wi += k[a]! * ws[a + 2]!;
                            }
                            y.data[yi] = y.data[yi]! + x.data[xi]! * w.data[wi]!;
                        });
                    }
                });
            }
        }
        if (bias) {
            const P = numel(yShape.slice(2));
            for (let j = 0; j < y.data.length; j++) y.data[j] = y.data[j]! + bias.data[Math.floor(j / P) % yShape[1]!]!;
        }
        return y;
    },

    convTransposeBackwardInput(dy, w, xShape, options = {}) {
        // ⟨convT(x), dy⟩ = Σ x·w·dy over the same taps: gather instead of scatter
        const g = convGeometry(dy.shape, w.shape, options, xShape.slice(2));
        const dx = zeros(xShape, dy.dtype);
        forEachTap(dy.shape, w.shape, xShape, params(g.rank, options), (yi, wi, xi) => {
            dx.data[xi] = dx.data[xi]! + dy.data[yi]! * w.data[wi]!;
        });
        return dx;
    },

    convTransposeBackwardWeight<D extends DType>(x: Tensor<D>, dy: Tensor<D>, wShape: readonly number[], options: ConvTransposeOptions = {}, withBias = false): WeightGrads<D> {
        const g = convGeometry(dy.shape, wShape, options, x.shape.slice(2));
        const dw = zeros(wShape, x.dtype);
        forEachTap(dy.shape, wShape, x.shape, params(g.rank, options), (yi, wi, xi) => {
            dw.data[wi] = dw.data[wi]! + dy.data[yi]! * x.data[xi]!;
        });
        return { dw, db: withBias ? sumChannels(dy) : null };
    },

    poolForward<D extends DType>(x: Tensor<D>, spec: PoolSpec): PoolResult<D> {
        const rank = x.shape.length - 2;
        if (spec.windows.length !== rank) throw new KernelError(`pooling input ${formatShape(x.shape)} has ${rank} spatial axes, the windows ${spec.windows.length}`);
        const outSpatial = spec.windows.map(w => w.outSize);
        const yShape = [x.shape[0]!, x.shape[1]!, ...outSpatial];
        const y = allocate(x.dtype, numel(yShape));
        const indices = spec.mode === 'avg' ? null : new Int32Array(y.length);
        const inSpatial = x.shape.slice(2);
        const Pin = numel(inSpatial);
        const planeStrides = strides(inSpatial);
        let yi = 0;
        for (let plane = 0; plane < x.shape[0]! * x.shape[1]!; plane++) {
            forEachIndex(outSpatial, o => {
                const taps = spec.windows.map((w, a) => w.count[o[a]!]!);
                let best = spec.mode === 'min' ? Infinity : -Infinity;
                let at = -1;
                let sum = 0;
                let first = true;
                forEachIndex(taps, t => {
                    let i = 0;
                    spec.windows.forEach((w, a) => { i += (w.first[o[a]!]! + t[a]! * w.step) * planeStrides[a]!; });
                    const v = x.data[plane * Pin + i]!;
                    if (first) at = i;
                    first = false;
                    sum += v;
                    if ((spec.mode === 'max' ? v > best : v < best) || Number.isNaN(v)) {
                        best = v;
                        at = i;
                    }
                });
                if (spec.mode === 'avg') {
                    const divisor = spec.divisorOverride
                        || ((spec.countIncludePad ?? true) ? spec.windows.reduce((m, w, a) => m * w.padded[o[a]!]!, 1) : numel(taps));
                    y[yi] = sum / divisor;
                } else {
                    y[yi] = best;
                    indices![yi] = at;
                }
                yi++;
            });
        }
        return { y: { shape: yShape, data: y, dtype: x.dtype }, indices };
    },

    poolBackward(dy, xShape, spec, indices) {
        const dx = zeros(xShape, dy.dtype);
        const outSpatial = spec.windows.map(w => w.outSize);
        const P = numel(outSpatial);
        const Pin = numel(xShape.slice(2));
        const planeStrides = strides(xShape.slice(2));
        for (let yi = 0; yi < dy.data.length; yi++) {
            const plane = Math.floor(yi / P);
            if (spec.mode !== 'avg') {
                const i = indices![yi]!;
                if (i >= 0) dx.data[plane * Pin + i] = dx.data[plane * Pin + i]! + dy.data[yi]!;
                continue;
            }
            // recover the output multi-index
            const o: number[] = [];
            let r = yi % P;
            for (let a = outSpatial.length - 1; a >= 0; a--) {
                o[a] = r % outSpatial[a]!;
                r = Math.floor(r / outSpatial[a]!);
            }
            const taps = spec.windows.map((w, a) => w.count[o[a]!]!);
            const divisor = spec.divisorOverride
                || ((spec.countIncludePad ?? true) ? spec.windows.reduce((m, w, a) => m * w.padded[o[a]!]!, 1) : numel(taps));
            forEachIndex(taps, t => {
                let i = 0;
                spec.windows.forEach((w, a) => { i += (w.first[o[a]!]! + t[a]! * w.step) * planeStrides[a]!; });
                dx.data[plane * Pin + i] = dx.data[plane * Pin + i]! + dy.data[yi]! / divisor;
            });
        }
        return dx;
    },
} satisfies Kernels;
