/**
 * upsample — torch.nn.Upsample (F.interpolate). Exactly one of size and scale_factor; the output
 * is ⌊n·scale_factor⌋ per axis (PyTorch 1.13 converts the double product to an integer, i.e.
 * floors it), and must be at least 1. 'linear' needs a 3-D input, 'bilinear' 4-D, 'trilinear'
 * 5-D, 'nearest' any of them; align_corners only goes with the interpolating modes. With a
 * scale_factor, PyTorch maps output coordinates with 1/scale_factor, not n/out.
 *
 * Engine: separable (src/engine/ops/upsample-axes.ts), one map per spatial axis of n inputs to m
 * outputs, following PyTorch 1.13's CPU kernels (aten/src/ATen/native/UpSample.h,
 * cpu/UpSampleKernel.cpp). `scale` below is 1/scale_factor when a scale_factor was given, else n/m.
 *
 * - nearest: source = min(⌊o·scale⌋, n − 1) computed in FLOAT32 whatever the dtype
 *   (floorf(float(o) · float(scale)); float(n)/m for a size), so e.g. scale_factor 3.7 reads other
 *   inputs than the same formula in float64. aten's older `nearest_idx` additionally copies when
 *   m = n and shifts (o >> 1) when m = 2n, whatever the scale_factor. The backward ALWAYS uses
 *   nearest_idx; the forward uses it only on the channels-last path, which a contiguous input
 *   takes when it is also channels-last contiguous, i.e. with C = 1 (2-D and 3-D only; 1-D has no
 *   such path). So with scale_factor 1.25 on n = 2 (m = 2), or 2.3 on n = 3 (m = 6), PyTorch's
 *   forward and backward disagree (its gradient is not the forward's derivative); we reproduce both.
 * - linear / bilinear / trilinear: m = n copies; else source = o·(n − 1)/(m − 1) with align_corners
 *   (0 when m = 1), or max(scale·(o + ½) − ½, 0) without; i0 = min(⌊source⌋, n − 1),
 *   i1 = i0 + 1 (i0 at the last input), λ1 = clamp(source − i0, 0, 1), λ0 = 1 − λ1; the output
 *   blends λ0·x[i0] + λ1·x[i1] per axis, the same map in forward and backward. aten does this in
 *   the input's dtype; we do it in float64 for both (float32 results then round once).
 */
import { formatShape } from '../shape/dims.js';
import { type AxisTaps, copyTaps, resample, resampleBackward } from '../engine/ops/upsample-axes.js';
import { EngineError } from '../engine/layer-run.js';
import type { BackwardContext, ForwardContext } from '../engine/types.js';
import { axisLetter, tupleText } from './common.js';
import { fmtNum } from './pointwise.js';
import { defineLayer } from './types.js';

const MODES = ['nearest', 'linear', 'bilinear', 'trilinear'] as const;
/** Input rank each interpolating mode needs. */
const MODE_RANK: Record<string, number | undefined> = { linear: 3, bilinear: 4, trilinear: 5 };

interface UpsampleArgs {
    readonly scale_factor: number[] | null;
    readonly mode: string;
    readonly align_corners: boolean | null;
}

/** aten's nearest source index (float32 arithmetic); `nearestIdx`: with its m = n and m = 2n shortcuts. */
function nearestSources(n: number, m: number, scaleFactor: number | null, nearestIdx: boolean): Int32Array {
    const src = new Int32Array(m);
    const f = Math.fround;
    // compute_scales_value<float>: float(1.0 / scale_factor), or float(n) / m in float
    const scale = scaleFactor !== null && scaleFactor > 0 ? f(1 / scaleFactor) : f(n / m);
    for (let o = 0; o < m; o++) {
        src[o] = nearestIdx && m === n ? o
            : nearestIdx && m === 2 * n ? o >> 1
            : Math.min(Math.floor(f(o * scale)), n - 1);
    }
    return src;
}

