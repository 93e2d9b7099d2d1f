/**
 * conv1d / conv2d / conv3d — torch.nn.Conv{1,2,3}d. One definition for every spatial rank.
 * out = ⌊(n + pl + pr − d·(k − 1) − 1) / s⌋ + 1 per axis; 'same' pads d·(k − 1) with the odd
 * extra on the right and needs stride 1; weight [C_out, C_in / groups, *k].
 *
 * Compute: zero padding goes to the conv kernels as it is (asymmetric for 'same'). The other
 * padding modes follow PyTorch's `_conv_forward`: pad with the mode first (`F.pad`, see
 * src/engine/ops/conv-input.ts), then convolve with no padding; backward runs the kernels'
 * input gradient on the padded tensor and folds it back onto the input (each padded copy's
 * gradient added to the element it copies). An unbatched input runs as a batch of one.
 * Initialisation: weight and bias ~ U(−1/√fan_in, 1/√fan_in), fan_in = C_in/groups·∏k
 * (PyTorch's kaiming_uniform_ with a = √5; src/engine/ops/fan-in-init.ts).
 */
import { samePadding, convOutputSize, dilatedExtent } from '../shape/window.js';
import { assertNever } from '../util/assert.js';
import { numel } from '../shape/dims.js';
import { axisLetter, spatialLetters, product, reportCoverage, spatialInput, tupleText } from './common.js';
import { defineLayer, type Padding } from './types.js';
import type { ConvOptions } from '../engine/kernels/index.js';
import { type PaddingMode, foldPadding, padSpatial, withBatch } from '../engine/ops/conv-input.js';
import { fanInUniformInit, weightAndBias, weightAndBiasGrads } from '../engine/ops/fan-in-init.js';
import { type Tensor, reshape } from '../tensor/tensor.js';

const PADDING_MODES = ['zeros', 'reflect', 'replicate', 'circular'] as const;

interface PaddingArgs {
    readonly padding: Padding;
    readonly kernel_size: readonly number[];
    readonly dilation: readonly number[];
}

/** [before, after] per spatial axis: 'same' splits d·(k − 1) with the odd extra after, 'valid' is 0. */
function resolvePadding(a: PaddingArgs): [number[], number[]] {
    switch (a.padding.mode) {
        case 'same': {
            const pads = a.kernel_size.map((k, i) => samePadding(k, a.dilation[i]!));
            return [pads.map(p => p[0]), pads.map(p => p[1])];
        }
        case 'valid': return [a.kernel_size.map(() => 0), a.kernel_size.map(() => 0)];
        case 'explicit': return [[...a.padding.values], [...a.padding.values]];
        default: return assertNever(a.padding, 'padding');
    }
}

interface ConvPlan {
    readonly mode: 'zeros' | PaddingMode;
    readonly before: number[];
    readonly after: number[];
    /** for the kernels: the zero padding for 'zeros', none for the other modes (the input is padded first) */
    readonly options: ConvOptions;
}

function planOf(a: PaddingArgs & { readonly stride: readonly number[]; readonly groups: number; readonly padding_mode: string }): ConvPlan {
    const mode = a.padding_mode as ConvPlan['mode'];
    const [before, after] = resolvePadding(a);
    const options: ConvOptions = { stride: a.stride, dilation: a.dilation, groups: a.groups };
    return { mode, before, after, options: mode === 'zeros' ? { ...options, padding: before.map((p, i) => [p, after[i]!] as const) } : options };
}

interface ConvSaved {
    /** the input padded with padding_mode (null for 'zeros', where the kernels pad) */
    readonly padded: Tensor | null;
}

