/**
 * Sliding-window arithmetic, written once for every spatial rank: output sizes of convolution,
 * transposed convolution and pooling exactly as PyTorch computes them (aten's
 * `conv_output_size`, `conv_transpose` shape and `pooling_output_shape` with ceil_mode), 'same'
 * padding, and which real input positions no window ever reads.
 */

/** Floor division that rounds toward negative infinity, as aten's `div_rtn`. */
export function floorDiv(a: number, b: number): number {
    return Math.floor(a / b);
}

/** Effective (dilated) kernel extent: d·(k−1) + 1. */
export function dilatedExtent(kernel: number, dilation: number): number {
    return dilation * (kernel - 1) + 1;
}

/** Convolution: ⌊(n + pl + pr − d(k−1) − 1) / s⌋ + 1. May be < 1 (the caller reports it). */
export function convOutputSize(n: number, kernel: number, stride: number, padLeft: number, padRight: number, dilation: number): number {
    return floorDiv(n + padLeft + padRight - dilation * (kernel - 1) - 1, stride) + 1;
}

/** Transposed convolution: (n − 1)s − 2p + d(k − 1) + output_padding + 1. */
export function transposedOutputSize(n: number, kernel: number, stride: number, padding: number, dilation: number, outputPadding: number): number {
    return (n - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1;
}

/**
 * Pooling, as aten's `pooling_output_shape`: with ceil_mode the division rounds up, but a last
 * window that would start in the right padding (at or beyond n + p) is dropped.
 */
export function poolOutputSize(n: number, kernel: number, stride: number, padding: number, dilation: number, ceilMode: boolean): number {
    let out = floorDiv(n + 2 * padding - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0), stride) + 1;
    if (ceilMode && (out - 1) * stride >= n + padding) out--;
    return out;
}

/** 'same' padding for stride 1: total d(k−1), the odd extra on the right (as PyTorch does). */
export function samePadding(kernel: number, dilation: number): [number, number] {
    const total = dilation * (kernel - 1);
    const left = Math.floor(total / 2);
    return [left, total - left];
}

export interface Coverage {
    /** Real input positions after the last window's reach. */
    readonly trailing: number;
    /** Real input positions inside the windows' span that no kernel tap reads (kernel < stride, dilation gaps). */
    readonly holes: number;
}

/**
 * Which real input positions (not padding) no window tap ever reads, for `out` windows starting
 * at i·s in the padded input. Exact for moderate sizes; falls back to span arithmetic beyond.
 */
export function coverage(n: number, kernel: number, stride: number, padLeft: number, dilation: number, out: number): Coverage {
    if (out < 1 || n < 1) return { trailing: 0, holes: 0 };
    const lastReach = (out - 1) * stride + dilation * (kernel - 1); // padded coordinate of the last tap
    const trailing = Math.max(0, padLeft + n - 1 - lastReach);
    if (out * kernel > 4_000_000 || n > 4_000_000) {
        const extent = dilatedExtent(kernel, dilation);
        return { trailing, holes: extent < stride ? Math.max(0, n - trailing - out * kernel) : 0 };
    }
    const seen = new Uint8Array(n);
    for (let i = 0; i < out; i++) {
        for (let j = 0; j < kernel; j++) {
            const x = i * stride + j * dilation - padLeft;
            if (x >= 0 && x < n) seen[x] = 1;
        }
    }
    let unseen = 0;
    for (let x = 0; x < n; x++) if (seen[x] === 0) unseen++;
    return { trailing, holes: unseen - trailing };
}

/** Human names of the spatial axes of a rank-r tensor, for messages. */
export function axisNoun(rank: number, axis: number): string {
    if (rank === 1) return 'positions';
    if (rank === 2) return axis === 0 ? 'rows' : 'columns';
    return ['depth slices', 'rows', 'columns'][axis] ?? `positions on axis ${axis}`;
}
