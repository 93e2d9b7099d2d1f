/**
 * The sliding-window part shared by max, min and average pooling (not a layer): PyTorch's
 * `pool{1,2,3}d_shape_check` (padding at most half the kernel, output at least 1) and
 * `pooling_output_shape` (ceil_mode, dropping a last window that would start in the right
 * padding), the hover lines, and the coverage report with ceil_mode's implicit extra padding.
 */
import { dilatedExtent, poolOutputSize } from '../shape/window.js';
import { axisLetter, reportCoverage, type SpatialInput } from './common.js';
import type { LayerContext } from './types.js';

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