/** aten's compute_source_index_and_lambda for one axis (double precision). */
function linearTaps(n: number, m: number, scaleFactor: number | null, alignCorners: boolean): AxisTaps {
    const i0 = new Int32Array(m), i1 = new Int32Array(m);
    const w0 = new Float64Array(m), w1 = new Float64Array(m);
    const ratio = alignCorners ? (m > 1 ? (n - 1) / (m - 1) : 0)
        : scaleFactor !== null && scaleFactor > 0 ? 1 / scaleFactor : n / m;
    for (let o = 0; o < m; o++) {
        if (m === n) {
            i0[o] = o;
            i1[o] = o;
            w0[o] = 1;
            continue;
        }
        const real = alignCorners ? ratio * o : Math.max(ratio * (o + 0.5) - 0.5, 0);
        const a = Math.min(Math.trunc(real), n - 1);
        const l1 = Math.min(Math.max(real - a, 0), 1);
        i0[o] = a;
        i1[o] = a < n - 1 ? a + 1 : a;
        w1[o] = l1;
        w0[o] = 1 - l1;
    }
    return { inSize: n, outSize: m, taps: 2, i0, i1, w0, w1 };
}

/** The per-axis maps from the input's spatial sizes to the output's; `pass` picks nearest's rule. */
function upsampleAxes(a: UpsampleArgs, inShape: readonly number[], outShape: readonly number[], pass: 'forward' | 'backward'): AxisTaps[] {
    const rank = inShape.length - 2;
    if (rank < 1 || outShape.length !== inShape.length) throw new EngineError(`upsample of [${inShape.join(', ')}] to [${outShape.join(', ')}]`);
    // forward: aten takes the channels-last kernel (nearest_idx) when the input is also
    // channels-last contiguous, which for a contiguous [N, C, ...] input of rank 2-3 means C = 1
    const nearestIdx = pass === 'backward' || (rank >= 2 && inShape[1] === 1);
    return Array.from({ length: rank }, (_, i) => {
        const n = inShape[i + 2]!, m = outShape[i + 2]!;
        const scale = a.scale_factor?.[i] ?? null;
        return a.mode === 'nearest'
            ? copyTaps(n, nearestSources(n, m, scale, nearestIdx))
            : linearTaps(n, m, scale, a.align_corners === true);
    });
}

function upsampleForward(ctx: ForwardContext<UpsampleArgs>) {
    const x = ctx.inputs[0]!;
    return { output: resample(x, upsampleAxes(ctx.args, x.shape, ctx.outShape, 'forward')) };
}

function upsampleBackward(ctx: BackwardContext<UpsampleArgs>) {
    const x = ctx.inputs[0]!;
    return { inputs: [resampleBackward(ctx.gradOutput, upsampleAxes(ctx.args, x.shape, ctx.gradOutput.shape, 'backward'))], params: {} };
}

