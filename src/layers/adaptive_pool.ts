/**
 * adaptive_avg_pool1d / 2d / 3d and adaptive_max_pool1d / 2d / 3d — torch.nn.Adaptive{Avg,Max}Pool{1,2,3}d.
 * The output size is given; output position o of m reads the input bin
 * [⌊o·n/m⌋, ⌈(o + 1)·n/m⌉). Entries of None keep the input's size (2-D and 3-D only, as in
 * PyTorch, whose 1-D variants take an int). Receptive field: when m divides n the bins are windows
 * of n/m with stride n/m (exactly; m = 1 is the whole input); otherwise the widest bin and the
 * mean step n/m.
 *
 * Engine: the kernels' pooling over adaptive windows (window.ts `adaptiveWindows`, aten's
 * start_index/end_index). The average divides by the bin's size; the maximum keeps the FIRST
 * element of a tie in row-major bin order (aten's `val > maxval || isnan(val)`), and its chosen
 * indices are the branch, as for max pooling. The output sizes are the analysis' (None entries
 * already filled in), and the input's last `rank` axes are pooled whatever leads them, which also
 * serves the all-ones fast path below (a mean over the last axes of an input of any rank).
 */
import { adaptiveWindows, type PoolSpec } from '../engine/kernels/index.js';
import { axisLetter, spatialInput, spatialLetters, warnEmpty } from './common.js';
import { poolBackwardPass, poolForwardPass } from './pooling.js';
import { formatShape } from '../shape/dims.js';
import type { RfRule } from '../shape/receptive-field.js';
import { defineLayer, type LayerContext, type LayerResult } from './types.js';

/** Smallest and largest bin of n inputs split into m adaptive bins. */
function binWidths(n: number, m: number): [number, number] {
    let lo = Infinity, hi = 0;
    for (let o = 0; o < Math.min(m, 100_000); o++) {
        const w = Math.ceil(((o + 1) * n) / m) - Math.floor((o * n) / m);
        lo = Math.min(lo, w);
        hi = Math.max(hi, w);
    }
    return [lo, hi];
}

/**
 * PyTorch's adaptive_avg_pool2d/3d compute an all-ones output_size as a mean over the last 2 or 3
 * axes without checking the input's rank (aten's fast path), so e.g. a 5-D input passes
 * adaptive_avg_pool2d(1). We accept what PyTorch accepts, with a warning.
 */
function globalMeanQuirk(ctx: LayerContext<unknown>, rank: number, outputSize: ReadonlyArray<number | null>): LayerResult | undefined {
    const shape = ctx.input;
    if (rank === 1 || shape.length === rank + 1 || shape.length === rank + 2 || shape.length < rank) return undefined;
    // None entries are filled from the input's trailing dims, which needs more dims than entries.
    if (outputSize.some(m => m === null) && shape.length <= rank) return undefined;
    const trailing = shape.slice(shape.length - rank);
    if (!outputSize.every((m, i) => (m ?? trailing[i]) === 1)) return undefined;
    ctx.warning('input-rank', `a ${shape.length}-D input ${formatShape(shape)} is not [N, C, ${spatialLetters(rank)}]: PyTorch accepts it only because an output of ${outputSize.map(() => 1).join('×')} is computed as a mean over the last ${rank} axes (any other output_size would fail); check the input`, 'input');
    return {
        shape: [...shape.slice(0, shape.length - rank), ...outputSize.map(() => 1)],
        params: 0,
        macs: 0,
        rf: { kind: 'global' },
        explain: [`mean over the last ${rank} axes ${formatShape(trailing)} (PyTorch's fast path for an all-ones output_size)`],
    };
}

/** The kernels' spec: adaptive bins from the input's last `rank` axes to the output's. */
function adaptiveSpec(kind: 'avg' | 'max', inShape: readonly number[], outShape: readonly number[], rank: number): PoolSpec {
    const n = inShape.slice(inShape.length - rank);
    const m = outShape.slice(outShape.length - rank);
    return { mode: kind, windows: n.map((size, i) => adaptiveWindows(size, m[i]!)) };
}