function makeConv(rank: 1 | 2 | 3) {
    const name = `conv${rank}d`;
    return defineLayer({
        name,
        family: 'convolution',
        torch: `torch.nn.Conv${rank}d`,
        rank,
        example: `${name}(64, kernel_size=3, padding=1)`,
        doc: `${rank}-D convolution over an input [N, C_in, ${['L', 'H, W', 'D, H, W'][rank - 1]}]. C_in is read from the input.`,
        args: [
            { name: 'out_channels', type: { kind: 'int', min: 1 }, doc: 'Number of output channels (filters).' },
            { name: 'kernel_size', type: { kind: 'ints', min: 1 }, doc: 'Size of the convolving kernel: an int or a tuple per spatial axis.' },
            { name: 'stride', type: { kind: 'ints', min: 1, single: true }, default: '1', doc: 'Step between windows.' },
            { name: 'padding', type: { kind: 'padding', strings: true, single: true, channelEntry: true }, default: '0', doc: "Zero-padding added on both sides: an int, a tuple, 'valid' (none) or 'same' (keeps the size; stride 1 only; an even total puts the extra on the right)." },
            { name: 'dilation', type: { kind: 'ints', min: 1, single: true }, default: '1', doc: 'Spacing between kernel elements.' },
            { name: 'groups', type: { kind: 'int', min: 1 }, default: '1', doc: 'Blocked connections: in and out channels must both be divisible by groups; groups = C_in is depthwise.' },
            { name: 'bias', type: { kind: 'bool' }, default: 'true', doc: 'Add a learnable bias per output channel.' },
            { name: 'padding_mode', type: { kind: 'enum', values: PADDING_MODES }, default: "'zeros'", doc: "'zeros', 'reflect', 'replicate' or 'circular'." },
            { name: 'in_channels', type: { kind: 'int', min: 1, nullable: true }, default: 'None', check: true, doc: 'Optional: the input channels you expect; checked against the input.' },
        ],
        infer(ctx) {
            const a = ctx.args;
            const input = spatialInput(ctx, rank, name);
            if (!input) return undefined;
            const cin = input.channels;
            let ok = true;
            if (a.in_channels !== null && a.in_channels !== cin) {
                ctx.error('in-channels-mismatch', `was declared for in_channels=${a.in_channels} but its input has ${cin} channels: set in_channels=${cin} or change the input`, 'in_channels');
                ok = false;
            }
            const indivisible = [
                ...(cin % a.groups !== 0 ? [`input channels ${cin}`] : []),
                ...(a.out_channels % a.groups !== 0 ? [`out_channels ${a.out_channels}`] : []),
            ];
            if (indivisible.length > 0) {
                ctx.error('groups-not-divisible', `${indivisible.join(' and ')} ${indivisible.length === 1 && indivisible[0]!.startsWith('out') ? 'is' : 'are'} not divisible by groups=${a.groups}`, 'groups');
                ok = false;
            }
            if (a.padding.mode === 'explicit') {
                const { written, channel } = a.padding;
                const axes = tupleText(a.padding.values);
                if (channel !== undefined && a.padding_mode === 'zeros') {
                    ctx.error('tuple-rank', `padding has ${rank + 1} elements but this layer has ${rank} spatial ${rank === 1 ? 'axis' : 'axes'}: give ${rank === 1 ? 'one integer' : `${rank} (one per axis) or a single integer`}`, 'padding');
                    return undefined;
                }
                if (a.padding_mode !== 'zeros' && written === 1 && rank > 1) {
                    ctx.error('tuple-rank', `with padding_mode='${a.padding_mode}' a 1-tuple padding is not expanded (PyTorch hands it to F.pad as is): write padding=${a.padding.values[0]} or give ${rank} entries`, 'padding');
                    return undefined;
                }
                if (channel !== undefined) {
                    // PyTorch reverses the tuple for F.pad, so a leading extra entry pads the channel axis.
                    if (channel !== 0 || input.lead.length === 0 || rank === 3) {
                        ctx.error('tuple-rank', `padding has ${rank + 1} elements for ${rank} spatial ${rank === 1 ? 'axis' : 'axes'}: with padding_mode='${a.padding_mode}' the first one would pad the channel axis${channel !== 0 ? ` (${cin} channels would become ${cin + 2 * channel})` : rank === 3 ? ' of a 5-D input, which F.pad rejects' : ' of an unbatched input, which F.pad rejects'}; write padding=${axes}`, 'padding');
                        return undefined;
                    }
                    ctx.warning('padding-channel-entry', `padding has ${rank + 1} elements for ${rank} spatial ${rank === 1 ? 'axis' : 'axes'}: with padding_mode='${a.padding_mode}' PyTorch reads the first as padding of the channel axis (by 0, so it has no effect); write padding=${axes}`, 'padding');
                }
            }
            if (a.padding.mode === 'same' && a.stride.some(s => s > 1)) {
                ctx.error('same-padding-strided', `padding='same' needs stride 1, got stride=${tupleText(a.stride)}: give the padding explicitly`, 'padding');
                return undefined;
            }
            const [padLeft, padRight] = resolvePadding(a);
            if (a.padding_mode === 'circular' && input.lead.length === 0) {
                ctx.error('padding-mode-unbatched', `padding_mode='circular' needs a batched input [N, C, ${spatialLetters(rank)}] (PyTorch's circular padding rejects unbatched ones): add a batch dimension`, 'padding_mode');
                ok = false;
            }
            if (a.padding_mode !== 'zeros') {
                for (let i = 0; i < rank; i++) {
                    const n = input.spatial[i]!, p = Math.max(padLeft[i]!, padRight[i]!);
                    const limit = a.padding_mode === 'reflect' ? n - 1 : a.padding_mode === 'circular' ? n : Infinity;
                    if (p > limit) {
                        ctx.error('padding-too-large', `padding_mode='${a.padding_mode}' needs padding ${a.padding_mode === 'reflect' ? '<' : '≤'} the input size, got padding ${p} on an input of ${n} (axis ${axisLetter(rank, i)})`, 'padding');
                        ok = false;
                    }
                }
            }
            const out: number[] = [];
            const explain: string[] = [];
            const empty: Array<{ axis: string; padded: number; kernel: number }> = [];
            for (let i = 0; i < rank; i++) {
                const n = input.spatial[i]!, k = a.kernel_size[i]!, s = a.stride[i]!, d = a.dilation[i]!, pl = padLeft[i]!, pr = padRight[i]!;
                const o = convOutputSize(n, k, s, pl, pr, d);
                explain.push(`${axisLetter(rank, i)}: ⌊(${n} + ${pl} + ${pr} − ${d}·(${k} − 1) − 1) / ${s}⌋ + 1 = ${o}`);
                if (o < 1) empty.push({ axis: axisLetter(rank, i), padded: n + pl + pr, kernel: dilatedExtent(k, d) });
                out.push(o);
            }
            if (empty.length > 0) {
                const dilated = a.dilation.some(d => d > 1);
                const sizes = (xs: number[]) => (xs.length === 1 ? String(xs[0]) : xs.join('×'));
                const along = rank === 1 ? '' : ` along ${empty.map(e => e.axis).join(' and ')}`;
                ctx.error('output-too-small', `no output${along}: the padded input ${sizes(empty.map(e => e.padded))} is smaller than the ${dilated ? 'dilated ' : ''}kernel ${sizes(empty.map(e => e.kernel))}; use a smaller kernel_size${dilated ? ' or dilation' : ''} or more padding`, 'kernel_size');
                ok = false;
            }
            if (!ok) return undefined;
            reportCoverage(ctx, rank, input.spatial, out, a.kernel_size, a.stride, padLeft, padRight, a.dilation);
            const shape = [...input.lead, a.out_channels, ...out];
            const perOutput = (cin / a.groups) * product(a.kernel_size);
            const weight = [a.out_channels, cin / a.groups, ...a.kernel_size];
            return {
                shape,
                params: product(weight) + (a.bias ? a.out_channels : 0),
                macs: numel(shape) * perOutput,
                rf: { kind: 'window', kernel: a.kernel_size, stride: a.stride, padLeft, dilation: a.dilation },
                explain: [
                    `out = ⌊(n + p_left + p_right − d·(k − 1) − 1) / s⌋ + 1`,
                    ...explain,
                    `params = ${a.out_channels}·${cin / a.groups}·${a.kernel_size.join('·')}${a.bias ? ` + ${a.out_channels}` : ''} = ${product(weight) + (a.bias ? a.out_channels : 0)}`,
                    `MACs = outputs × (C_in/groups)·∏k = ${numel(shape)} × ${perOutput}`,
                ],
                weights: a.bias ? [{ name: 'weight', shape: weight }, { name: 'bias', shape: [a.out_channels] }] : [{ name: 'weight', shape: weight }],
            };
        },
        init: fanInUniformInit,
        forward(ctx) {
            const a = ctx.args;
            const { weight, bias } = weightAndBias(ctx.params, a.bias, name);
            const p = planOf(a);
            const x = withBatch(ctx.inputs[0]!, rank);
            // what the kernels convolve: the input itself (zeros: they pad) or the mode-padded copy
            const convolved = p.mode === 'zeros' ? x : padSpatial(x, rank, p.before, p.after, p.mode);
            const y = ctx.kernels.convForward(convolved, weight, bias, p.options);
            const saved: ConvSaved = { padded: p.mode === 'zeros' ? null : convolved };
            return { output: reshape(y, ctx.outShape), saved };
        },
        backward(ctx) {
            const a = ctx.args;
            const { weight } = weightAndBias(ctx.params, a.bias, name);
            const p = planOf(a);
            const input = ctx.inputs[0]!;
            const x = withBatch(input, rank);
            const dy = withBatch(ctx.gradOutput, rank);
            const convolved = p.mode === 'zeros' ? x : (ctx.saved as ConvSaved | undefined)?.padded ?? padSpatial(x, rank, p.before, p.after, p.mode);
            const dConvolved = ctx.kernels.convBackwardInput(dy, weight, convolved.shape, p.options);
            const dx = p.mode === 'zeros' ? dConvolved : foldPadding(dConvolved, x.shape, rank, p.before, p.after, p.mode);
            const { dw, db } = ctx.kernels.convBackwardWeight(convolved, dy, weight.shape, p.options, a.bias);
            return { inputs: [reshape(dx, input.shape)], params: weightAndBiasGrads(dw, db) };
        },
    });
}

export const conv1d = makeConv(1);
export const conv2d = makeConv(2);
export const conv3d = makeConv(3);
export const convLayers = [conv1d, conv2d, conv3d];
