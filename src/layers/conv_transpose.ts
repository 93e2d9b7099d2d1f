/**
 * conv_transpose1d / 2d / 3d — torch.nn.ConvTranspose{1,2,3}d. One definition for every rank.
 * out = (n − 1)·s − 2p + d·(k − 1) + output_padding + 1 per axis; output_padding must be smaller
 * than the stride or the dilation on its axis; weight [C_in, C_out / groups, *k]. The MACs are
 * counted on input positions, as each input scatters C_out/groups·∏k products.
 *
 * Compute: the kernels' transposed convolution (the input gradient of the convolution that maps
 * the output back to the input), with output_padding as extra size on the high side of each
 * axis; its backward is a convolution of dy for the input and the weight gradient with x and dy
 * swapped. An unbatched input runs as a batch of one. Initialisation: weight and bias ~
 * U(−1/√fan_in, 1/√fan_in) with fan_in = weight.shape[1]·∏k = C_out/groups·∏k — PyTorch reads
 * it from dimension 1 of the [C_in, C_out/groups, *k] weight (src/engine/ops/fan-in-init.ts).
 */
import { transposedOutputSize } from '../shape/window.js';
import { numel } from '../shape/dims.js';
import { axisLetter, product, spatialInput, spatialLetters } from './common.js';
import { defineLayer, type Padding } from './types.js';
import type { ConvTransposeOptions } from '../engine/kernels/index.js';
import { withBatch } from '../engine/ops/conv-input.js';
import { fanInUniformInit, weightAndBias, weightAndBiasGrads } from '../engine/ops/fan-in-init.js';
import { reshape } from '../tensor/tensor.js';

const PADDING_MODES = ['zeros', 'reflect', 'replicate', 'circular'] as const;

interface TransposeArgs {
    readonly kernel_size: readonly number[];
    readonly stride: readonly number[];
    readonly padding: Padding;
    readonly output_padding: readonly number[];
    readonly dilation: readonly number[];
    readonly groups: number;
}

/** The kernels' options for these arguments (padding is always explicit: no 'same'/'valid' here). */
function kernelOptions(a: TransposeArgs): ConvTransposeOptions {
    return {
        stride: a.stride,
        padding: a.padding.mode === 'explicit' ? a.padding.values : 0,
        dilation: a.dilation,
        groups: a.groups,
        outputPadding: a.output_padding,
    };
}

