/**
 * max_pool1d / 2d / 3d — torch.nn.MaxPool{1,2,3}d — and min_pool1d / 2d / 3d, which PyTorch has
 * no module for: min_pool(x) = −max_pool(−x), with the same arguments, checks and shapes.
 * out = ⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1 (⌈…⌉ with ceil_mode, dropping a last window that would
 * start in the right padding); padding at most ⌊k/2⌋ of the undilated kernel.
 *
 * Engine: aten's max-pool kernels (kernels/pool.ts) take each window's maximum over its real
 * taps (padding is −∞, never chosen), moving on `v > best || isnan(v)`, so a tie keeps the FIRST
 * element in row-major window order and NaN propagates; the gradient goes to that one element
 * (several windows choosing the same element add up). min pooling is the kernels' 'min' mode,
 * which is −max_pool(−x) exactly: the same ties, the same element, the same gradient. The chosen
 * indices are the branch: a finite-difference step across a tie moves the arg-max.
 */
import { spatialInput, spatialLetters, tupleText } from './common.js';
import { poolBackwardPass, poolForwardPass, poolOutput, poolWindow, slidingPoolSpec } from './pooling.js';
import { defineLayer } from './types.js';

function makeMaxPool(rank: 1 | 2 | 3, kind: 'max' | 'min') {
    const name = `${kind}_pool${rank}d`;
    const what = kind === 'max' ? 'maximum' : 'minimum';
    return defineLayer({
        name,
        family: 'pooling',
        torch: kind === 'max' ? `torch.nn.MaxPool${rank}d` : `-torch.nn.functional.max_pool${rank}d(-x)`,
        rank,
        example: `${name}(kernel_size=${rank === 1 ? 3 : 2}${rank === 1 ? ', stride=2, padding=1' : ''})`,
        doc: [
            `${rank}-D ${kind} pooling: the ${what} of each window, per channel, over an input [N, C, ${spatialLetters(rank)}].`,
            '',
            kind === 'min'
                ? `PyTorch has no min-pooling module; this is \`-F.max_pool${rank}d(-x)\`, so it takes max_pool${rank}d's arguments and gives the same shapes. Padding positions count as +∞ (they are never the minimum).`
                : 'Padding positions count as −∞ (they are never the maximum).',
            '',
            'out = ⌊(n + 2·padding − dilation·(kernel_size − 1) − 1) / stride⌋ + 1 per axis. With ceil_mode the division rounds up, but a last window that would start in the right padding is dropped.',
        ].join('\n'),
        args: [
            { name: 'kernel_size', type: { kind: 'ints', min: 1, single: true }, doc: 'Size of the pooling window: an int or a tuple per spatial axis.' },
            { name: 'stride', type: { kind: 'ints', min: 1, nullable: true, single: true }, default: 'None', doc: 'Step between windows; None (the default) means kernel_size, non-overlapping windows.' },
            { name: 'padding', type: { kind: 'padding', strings: false, single: true }, default: '0', doc: `Implicit ${kind === 'max' ? '−∞' : '+∞'} padding on both sides; at most half the (undilated) kernel_size.` },
            { name: 'dilation', type: { kind: 'ints', min: 1, single: true }, default: '1', doc: 'Spacing between window elements.' },
            { name: 'return_indices', type: { kind: 'bool' }, default: 'false', doc: 'PyTorch can also return the arg-max indices; a chain carries one tensor, so only false is accepted.' },
            { name: 'ceil_mode', type: { kind: 'bool' }, default: 'false', doc: 'Round the output size up: a last, partial window is kept when it starts inside the input or the left padding.' },
        ],
        infer(ctx) {
            const a = ctx.args;
            const input = spatialInput(ctx, rank, name);
            if (!input) return undefined;
            if (a.return_indices) {
                ctx.error('return-indices', 'return_indices=true returns (output, indices), which a chain cannot carry: remove return_indices', 'return_indices');
                return undefined;
            }
            const window = poolWindow(a);
            const { stride, padding } = window;
            const pool = poolOutput(ctx, rank, input, window);
            if (!pool) return undefined;
            return {
                shape: [...input.lead, input.channels, ...pool.out],
                params: 0,
                macs: 0,
                resolved: { stride },
                rf: { kind: 'window', kernel: a.kernel_size, stride, padLeft: padding, dilation: a.dilation },
                explain: [
                    ...pool.explain,
                    `${what} over ${tupleText(a.kernel_size)} windows${a.dilation.some(d => d > 1) ? ` dilated by ${tupleText(a.dilation)}` : ''}, stride ${tupleText(stride)}${a.stride === null ? ' (= kernel_size)' : ''}; channels unchanged (${input.channels})`,
                ],
            };
        },
        forward(ctx) {
            return poolForwardPass(ctx, rank, slidingPoolSpec(kind, ctx.inputs[0]!.shape, rank, poolWindow(ctx.args)));
        },
        backward(ctx) {
            return poolBackwardPass(ctx, rank, () => slidingPoolSpec(kind, ctx.inputs[0]!.shape, rank, poolWindow(ctx.args)));
        },
    });
}

export const maxPool1d = makeMaxPool(1, 'max');
export const maxPool2d = makeMaxPool(2, 'max');
export const maxPool3d = makeMaxPool(3, 'max');
export const minPool1d = makeMaxPool(1, 'min');
export const minPool2d = makeMaxPool(2, 'min');
export const minPool3d = makeMaxPool(3, 'min');
export const maxPoolLayers = [maxPool1d, maxPool2d, maxPool3d, minPool1d, minPool2d, minPool3d];
