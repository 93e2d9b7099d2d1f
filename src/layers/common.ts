/** Helpers shared by layer modules: reading the input's layout and wording window problems. */
import { axisNoun, coverage, dilatedExtent } from '../shape/window.js';
import { formatShape, wrapDim } from '../shape/dims.js';
import type { Dim, LayerContext, Shape } from './types.js';

export interface SpatialInput {
    /** Axis of the channels (0 for an unbatched input). */
    readonly channelAxis: number;
    readonly channels: number;
    readonly spatial: readonly number[];
    /** The leading dims kept as they are (batch, or nothing when unbatched). */
    readonly lead: readonly Dim[];
}

const rankWords = ['', '1-D', '2-D', '3-D'];

/**
 * Reads `[N, C, *spatial]` (or unbatched `[C, *spatial]`) for a layer of spatial rank `rank`;
 * `layer` is the layer's name (`conv2d`), for suggesting the one of the input's rank.
 * Messages never name the layer: the analysis prefixes it.
 */
export function spatialInput(ctx: LayerContext<unknown>, rank: number, layer: string, allowUnbatched = true): SpatialInput | undefined {
    const shape = ctx.input;
    const batched = rank + 2;
    const letters = spatialLetters(rank);
    if (shape.length !== batched && !(allowUnbatched && shape.length === rank + 1)) {
        ctx.error('input-rank', `expects a ${batched}-D input [N, C, ${letters}]${allowUnbatched ? ` (or unbatched ${rank + 1}-D [C, ${letters}])` : ''}, got ${shape.length}-D ${formatShape(shape)}${rankHint(layer, rank, shape)}`, 'input');
        return undefined;
    }
    if (shape.length === rank + 1 && typeof shape[0] === 'string') {
        // Read unbatched, the symbolic name would be the channels: it is a batch, one spatial axis short.
        const k = rank - 1;
        ctx.error('input-rank', `expects a ${batched}-D input [N, C, ${letters}] (or unbatched [C, ${letters}]), got ${formatShape(shape)} with ${k} spatial ${k === 1 ? 'axis' : 'axes'}${rankHint(layer, rank, shape)}`, 'input');
        return undefined;
    }
    const channelAxis = shape.length - rank - 1;
    const channels = shape[channelAxis];
    const spatial = shape.slice(channelAxis + 1);
    if (typeof channels !== 'number' || spatial.some(d => typeof d !== 'number')) {
        ctx.error('symbolic-dim', `needs concrete channel and ${rankWords[rank] ?? ''} spatial sizes, got ${formatShape(shape)}: only the batch may be symbolic`, 'input');
        return undefined;
    }
    return { channelAxis, channels, spatial: spatial as number[], lead: shape.slice(0, channelAxis) };
}

/**
 * " — did you mean conv1d?" when `shape`, read as batched `[N, C, *spatial]`, fits the same layer
 * family at another spatial rank (the layer's name with its `1d`/`2d`/`3d` suffix changed).
 * Only when that reading is the likely one: a symbolic first dim (a batch), or more dims than the
 * layer takes at all. `zeroAxesRank` is the rank whose layer takes `[N, C]` (1 for batch norm,
 * whose batch_norm1d does; 0 for none).
 */
export function rankHint(layer: string, rank: number, shape: Shape, zeroAxesRank = 0): string {
    if (!/[123]d$/.test(layer)) return '';
    if (typeof shape[0] !== 'string' && shape.length <= rank + 2) return '';
    let k = shape.length - 2;
    if (k === 0 && zeroAxesRank > 0) k = zeroAxesRank;
    if (k < 1 || k > 3 || k === rank) return '';
    return ` — did you mean ${layer.replace(/[123]d$/, `${k}d`)}?`;
}

export function spatialLetters(rank: number): string {
    return ['L', 'H, W', 'D, H, W'][rank - 1] ?? 'spatial';
}

export function axisLetter(rank: number, axis: number): string {
    const letters = rank === 1 ? 'L' : rank === 2 ? 'HW' : 'DHW';
    return letters[axis] ?? `axis ${axis}`;
}

/**
 * Reports real input positions no window reads: trailing ones as a warning (the remainder of
 * (n + pl + pr − d(k−1) − 1) / s), holes from a kernel smaller than the stride as information
 * (counting the trailing positions too: all the unseen ones, as x.grad == 0 shows in PyTorch).
 */
