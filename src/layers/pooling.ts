/**
 * The sliding-window part shared by max, min and average pooling (not a layer): PyTorch's
 * `pool{1,2,3}d_shape_check` (padding at most half the kernel, output at least 1) and
 * `pooling_output_shape` (ceil_mode, dropping a last window that would start in the right
 * padding), the hover lines, and the coverage report with ceil_mode's implicit extra padding.
 *
 * Engine side, shared with adaptive pooling: a pooling's input is seen as `[1, planes, ...spatial]`
 * (batch and channels, or just channels when unbatched, fold into planes; the kernels pool each
 * plane alone), the kernels' `poolForward` / `poolBackward` do the arithmetic over windows from
 * window.ts, and max/min poolings report their arg-max as the branch: a finite-difference step
 * that moves the arg-max of a window (a tie, e.g. two equal maxima) crossed a kink.
 */
import { slidingWindows, type PoolSpec } from '../engine/kernels/index.js';
import { EngineError } from '../engine/layer-run.js';
import type { BackwardContext, ForwardContext, Forwarded, Gradients } from '../engine/types.js';
import { dilatedExtent, poolOutputSize } from '../shape/window.js';
import { type DType, type Tensor, numel, reshape } from '../tensor/tensor.js';
import { axisLetter, reportCoverage, type SpatialInput } from './common.js';
import type { LayerContext, Padding } from './types.js';

export interface PoolWindow {
    readonly kernel: readonly number[];
    /** Already defaulted to the kernel when the user gave None. */
    readonly stride: readonly number[];
    readonly padding: readonly number[];
    readonly dilation: readonly number[];
    readonly ceilMode: boolean;
}

export interface PoolOutput {
    readonly out: number[];
    readonly explain: string[];
}

/** The arguments of a sliding pooling, as the schema resolves them (stride may still be None). */
export interface PoolArgs {
    readonly kernel_size: readonly number[];
    readonly stride: readonly number[] | null;
    readonly padding: Padding;
    readonly ceil_mode: boolean;
    /** max/min only; average pooling has none (1) */
    readonly dilation?: readonly number[];
}

/** The window the arguments describe: stride defaults to the kernel, dilation to 1. */
export function poolWindow(a: PoolArgs): PoolWindow {
    return {
        kernel: a.kernel_size,
        stride: a.stride ?? a.kernel_size,
        padding: a.padding.mode === 'explicit' ? a.padding.values : a.kernel_size.map(() => 0),
        dilation: a.dilation ?? a.kernel_size.map(() => 1),
        ceilMode: a.ceil_mode,
    };
}

/** Checks the window against the input and computes the output sizes; undefined after an error. */
export function poolOutput(ctx: LayerContext<unknown>, rank: number, input: SpatialInput, w: PoolWindow): PoolOutput | undefined {
    let ok = true;
    const out: number[] = [];
    const lines: string[] = [];
    const dilated = w.dilation.some(d => d > 1);
    for (let i = 0; i < rank; i++) {
        const n = input.spatial[i]!, k = w.kernel[i]!, s = w.stride[i]!, p = w.padding[i]!, d = w.dilation[i]!;
        const where = rank === 1 ? '' : ` on axis ${axisLetter(rank, i)}`;
        if (p > Math.floor(k / 2)) {
            ctx.error('pool-padding-too-large', `padding ${p}${where} is more than half the kernel ${k}: pooling allows at most ⌊${k}/2⌋ = ${Math.floor(k / 2)}; lower padding or enlarge kernel_size`, 'padding');
            ok = false;
            continue;
        }
        const o = poolOutputSize(n, k, s, p, d, w.ceilMode);
        const dk = dilated ? `${d}·(${k} − 1)` : `(${k} − 1)`;
        const body = `(${n} + 2·${p} − ${dk} − 1) / ${s}`;
        let line = `${axisLetter(rank, i)}: ${w.ceilMode ? `⌈${body}⌉` : `⌊${body}⌋`} + 1`;
        const raw = Math.floor((n + 2 * p - d * (k - 1) - 1 + (w.ceilMode ? s - 1 : 0)) / s) + 1;
        if (w.ceilMode && raw !== o) line += ` − 1 (the last window would start at ${(raw - 1) * s} ≥ n + p = ${n + p}, in the right padding, so it is dropped)`;
        lines.push(`${line} = ${o}`);
        if (o < 1) {
            ctx.error('output-too-small', `output ${axisLetter(rank, i)} would be ${o}: the padded input ${n + 2 * p} is smaller than the ${d > 1 ? 'dilated ' : ''}kernel ${dilatedExtent(k, d)}${where}; use a smaller kernel_size${d > 1 ? ' or dilation' : ''}`, 'kernel_size');
            ok = false;
        }
        out.push(o);
    }
    if (!ok) return undefined;
    for (let i = 0; i < rank; i++) {
        const empty = paddingOnlyWindows(input.spatial[i]!, w.kernel[i]!, w.stride[i]!, w.padding[i]!, w.dilation[i]!, out[i]!);
        if (empty > 0) {
            const where = rank === 1 ? '' : ` on axis ${axisLetter(rank, i)}`;
            ctx.warning('window-only-padding', `${empty} window${empty === 1 ? '' : 's'}${where} ${empty === 1 ? 'reads' : 'read'} only padding (its dilated taps all miss the input): PyTorch returns −inf there for max pooling; use less padding or dilation`, 'padding');
        }
    }
    // With ceil_mode the last window may reach past the right padding: PyTorch pads implicitly.
    const padRight = out.map((o, i) => {
        const n = input.spatial[i]!, p = w.padding[i]!;
        const reach = (o - 1) * w.stride[i]! + dilatedExtent(w.kernel[i]!, w.dilation[i]!);
        return w.ceilMode ? Math.max(p, reach - n - p) : p;
    });
    reportCoverage(ctx, rank, input.spatial, out, w.kernel, w.stride, w.padding, padRight, w.dilation);
    const formula = w.ceilMode
        ? 'out = ⌈(n + 2p − d·(k − 1) − 1) / s⌉ + 1, minus 1 when the last window would start in the right padding (ceil_mode)'
        : 'out = ⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1';
    return { out, explain: [formula, ...lines] };
}

