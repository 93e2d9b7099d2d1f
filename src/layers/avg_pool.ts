/**
 * avg_pool1d / 2d / 3d — torch.nn.AvgPool{1,2,3}d. out = ⌊(n + 2p − k) / s⌋ + 1 (⌈…⌉ with
 * ceil_mode, dropping a last window that would start in the right padding); padding at most ⌊k/2⌋.
 * avg_pool1d has no divisor_override in PyTorch, so it has none here; avg_pool3d (only) also
 * requires the unpadded input to be at least the kernel on every axis.
 *
 * Engine: aten's avg_pool{2,3}d (avg_pool1d is avg_pool2d on an unsqueezed input) sum a window's
 * real elements and divide by divisor_override when given, else by the window's size clipped to
 * the padded input — hend = min(hstart + k, n + p), so a ceil_mode window reaching past the right
 * padding counts only up to its end — when count_include_pad, else by its real (in-input)
 * elements. The gradient spreads dy / divisor over the window's real elements (kernels/pool.ts).
 */
import { axisLetter, spatialInput, spatialLetters, tupleText } from './common.js';
import { poolBackwardPass, poolForwardPass, poolOutput, poolWindow, slidingPoolSpec } from './pooling.js';
import type { PoolSpec } from '../engine/kernels/index.js';
import { defineLayer, type ArgSpec, type Padding } from './types.js';

const baseArgs = [
    { name: 'kernel_size', type: { kind: 'ints', min: 1, single: true }, doc: 'Size of the pooling window: an int or a tuple per spatial axis.' },
    { name: 'stride', type: { kind: 'ints', min: 1, nullable: true, single: true }, default: 'None', doc: 'Step between windows; None (the default) means kernel_size, non-overlapping windows.' },
    { name: 'padding', type: { kind: 'padding', strings: false, single: true }, default: '0', doc: 'Implicit zero padding on both sides; at most half the kernel_size.' },
    { name: 'ceil_mode', type: { kind: 'bool' }, default: 'false', doc: 'Round the output size up: a last, partial window is kept when it starts inside the input or the left padding.' },
    { name: 'count_include_pad', type: { kind: 'bool' }, default: 'true', doc: 'Count the zero padding in the divisor (true), or divide by the real positions in each window only (false).' },
] as const satisfies readonly ArgSpec[];

const divisorArg = {
    name: 'divisor_override', type: { kind: 'int', nullable: true }, default: 'None',
    doc: 'Divide every window sum by this number instead of the window size (not zero).',
} as const satisfies ArgSpec;

/** The resolved arguments of either schema (avg_pool1d's lacks divisor_override). */
interface AvgArgs {
    readonly kernel_size: number[];
    readonly stride: number[] | null;
    readonly padding: Padding;
    readonly ceil_mode: boolean;
    readonly count_include_pad: boolean;
    readonly divisor_override?: number | null;
}

/** The kernels' spec for an input of `shape`. */
function avgSpec(a: AvgArgs, shape: readonly number[], rank: number): PoolSpec {
    return slidingPoolSpec('avg', shape, rank, poolWindow(a), { countIncludePad: a.count_include_pad, divisorOverride: a.divisor_override ?? null });
}

function makeAvgPool(rank: 1 | 2 | 3) {
    const name = `avg_pool${rank}d`;
    const args = rank === 1 ? baseArgs : ([...baseArgs, divisorArg] as const);
    return defineLayer({
        name,
        family: 'pooling',
        torch: `torch.nn.AvgPool${rank}d`,
        rank,
        example: `${name}(kernel_size=2)`,
        doc: [
            `${rank}-D average pooling: the mean of each window, per channel, over an input [N, C, ${spatialLetters(rank)}].`,
            '',
            'out = ⌊(n + 2·padding − kernel_size) / stride⌋ + 1 per axis. With ceil_mode the division rounds up, but a last window that would start in the right padding is dropped.',
            rank === 1 ? '\nPyTorch\'s AvgPool1d has no divisor_override.' : '',
            rank === 3 ? '\nPyTorch\'s avg_pool3d also requires the input, without padding, to be at least the kernel on every axis.' : '',
        ].join('\n').trimEnd(),
        args,
        infer(ctx) {
            const a = ctx.args as unknown as AvgArgs;
            const input = spatialInput(ctx, rank, name);
            if (!input) return undefined;
            const divisor = a.divisor_override ?? null;
            if (divisor === 0) {
                ctx.error('invalid-value', 'divisor_override must not be 0: remove it to divide by the window size', 'divisor_override');
                return undefined;
            }
            const window = poolWindow(a);
            const { stride, padding } = window;
            let ok = true;
            if (rank === 3) {
                const small = input.spatial.map((n, i) => ({ n, k: a.kernel_size[i]!, i })).filter(x => x.n < x.k);
                if (small.length > 0) {
                    const detail = small.map(x => `${axisLetter(rank, x.i)}: ${x.n} < ${x.k}`).join(', ');
                    ctx.error('kernel-larger-than-input', `the input is smaller than the kernel (${detail}); PyTorch's avg_pool3d requires the input without padding to be at least the kernel on every axis: use a smaller kernel_size`, 'kernel_size');
                    ok = false;
                }
            }
            const pool = poolOutput(ctx, rank, input, window);
            if (!pool || !ok) return undefined;
            const windowSize = a.kernel_size.reduce((x, y) => x * y, 1);
            const divides = divisor !== null
                ? `divided by divisor_override = ${divisor}`
                : a.count_include_pad || padding.every(p => p === 0)
                    ? `divided by the window size ${a.kernel_size.join('·')} = ${windowSize}${padding.some(p => p > 0) ? ' (padding counted)' : ''}`
                    : 'divided by the number of real (unpadded) positions in each window';
            return {
                shape: [...input.lead, input.channels, ...pool.out],
                params: 0,
                macs: 0,
                resolved: { stride },
                rf: { kind: 'window', kernel: a.kernel_size, stride, padLeft: padding, dilation: a.kernel_size.map(() => 1) },
                explain: [
                    ...pool.explain,
                    `mean over ${tupleText(a.kernel_size)} windows, stride ${tupleText(stride)}${a.stride === null ? ' (= kernel_size)' : ''}: the sum ${divides}`,
                ],
            };
        },
        forward(ctx) {
            return poolForwardPass(ctx, rank, avgSpec(ctx.args as unknown as AvgArgs, ctx.inputs[0]!.shape, rank));
        },
        backward(ctx) {
            return poolBackwardPass(ctx, rank, () => avgSpec(ctx.args as unknown as AvgArgs, ctx.inputs[0]!.shape, rank));
        },
    });
}

export const avgPool1d = makeAvgPool(1);
export const avgPool2d = makeAvgPool(2);
export const avgPool3d = makeAvgPool(3);
export const avgPoolLayers = [avgPool1d, avgPool2d, avgPool3d];