export const upsample = defineLayer({
    name: 'upsample',
    family: 'shape',
    torch: 'torch.nn.Upsample',
    example: "upsample(scale_factor=2, mode='nearest')",
    doc: [
        'Upsampling of an input [N, C, L], [N, C, H, W] or [N, C, D, H, W] to a given size or by a scale factor.',
        '',
        "Give exactly one of size and scale_factor. The output is ⌊n·scale_factor⌋ per axis (floored, as PyTorch 1.13 does). 'nearest' works for every rank; 'linear' needs a 3-D input, 'bilinear' 4-D and 'trilinear' 5-D. align_corners may only be set with the interpolating modes.",
    ].join('\n'),
    args: [
        { name: 'size', type: { kind: 'ints', min: 1, nullable: true }, default: 'None', doc: 'The output size: an int for every spatial axis or a tuple per axis.' },
        { name: 'scale_factor', type: { kind: 'floats', nullable: true }, default: 'None', doc: 'Multiplier for the spatial size: a number or a tuple per axis; the output is ⌊n·scale_factor⌋.' },
        { name: 'mode', type: { kind: 'enum', values: MODES }, default: "'nearest'", doc: "'nearest' (copies), 'linear' (3-D input), 'bilinear' (4-D) or 'trilinear' (5-D)." },
        { name: 'align_corners', type: { kind: 'bool', nullable: true }, default: 'None', doc: "Interpolating modes only: true aligns the corner pixels' centres of input and output; None means false." },
    ],
    infer(ctx) {
        const a = ctx.args;
        const shape = ctx.input;
        const interpolating = a.mode !== 'nearest';
        let ok = true;
        if (!interpolating && a.align_corners !== null) {
            ctx.error('invalid-value', `align_corners only applies to 'linear', 'bilinear' and 'trilinear' modes, not '${a.mode}': remove align_corners`, 'align_corners');
            ok = false;
        }
        if (a.size !== null && a.scale_factor !== null) {
            ctx.error('invalid-value', 'give only one of size and scale_factor', ctx.given.has('scale_factor') ? 'scale_factor' : 'size');
            return undefined;
        }
        if (a.size === null && a.scale_factor === null) {
            ctx.error('missing-argument', 'needs size or scale_factor: e.g. scale_factor=2');
            return undefined;
        }
        const need = MODE_RANK[a.mode];
        if (need !== undefined && shape.length !== need) {
            ctx.error('input-rank', `mode '${a.mode}' needs a ${need}-D input [N, C, ${['L', 'H, W', 'D, H, W'][need - 3]}], got ${shape.length}-D ${formatShape(shape)}${shape.length >= 3 && shape.length <= 5 ? `: use mode='${['linear', 'bilinear', 'trilinear'][shape.length - 3]}'` : ''}`, 'input');
            return undefined;
        }
        if (shape.length < 3 || shape.length > 5) {
            ctx.error('input-rank', `expects a 3-D, 4-D or 5-D input [N, C, *spatial], got ${shape.length}-D ${formatShape(shape)}`, 'input');
            return undefined;
        }
        const rank = shape.length - 2;
        const spatial = shape.slice(2);
        if (spatial.some(d => typeof d !== 'number')) {
            ctx.error('symbolic-dim', `needs concrete spatial sizes, got ${formatShape(shape)}: only the batch may be symbolic`, 'input');
            return undefined;
        }
        const sizes = spatial as number[];
        const out: number[] = [];
        const lines: string[] = [];
        const scales: number[] = [];
        for (let i = 0; i < rank; i++) {
            const n = sizes[i]!;
            const where = rank === 1 ? '' : ` on axis ${axisLetter(rank, i)}`;
            if (a.scale_factor !== null) {
                const f = a.scale_factor[i]!;
                if (!(f > 0)) {
                    ctx.error('invalid-value', `scale_factor must be positive, got ${fmtNum(f)}${where}`, 'scale_factor');
                    ok = false;
                    continue;
                }
                const o = Math.floor(n * f);
                lines.push(`${axisLetter(rank, i)}: ⌊${n}·${fmtNum(f)}⌋ = ${o}`);
                if (o < 1) {
                    ctx.error('output-too-small', `output ${axisLetter(rank, i)} would be ⌊${n}·${fmtNum(f)}⌋ = ${o}: use a scale_factor of at least ${fmtNum(1 / n)}${where}`, 'scale_factor');
                    ok = false;
                }
                out.push(o);
                scales.push(f);
            } else {
                const o = a.size![i]!;
                lines.push(`${axisLetter(rank, i)}: ${n} → ${o}`);
                out.push(o);
                scales.push(o / n);
            }
        }
        if (!ok) return undefined;
        const alignCorners = interpolating && a.align_corners === true;
        return {
            shape: [...shape.slice(0, 2), ...out],
            params: 0,
            macs: 0,
            rf: { kind: 'resample', scale: scales, reach: interpolating ? 1 : 0, alignCorners },
            explain: [
                a.scale_factor !== null ? 'out = ⌊n·scale_factor⌋' : `out = size ${tupleText(a.size!)}`,
                ...lines,
                interpolating
                    ? `${a.mode} interpolation${alignCorners ? ', corners aligned: input = o·(n − 1)/(out − 1)' : `: input = (o + ½)/${a.scale_factor !== null ? 'scale_factor' : '(out/n)'} − ½`}`
                    : `nearest: input = ⌊o/${a.scale_factor !== null ? 'scale_factor' : '(out/n)'}⌋`,
            ],
        };
    },
    forward: upsampleForward,
    backward: upsampleBackward,
});