function makeConvTranspose(rank: 1 | 2 | 3) {
    const name = `conv_transpose${rank}d`;
    return defineLayer({
        name,
        family: 'transposed',
        torch: `torch.nn.ConvTranspose${rank}d`,
        rank,
        example: `${name}(64, kernel_size=${rank === 1 ? 4 : 2}, stride=2${rank === 1 ? ', padding=1' : ''})`,
        doc: [
            `${rank}-D transposed convolution (learned upsampling) over an input [N, C_in, ${spatialLetters(rank)}]. C_in is read from the input.`,
            '',
            'Each output axis has size (n − 1)·stride − 2·padding + dilation·(kernel_size − 1) + output_padding + 1,',
            'so kernel_size = 2·stride with padding = stride/2 (or kernel_size = stride) exactly multiplies the size by the stride.',
        ].join('\n'),
        args: [
            { name: 'out_channels', type: { kind: 'int', min: 1 }, doc: 'Number of output channels.' },
            { name: 'kernel_size', type: { kind: 'ints', min: 1 }, doc: 'Size of the kernel: an int or a tuple per spatial axis.' },
            { name: 'stride', type: { kind: 'ints', min: 1, single: true }, default: '1', doc: 'Upsampling factor: the step between the kernel copies scattered into the output.' },
            { name: 'padding', type: { kind: 'padding', strings: false, single: true }, default: '0', doc: "Trims `padding` positions from both ends of every output axis (the inverse of a convolution's zero-padding): an int or a tuple. 'same' and 'valid' are not available for transposed convolutions." },
            { name: 'output_padding', type: { kind: 'ints', min: 0, single: true }, default: '0', doc: 'Extra size added to one side of each output axis, to pick among the input sizes a strided convolution maps to the same size. Must be smaller than the stride or the dilation on its axis.' },
            { name: 'groups', type: { kind: 'int', min: 1 }, default: '1', doc: 'Blocked connections: in and out channels must both be divisible by groups.' },
            { name: 'bias', type: { kind: 'bool' }, default: 'true', doc: 'Add a learnable bias per output channel.' },
            { name: 'dilation', type: { kind: 'ints', min: 1, single: true }, default: '1', doc: 'Spacing between kernel elements.' },
            { name: 'padding_mode', type: { kind: 'enum', values: PADDING_MODES }, default: "'zeros'", doc: "Only 'zeros' is supported by PyTorch's transposed convolutions." },
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
            if (a.padding_mode !== 'zeros') {
                ctx.error('padding-mode-unsupported', `padding_mode='${a.padding_mode}' is not available for transposed convolutions (PyTorch supports only 'zeros'): remove padding_mode`, 'padding_mode');
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
            const padding = a.padding.mode === 'explicit' ? a.padding.values : a.kernel_size.map(() => 0);
            const out: number[] = [];
            const explain: string[] = [];
            for (let i = 0; i < rank; i++) {
                const n = input.spatial[i]!, k = a.kernel_size[i]!, s = a.stride[i]!, p = padding[i]!, d = a.dilation[i]!, op = a.output_padding[i]!;
                const where = rank === 1 ? '' : ` on axis ${axisLetter(rank, i)}`;
                if (op >= s && op >= d) {
                    ctx.error('output-padding-too-large', `output_padding ${op}${where} must be smaller than the stride ${s} or the dilation ${d}: use at most ${Math.max(s, d) - 1}`, 'output_padding');
                    ok = false;
                }
                const o = transposedOutputSize(n, k, s, p, d, op);
                explain.push(`${axisLetter(rank, i)}: (${n} − 1)·${s} − 2·${p} + ${d}·(${k} − 1) + ${op} + 1 = ${o}`);
                if (o < 1) {
                    ctx.error('output-too-small', `output ${axisLetter(rank, i)} would be ${o}: padding ${p}${where} trims 2·${p} = ${2 * p} from a full size of ${o + 2 * p}; use padding ≤ ${Math.floor((o + 2 * p - 1) / 2)}`, 'padding');
                    ok = false;
                }
                out.push(o);
            }
            if (!ok) return undefined;
            const cout = a.out_channels;
            const shape = [...input.lead, cout, ...out];
            const weight = [cin, cout / a.groups, ...a.kernel_size];
            const params = product(weight) + (a.bias ? cout : 0);
            const perInput = (cout / a.groups) * product(a.kernel_size);
            const inputs = numel(ctx.input);
            return {
                shape,
                params,
                macs: inputs * perInput,
                rf: { kind: 'transposed', kernel: a.kernel_size, stride: a.stride, padding, dilation: a.dilation },
                explain: [
                    'out = (n − 1)·s − 2p + d·(k − 1) + output_padding + 1',
                    ...explain,
                    `params = ${cin}·${cout / a.groups}·${a.kernel_size.join('·')}${a.bias ? ` + ${cout}` : ''} = ${params}`,
                    `MACs = inputs × (C_out/groups)·∏k = ${inputs} × ${perInput} = ${inputs * perInput}`,
                ],
                weights: a.bias ? [{ name: 'weight', shape: weight }, { name: 'bias', shape: [cout] }] : [{ name: 'weight', shape: weight }],
            };
        },
        init: fanInUniformInit,
        forward(ctx) {
            const a = ctx.args;
            const { weight, bias } = weightAndBias(ctx.params, a.bias, name);
            const y = ctx.kernels.convTransposeForward(withBatch(ctx.inputs[0]!, rank), weight, bias, kernelOptions(a));
            return { output: reshape(y, ctx.outShape) };
        },
        backward(ctx) {
            const a = ctx.args;
            const input = ctx.inputs[0]!;
            const x = withBatch(input, rank);
            const dy = withBatch(ctx.gradOutput, rank);
            const { weight } = weightAndBias(ctx.params, a.bias, name);
            const options = kernelOptions(a);
            const dx = ctx.kernels.convTransposeBackwardInput(dy, weight, x.shape, options);
            const { dw, db } = ctx.kernels.convTransposeBackwardWeight(x, dy, weight.shape, options, a.bias);
            return { inputs: [reshape(dx, input.shape)], params: weightAndBiasGrads(dw, db) };
        },
    });
}

export const convTranspose1d = makeConvTranspose(1);
export const convTranspose2d = makeConvTranspose(2);
export const convTranspose3d = makeConvTranspose(3);
export const convTransposeLayers = [convTranspose1d, convTranspose2d, convTranspose3d];
