/**
 * Resolves convolution options against tensor shapes into a `ConvGeometry`, checking what the
 * kernels rely on. The layer modules report user mistakes as diagnostics long before this runs,
 * so a failure here is a programming error: it throws, stating expected and actual numbers.
 */
import { convOutputSize, transposedOutputSize } from '../../shape/window.js';
import { formatShape } from '../../tensor/tensor.js';
import type { ConvGeometry, ConvOptions, ConvTransposeOptions, Padding, PerAxis } from './types.js';

export class KernelError extends Error {
    override readonly name = 'KernelError';
}

type Triple = [number, number, number];

/** Per-axis values of an option for `rank` axes. */
export function perAxis(value: PerAxis | undefined, rank: number, fallback: number, what: string): number[] {
    if (value === undefined) return new Array<number>(rank).fill(fallback);
    if (typeof value === 'number') return new Array<number>(rank).fill(value);
    if (value.length === 1) return new Array<number>(rank).fill(value[0]!);
    if (value.length !== rank) throw new KernelError(`${what} has ${value.length} entries for ${rank} spatial axes`);
    return [...value];
}

/** [before[], after[]] of a padding option. */
export function padPairs(padding: Padding | undefined, rank: number): [number[], number[]] {
    if (padding === undefined || typeof padding === 'number') {
        const p = padding ?? 0;
        return [new Array<number>(rank).fill(p), new Array<number>(rank).fill(p)];
    }
    const entries = padding.length === 1 ? new Array(rank).fill(padding[0]) as typeof padding : padding;
    if (entries.length !== rank) throw new KernelError(`padding has ${padding.length} entries for ${rank} spatial axes`);
    const before: number[] = [];
    const after: number[] = [];
    for (const e of entries) {
        if (typeof e === 'number') {
            before.push(e);
            after.push(e);
        } else {
            before.push(e[0]);
            after.push(e[1]);
        }
    }
    return [before, after];
}

function lift(values: readonly number[], fill: number): Triple {
    const t: Triple = [fill, fill, fill];
    for (let i = 0; i < values.length; i++) t[3 - values.length + i] = values[i]!;
    return t;
}

function checkInts(values: readonly number[], min: number, what: string): void {
    for (const v of values) {
        if (!Number.isInteger(v) || v < min) throw new KernelError(`${what} must be integers ≥ ${min}, got (${values.join(', ')})`);
    }
}

/**
 * Geometry of `conv(x, w)` with x `[N, Cin, ...spatial]` and w `[Cout, Cin/groups, ...kernel]`.
 * `outSpatial` overrides the output size (a transposed convolution's input with output_padding ≥
 * stride has one more position than the convolution would produce): windows reaching past the
 * padded input read zeros, so every kernel stays the exact adjoint of the others.
 */
export function convGeometry(xShape: readonly number[], wShape: readonly number[], options: ConvOptions = {}, outSpatial?: readonly number[]): ConvGeometry {
    const rank = xShape.length - 2;
    if (rank < 1 || rank > 3) throw new KernelError(`convolution input must be [N, C, ...spatial] with 1 to 3 spatial axes, got ${formatShape(xShape)}`);
    if (wShape.length !== xShape.length) throw new KernelError(`weight ${formatShape(wShape)} must have rank ${xShape.length} to match input ${formatShape(xShape)}`);
    checkInts(xShape, 0, 'input dimensions');
    checkInts(wShape, 1, 'weight dimensions');
    const groups = options.groups ?? 1;
    if (!Number.isInteger(groups) || groups < 1) throw new KernelError(`groups must be a positive integer, got ${groups}`);
    const [batch, inChannels] = [xShape[0]!, xShape[1]!];
    const outChannels = wShape[0]!;
    if (inChannels % groups !== 0) throw new KernelError(`input channels ${inChannels} are not divisible by groups ${groups}`);
    if (outChannels % groups !== 0) throw new KernelError(`output channels ${outChannels} are not divisible by groups ${groups}`);
    if (wShape[1] !== inChannels / groups) throw new KernelError(`weight ${formatShape(wShape)} expects ${wShape[1]! * groups} input channels (groups ${groups}), input ${formatShape(xShape)} has ${inChannels}`);
    const stride = perAxis(options.stride, rank, 1, 'stride');
    const dilation = perAxis(options.dilation, rank, 1, 'dilation');
    const [before, after] = padPairs(options.padding, rank);
    checkInts(stride, 1, 'stride');
    checkInts(dilation, 1, 'dilation');
    checkInts(before, 0, 'padding');
    checkInts(after, 0, 'padding');
    const inSize = xShape.slice(2);
    const kernel = wShape.slice(2);
    const outSize = inSize.map((n, i) => convOutputSize(n, kernel[i]!, stride[i]!, before[i]!, after[i]!, dilation[i]!));
    if (outSpatial) {
        if (outSpatial.length !== rank) throw new KernelError(`output has ${outSpatial.length} spatial axes, input ${formatShape(xShape)} has ${rank}`);
        checkInts(outSpatial, 1, 'output sizes');
        outSize.splice(0, rank, ...outSpatial);
    }
    if (outSize.some(o => o < 1)) {
        throw new KernelError(`convolution output ${formatShape(outSize)} is empty: input ${formatShape(inSize)}, kernel ${formatShape(kernel)}, stride (${stride.join(', ')}), padding (${before.join(', ')} | ${after.join(', ')}), dilation (${dilation.join(', ')})`);
    }
    return {
        rank, batch, inChannels, outChannels, groups,
        inSize: lift(inSize, 1), outSize: lift(outSize, 1), kernel: lift(kernel, 1),
        stride: lift(stride, 1), dilation: lift(dilation, 1), padBefore: lift(before, 0), padAfter: lift(after, 0),
        xShape: [...xShape], wShape: [...wShape], yShape: [batch, outChannels, ...outSize],
    };
}

/**
 * Output shape of `conv_transpose(x, w)` with x `[N, Cin, ...]`, w `[Cin, Cout/groups, ...kernel]`:
 * per axis (n − 1)·s − before − after + d·(k − 1) + output_padding + 1.
 */
export function convTransposeOutputShape(xShape: readonly number[], wShape: readonly number[], options: ConvTransposeOptions = {}): number[] {
    const rank = xShape.length - 2;
    if (rank < 1 || rank > 3) throw new KernelError(`transposed convolution input must be [N, C, ...spatial] with 1 to 3 spatial axes, got ${formatShape(xShape)}`);
    if (wShape.length !== xShape.length) throw new KernelError(`weight ${formatShape(wShape)} must have rank ${xShape.length} to match input ${formatShape(xShape)}`);
    const groups = options.groups ?? 1;
    const stride = perAxis(options.stride, rank, 1, 'stride');
    const dilation = perAxis(options.dilation, rank, 1, 'dilation');
    const outputPadding = perAxis(options.outputPadding, rank, 0, 'output_padding');
    const [before, after] = padPairs(options.padding, rank);
    const spatial = xShape.slice(2).map((n, i) =>
        transposedOutputSize(n, wShape[i + 2]!, stride[i]!, 0, dilation[i]!, outputPadding[i]!) - before[i]! - after[i]!);
    return [xShape[0]!, wShape[1]! * groups, ...spatial];
}