function makeAdaptivePool(rank: 1 | 2 | 3, kind: 'avg' | 'max') {
    const name = `adaptive_${kind}_pool${rank}d`;
    const what = kind === 'avg' ? 'mean' : 'maximum';
    return defineLayer({
        name,
        family: 'adaptive',
        torch: `torch.nn.Adaptive${kind === 'avg' ? 'Avg' : 'Max'}Pool${rank}d`,
        rank,
        example: `${name}(${rank === 1 ? '1' : `(${Array.from({ length: rank }, () => '1').join(', ')})`})`,
        doc: [
            `${rank}-D adaptive ${kind} pooling of an input [N, C, ${spatialLetters(rank)}] to a given output size: the ${what} of each bin, whatever the input size.`,
            '',
            'Output position o of m reads the inputs ⌊o·n/m⌋ … ⌈(o + 1)·n/m⌉ − 1, so the bins cover the input exactly and may overlap by one when m does not divide n.',
            rank === 1 ? '' : 'An entry of None keeps that axis\' input size.',
        ].join('\n').trimEnd(),
        args: [
            {
                name: 'output_size', type: { kind: 'outputSize' },
                doc: rank === 1 ? 'The output length (an int).' : `The output size: an int for every axis, or a tuple of ${rank} whose None entries keep the input's size.`,
            },
            ...(kind === 'max'
                ? [{ name: 'return_indices', type: { kind: 'bool' }, default: 'false', doc: 'PyTorch can also return the arg-max indices; a chain carries one tensor, so only false is accepted.' } as const]
                : []),
        ],
        infer(ctx) {
            const a = ctx.args as { output_size: Array<number | null>; return_indices?: boolean };
            const quirk = kind === 'avg' ? globalMeanQuirk(ctx, rank, a.output_size) : undefined;
            if (quirk) return quirk;
            const input = spatialInput(ctx, rank, name);
            if (!input) return undefined;
            if (a.return_indices) {
                ctx.error('return-indices', 'return_indices=true returns (output, indices), which a chain cannot carry: remove return_indices', 'return_indices');
                return undefined;
            }
            if (rank === 1 && a.output_size[0] === null) {
                ctx.error('invalid-value', `output_size must be an integer for a 1-D adaptive pool (PyTorch's ${name} takes no None): give the output length`, 'output_size');
                return undefined;
            }
            const out = a.output_size.map((m, i) => m ?? input.spatial[i]!);
            const shape = [...input.lead, input.channels, ...out];
            warnEmpty(ctx, shape, 'output_size');
            const lines = out.map((m, i) => {
                const n = input.spatial[i]!;
                if (a.output_size[i] === null) return `${axisLetter(rank, i)}: None keeps ${n}`;
                if (m === 0) return `${axisLetter(rank, i)}: ${n} → 0`;
                const [lo, hi] = binWidths(n, m);
                return `${axisLetter(rank, i)}: ${n} → ${m}, bins of ${lo === hi ? lo : `${lo}–${hi}`} input${hi === 1 ? '' : 's'}${n % m === 0 ? ` (window ${n / m}, stride ${n / m})` : ''}`;
            });
            // Receptive field: bins of n/m inputs every n/m (exact when m divides n; otherwise the
            // widest bin and the mean step). An empty output has no field to speak of.
            const exact = out.every((m, i) => m > 0 && input.spatial[i]! % m === 0);
            const rf: RfRule = out.some(m => m === 0)
                ? { kind: 'global' }
                : { kind: 'window', kernel: out.map((m, i) => binWidths(input.spatial[i]!, m)[1]), stride: out.map((m, i) => input.spatial[i]! / m), padLeft: out.map(() => 0), dilation: out.map(() => 1) };
            return {
                shape,
                params: 0,
                macs: 0,
                rf,
                explain: [`bin o of m reads inputs ⌊o·n/m⌋ … ⌈(o+1)·n/m⌉ − 1 (${what})`, ...lines, ...(exact ? [] : ['receptive field: the widest bin, stepping n/m on average'])],
            };
        },
        forward(ctx) {
            return poolForwardPass(ctx, rank, adaptiveSpec(kind, ctx.inputs[0]!.shape, ctx.outShape, rank));
        },
        backward(ctx) {
            return poolBackwardPass(ctx, rank, () => adaptiveSpec(kind, ctx.inputs[0]!.shape, ctx.outShape, rank));
        },
    });
}

export const adaptiveAvgPool1d = makeAdaptivePool(1, 'avg');
export const adaptiveAvgPool2d = makeAdaptivePool(2, 'avg');
export const adaptiveAvgPool3d = makeAdaptivePool(3, 'avg');
export const adaptiveMaxPool1d = makeAdaptivePool(1, 'max');
export const adaptiveMaxPool2d = makeAdaptivePool(2, 'max');
export const adaptiveMaxPool3d = makeAdaptivePool(3, 'max');
export const adaptivePoolLayers = [adaptiveAvgPool1d, adaptiveAvgPool2d, adaptiveAvgPool3d, adaptiveMaxPool1d, adaptiveMaxPool2d, adaptiveMaxPool3d];