/** Windows whose every tap (i·s + j·d − p) falls outside the input. */
function paddingOnlyWindows(n: number, k: number, s: number, p: number, d: number, out: number): number {
    let empty = 0;
    for (let o = 0; o < out; o++) {
        let hit = false;
        for (let j = 0; j < k && !hit; j++) {
            const x = o * s + j * d - p;
            hit = x >= 0 && x < n;
        }
        if (!hit) empty++;
    }
    return empty;
}

// ---------------------------------------------------------------------------------------------
// Engine side
// ---------------------------------------------------------------------------------------------

/** `x` as `[1, planes, ...its last rank axes]` (a view): every leading axis folds into planes. */
export function asPlanes<D extends DType>(x: Tensor<D>, rank: number): Tensor<D> {
    if (x.shape.length < rank) throw new EngineError(`pooling needs ${rank} spatial axes, the input has shape [${x.shape.join(', ')}]`);
    const spatial = x.shape.slice(x.shape.length - rank);
    return reshape(x, [1, numel(x.shape.slice(0, x.shape.length - rank)), ...spatial]);
}

/** The kernels' spec of a sliding-window pooling over an input whose last `rank` axes are `shape`'s. */
export function slidingPoolSpec(mode: PoolSpec['mode'], shape: readonly number[], rank: number, w: PoolWindow, avg?: { countIncludePad: boolean; divisorOverride: number | null }): PoolSpec {
    const spatial = shape.slice(shape.length - rank);
    const windows = spatial.map((n, i) => slidingWindows(n, { kernel: w.kernel[i]!, stride: w.stride[i]!, padding: w.padding[i]!, dilation: w.dilation[i]!, ceilMode: w.ceilMode }));
    return { mode, windows, ...avg };
}

interface PoolSaved {
    readonly spec: PoolSpec;
    /** max/min: the chosen element of each window (flat within its plane) */
    readonly indices: Int32Array | null;
}

/** Forward of any pooling (max, min, avg, adaptive): the output in the analysis' shape. */
export function poolForwardPass(ctx: ForwardContext<unknown>, rank: number, spec: PoolSpec): Forwarded {
    const { y, indices } = ctx.kernels.poolForward(asPlanes(ctx.inputs[0]!, rank), spec);
    const saved: PoolSaved = { spec, indices };
    const output = reshape(y, ctx.outShape);
    if (spec.mode === 'avg') return { output, saved };
    // which element each window chose; a step that changes it crossed a tie
    return { output, saved, branch: indices!, kink: `${spec.mode}-pool tie` };
}

/** Backward of poolForwardPass: the window's gradient back onto the chosen (max/min) or every (avg) element. */
export function poolBackwardPass(ctx: BackwardContext<unknown>, rank: number, spec: () => PoolSpec): Gradients {
    const input = ctx.inputs[0]!;
    const x = asPlanes(input, rank);
    let saved = ctx.saved as PoolSaved | undefined;
    if (!saved?.spec) {
        const s = spec();
        saved = { spec: s, indices: ctx.kernels.poolForward(x, s).indices };
    }
    const out = saved.spec.windows.map(w => w.outSize);
    const dy = reshape(ctx.gradOutput, [1, x.shape[1]!, ...out]);
    const dx = ctx.kernels.poolBackward(dy, x.shape, saved.spec, saved.indices);
    return { inputs: [reshape(dx, input.shape)], params: {} };
}
