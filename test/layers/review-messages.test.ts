/**
 * Messages from the new-user review: an input one spatial axis short suggests the layer of its
 * rank, strings close to an allowed one get "did you mean", a kernel smaller than the stride
 * counts every unseen position (as x.grad == 0 in PyTorch), batch norm's run-time error says how
 * to avoid it.
 */
import { describe, expect, it } from 'vitest';
import { probeLayer, type JsonArg } from '../../src/analysis/probe.js';
import { forwardLayer } from '../../src/engine/layer-run.js';
import { stream } from '../../src/engine/random.js';
import { tensor } from '../../src/tensor/tensor.js';
import type { Shape } from '../../src/layers/types.js';

function messages(layer: string, shape: Shape, args: Record<string, JsonArg>, code: string): string[] {
    return probeLayer(layer, [shape], args).issues.filter(i => i.code === code).map(i => i.message);
}

describe('an input of another spatial rank suggests the layer of that rank', () => {
    it('conv2d on [N, 3, 32] is a batch with 1 spatial axis, not an unbatched input with N channels', () => {
        expect(messages('conv2d', ['N', 3, 32], { out_channels: 8, kernel_size: 3 }, 'input-rank')).toEqual([
            'conv2d: expects a 4-D input [N, C, H, W] (or unbatched [C, H, W]), got [N, 3, 32] with 1 spatial axis — did you mean conv1d?',
        ]);
        expect(messages('conv2d', ['N', 3, 32], { out_channels: 8, kernel_size: 3 }, 'symbolic-dim')).toEqual([]);
    });

    it('names the layer of the matching rank for every rank-specific family', () => {
        const cases: Array<[string, Shape, Record<string, JsonArg>, string]> = [
            ['conv3d', ['N', 3, 8, 8], { out_channels: 4, kernel_size: 1 }, 'conv2d'],
            ['conv2d', ['N', 3, 4, 4, 4], { out_channels: 4, kernel_size: 1 }, 'conv3d'],
            ['conv_transpose2d', ['N', 3, 8], { out_channels: 4, kernel_size: 2 }, 'conv_transpose1d'],
            ['max_pool2d', ['N', 3, 8], { kernel_size: 2 }, 'max_pool1d'],
            ['min_pool3d', ['N', 3, 8, 8], { kernel_size: 2 }, 'min_pool2d'],
            ['avg_pool2d', ['N', 3, 8], { kernel_size: 2 }, 'avg_pool1d'],
            ['adaptive_avg_pool2d', ['N', 3, 8], { output_size: 1 }, 'adaptive_avg_pool1d'],
            ['adaptive_max_pool3d', ['N', 3, 8, 8], { output_size: 1 }, 'adaptive_max_pool2d'],
            ['batch_norm2d', ['N', 3, 8], {}, 'batch_norm1d'],
            ['batch_norm3d', ['N', 3, 8, 8], {}, 'batch_norm2d'],
            ['batch_norm2d', ['N', 3, 4, 4, 4], {}, 'batch_norm3d'],
            ['batch_norm2d', ['N', 3], {}, 'batch_norm1d'],
        ];
        for (const [layer, shape, args, suggested] of cases) {
            const found = messages(layer, shape, args, 'input-rank');
            expect(found, `${layer} on [${shape.join(', ')}]`).toHaveLength(1);
            expect(found[0], `${layer} on [${shape.join(', ')}]`).toMatch(new RegExp(`^${layer}: expects .* — did you mean ${suggested}\\?$`));
        }
    });

    it('says how many spatial axes the batch has', () => {
        expect(messages('conv3d', ['N', 3, 8, 8], { out_channels: 4, kernel_size: 1 }, 'input-rank')[0]).toContain('got [N, 3, 8, 8] with 2 spatial axes');
    });

    it('still reads a concrete unbatched input as [C, *spatial]', () => {
        expect(probeLayer('conv2d', [[3, 32, 32]], { out_channels: 8, kernel_size: 3 }).shape).toEqual([8, 30, 30]);
    });
});

describe('strings close to an allowed one', () => {
    it.each([
        ['conv2d', { out_channels: 4, kernel_size: 3, padding: 'sam' }, "conv2d: padding must be an integer ≥ 0 or a tuple of 2 integers, 'same' or 'valid', got 'sam' — did you mean 'same'?"],
        ['conv2d', { out_channels: 4, kernel_size: 3, padding_mode: 'zero' }, "— did you mean 'zeros'?"],
        ['upsample', { scale_factor: 2, mode: 'bilinar' }, "— did you mean 'bilinear'?"],
    ] as Array<[string, Record<string, JsonArg>, string]>)('%s %j', (layer, args, expected) => {
        const found = messages(layer, ['N', 3, 8, 8], args, 'invalid-value');
        expect(found).toHaveLength(1);
        expect(found[0]).toContain(expected);
    });

    it('suggests nothing for a string far from every allowed one', () => {
        const found = messages('conv2d', ['N', 3, 8, 8], { out_channels: 4, kernel_size: 3, padding: 'wide' }, 'invalid-value');
        expect(found[0]).not.toContain('did you mean');
    });
});

describe('a kernel smaller than the stride', () => {
    it('counts the trailing unseen positions too: conv2d(k=1, s=2) on 56 leaves 28 unseen, as PyTorch', () => {
        // torch: x = torch.randn(1, 3, 56, 56, requires_grad=True); Conv2d(3, 8, 1, stride=2)(x).sum().backward()
        // (x.grad[0, 0] == 0).all(dim=1).sum() == 28 rows, and 28 columns likewise.
        expect(messages('conv2d', ['N', 3, 56, 56], { out_channels: 8, kernel_size: 1, stride: 2 }, 'kernel-smaller-than-stride')).toEqual([
            'conv2d: kernel 1 is smaller than stride 2: 28 rows and 28 columns of the input are never seen and the receptive field has holes',
        ]);
        expect(messages('conv1d', ['N', 3, 7], { out_channels: 8, kernel_size: 1, stride: 3 }, 'kernel-smaller-than-stride')).toEqual([
            // seen: 0, 3, 6 → 4 unseen (no trailing ones here)
            'conv1d: kernel 1 is smaller than stride 3: 4 positions of the input are never seen and the receptive field has holes',
        ]);
        expect(messages('conv1d', ['N', 3, 8], { out_channels: 8, kernel_size: 1, stride: 3 }, 'kernel-smaller-than-stride')[0]).toContain(': 5 positions');
    });
});

describe("batch norm's run-time error", () => {
    it('says to use a batch of 2 or more or eval mode', () => {
        const probe = probeLayer('batch_norm1d', [[2, 3]], {});
        const record = probe.record!;
        const init = record.layer.init!({ args: record.args, weights: record.weights, inputShapes: [[2, 3]], dtype: 'float64', rng: stream(1, 'param') });
        const x = tensor(Float64Array.from([1, 2, 3]), [1, 3]);
        expect(() => forwardLayer(record, [x], { params: { ...init.params }, buffers: { ...(init.buffers ?? {}) } }, { mode: 'train', rng: stream(3, 'dropout'), bindings: new Map() }))
            .toThrow(/expected more than 1 value per channel when training .*: use a batch of 2 or more \(convscope run --batch 2\) or eval mode \(--mode eval\)$/);
    });
});
