/**
 * upsample — torch.nn.Upsample (F.interpolate). Exactly one of size and scale_factor; the output
 * is ⌊n·scale_factor⌋ per axis (PyTorch 1.13 converts the double product to an integer, i.e.
 * floors it), and must be at least 1. 'linear' needs a 3-D input, 'bilinear' 4-D, 'trilinear'
 * 5-D, 'nearest' any of them; align_corners only goes with the interpolating modes. With a
 * scale_factor, PyTorch maps output coordinates with 1/scale_factor, not n/out.
 */
import { formatShape } from '../shape/dims.js';
import { axisLetter, tupleText } from './common.js';
import { fmtNum } from './pointwise.js';
import { defineLayer } from './types.js';

const MODES = ['nearest', 'linear', 'bilinear', 'trilinear'] as const;
/** Input rank each interpolating mode needs. */
const MODE_RANK: Record<string, number | undefined> = { linear: 3, bilinear: 4, trilinear: 5 };

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
});
