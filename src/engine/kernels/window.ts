/**
 * Window iteration, once for every kernel: which output positions a kernel tap reaches inside the
 * input (im2col, col2im, the direct kernels), and which input positions each pooling window
 * covers (sliding windows with padding, dilation and ceil_mode, exactly as aten's pooling kernels
 * clip them; adaptive windows as aten's `start_index`/`end_index`).
 *
 * Along one axis, output o's tap j reads input o·stride + offset, offset = j·dilation − padBefore.
 */
import { poolOutputSize } from '../../shape/window.js';

/** First output o ≥ 0 whose tap o·stride + offset is ≥ 0 (may be ≥ outLen: empty range). */
export function rangeLo(stride: number, offset: number): number {
    return offset >= 0 ? 0 : Math.floor((stride - 1 - offset) / stride);
}

/** One past the last output o < outLen whose tap o·stride + offset is < inLen (may be ≤ rangeLo). */
export function rangeHi(outLen: number, stride: number, offset: number, inLen: number): number {
    const last = inLen - 1 - offset;
    if (last < 0) return 0;
    return Math.min(outLen, Math.floor(last / stride) + 1);
}

/** The windows of one spatial axis of a pooling. */
export interface AxisWindows {
    readonly inSize: number;
    readonly outSize: number;
    /** input position of window o's first real (non-padding) tap */
    readonly first: Int32Array;
    /** how many real taps window o has (0 only for degenerate configurations) */
    readonly count: Int32Array;
    /** distance between taps: the dilation */
    readonly step: number;
    /** taps of window o inside the padded input, padding included (the count_include_pad divisor) */
    readonly padded: Int32Array;
}

export interface SlidingWindowOptions {
    readonly kernel: number;
    /** default: kernel */
    readonly stride?: number;
    /** symmetric zero padding (PyTorch pooling's), or [before, after]; default 0 */
    readonly padding?: number | readonly [number, number];
    /** default 1 */
    readonly dilation?: number;
    /** default false: PyTorch's ceil_mode, whose last window must start inside the input or left padding */
    readonly ceilMode?: boolean;
}

/** Sliding windows over an axis of `inSize` positions (max/min/avg pooling). */
export function slidingWindows(inSize: number, options: SlidingWindowOptions): AxisWindows {
    const k = options.kernel;
    const s = options.stride ?? k;
    const d = options.dilation ?? 1;
    const [pb, pa] = typeof options.padding === 'object' ? options.padding : [options.padding ?? 0, options.padding ?? 0];
    let out: number;
    if (pb === pa) out = poolOutputSize(inSize, k, s, pb, d, options.ceilMode ?? false);
    else {
        // asymmetric: the same rule with the two pads spelled out
        const ceil = options.ceilMode ? s - 1 : 0;
        out = Math.floor((inSize + pb + pa - d * (k - 1) - 1 + ceil) / s) + 1;
        if (options.ceilMode && (out - 1) * s >= inSize + pb) out--;
    }
    out = Math.max(out, 0);
    const first = new Int32Array(out);
    const count = new Int32Array(out);
    const padded = new Int32Array(out);
    for (let o = 0; o < out; o++) {
        const start = o * s - pb;
        const j0 = rangeLo(d, start);
        const j1 = Math.min(k, rangeHi(k, d, start, inSize));
        first[o] = start + j0 * d;
        count[o] = Math.max(0, j1 - j0);
        // taps inside [−pb, inSize + pa): start ≥ −pb always, so only the high end clips
        padded[o] = Math.min(k, rangeHi(k, d, start, inSize + pa));
    }
    return { inSize, outSize: out, first, count, step: d, padded };
}

/** Adaptive pooling windows: [⌊o·n/out⌋, ⌈(o+1)·n/out⌉). */
export function adaptiveWindows(inSize: number, outSize: number): AxisWindows {
    const first = new Int32Array(outSize);
    const count = new Int32Array(outSize);
    for (let o = 0; o < outSize; o++) {
        const start = Math.floor((o * inSize) / outSize);
        const end = Math.ceil(((o + 1) * inSize) / outSize);
        first[o] = start;
        count[o] = end - start;
    }
    return { inSize, outSize, first, count, step: 1, padded: count.slice() };
}

/** A trivial axis (size 1, one window of one tap): pads pooling to rank 3. */
export function unitWindows(): AxisWindows {
    const one = Int32Array.of(1);
    return { inSize: 1, outSize: 1, first: Int32Array.of(0), count: one, step: 1, padded: one };
}