export function reportCoverage(
    ctx: LayerContext<unknown>, rank: number, sizes: readonly number[], out: readonly number[],
    kernel: readonly number[], stride: readonly number[], padLeft: readonly number[], padRight: readonly number[], dilation: readonly number[],
): void {
    // Axes with the same finding and the same numbers are reported once ("28 rows and 28 columns").
    const holes = new Map<string, string[]>();
    const trailing = new Map<string, string[]>();
    for (let i = 0; i < rank; i++) {
        const n = sizes[i]!, k = kernel[i]!, s = stride[i]!, pl = padLeft[i]!, pr = padRight[i]!, d = dilation[i]!;
        const cov = coverage(n, k, s, pl, d, out[i]!);
        const noun = axisNoun(rank, i);
        if (cov.holes > 0) {
            const extent = dilatedExtent(k, d);
            const cause = extent < s ? `kernel ${extent}${d > 1 ? ' (dilated)' : ''} is smaller than stride ${s}` : `dilation ${d} with stride ${s} skips input`;
            // Every unseen position: the holes between windows and the trailing ones after the last.
            const unseen = cov.holes + cov.trailing;
            add(holes, cause, `${unseen} ${unseen === 1 ? singular(noun) : noun}`);
        } else if (cov.trailing > 0) {
            const span = n + pl + pr - d * (k - 1) - 1;
            const rem = span % s;
            const why = `(${n} + ${pl + pr} − ${d * (k - 1)} − 1) = ${span} leaves ${rem} after dividing by stride ${s}; pad by ${s - rem} more or change the input size`;
            add(trailing, why, `${cov.trailing} ${cov.trailing === 1 ? singular(noun) : noun}`);
        }
    }
    for (const [cause, what] of holes) {
        ctx.information('kernel-smaller-than-stride', `${cause}: ${joinAnd(what)} of the input are never seen and the receptive field has holes`, 'stride');
    }
    for (const [why, what] of trailing) {
        ctx.warning('uncovered-input', `the last ${joinAnd(what)} of the input ${what.length === 1 && what[0]!.startsWith('1 ') ? 'is' : 'are'} never covered by any window: ${why}`, 'stride');
    }
}

function add(map: Map<string, string[]>, key: string, value: string): void {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
}

function singular(noun: string): string {
    return noun.replace(/s$/, '');
}

function joinAnd(items: readonly string[]): string {
    return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * Normalises a possibly negative axis the way PyTorch wraps `dim`; reports 'dim-out-of-range'
 * on `arg` and returns undefined when it is outside [−rank, rank − 1].
 */
export function wrapAxis(ctx: LayerContext<unknown>, dim: number, shape: Shape, arg: string): number | undefined {
    const wrapped = wrapDim(dim, shape.length);
    if (wrapped === undefined) {
        const r = Math.max(shape.length, 1);
        ctx.error('dim-out-of-range', `${arg}=${dim} is out of range for a ${shape.length}-D input ${formatShape(shape)}: use an axis from ${-r} to ${r - 1}`, arg);
    }
    return wrapped;
}

/** Reads the channel count of `[N, C, ...]` (`[C]` for a 1-D input), which must be concrete. */
export function concreteDim(ctx: LayerContext<unknown>, shape: Shape, axis: number, what: string): number | undefined {
    const d = shape[axis];
    if (typeof d !== 'number') {
        ctx.error('symbolic-dim', `needs a concrete ${what} (axis ${axis}), got ${d} in ${formatShape(shape)}: only the batch may be symbolic`, 'input');
        return undefined;
    }
    return d;
}

/** A warning for outputs with a zero-sized axis, which PyTorch allows but no network wants. */
export function warnEmpty(ctx: LayerContext<unknown>, shape: Shape, arg: string): void {
    if (shape.some(d => d === 0)) ctx.warning('empty-output', `the output ${formatShape(shape)} has no elements (PyTorch allows a size of 0, but nothing downstream can use it): make ${arg} at least 1`, arg);
}

export function product(xs: readonly number[]): number {
    return xs.reduce((a, b) => a * b, 1);
}

export function tupleText(xs: readonly number[]): string {
    return xs.length === 1 ? String(xs[0]) : `(${xs.join(', ')})`;
}
