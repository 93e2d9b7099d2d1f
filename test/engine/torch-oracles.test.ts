/**
 * The kernels against PyTorch 1.13 itself: float64 inputs, outputs and gradients written by
 * scripts/gen_npy_fixtures.py into test/fixtures/npy/torch/ (convolutions incl. seed 003's
 * padded example, a transposed convolution with output_padding ≥ stride, and pooling with ties,
 * ceil_mode, padding, dilation, count_include_pad, divisor_override and adaptive windows).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Kernels, type PoolSpec, adaptiveWindows, jsKernels, referenceKernels, slidingWindows } from '../../src/engine/kernels/index.js';
import { readNpy } from '../../src/engine/npy.js';
import { type Tensor, astype } from '../../src/tensor/tensor.js';
import { expectAllclose } from './helpers.js';

const DIR = join(__dirname, '..', 'fixtures', 'npy', 'torch');
const load = (prefix: string, key: string) => readNpy(join(DIR, `${prefix}.${key}.npy`)) as Tensor<'float64'>;

const both: Kernels[] = [jsKernels, referenceKernels];

describe.each(both)('convolutions match PyTorch ($name kernels)', k => {
    it("seed 003's conv2d_padded example: (2,3,17,24)*(4,3,5,8), stride (3,4), padding (6,8), with bias", () => {
        const f = (key: string) => load('conv2d_seed003', key);
        const opts = { stride: [3, 4], padding: [6, 8] };
        expectAllclose(k.convForward(f('x'), f('w'), f('b'), opts), f('y'), 1e-12, 1e-12, 'y');
        expectAllclose(k.convBackwardInput(f('dy'), f('w'), [2, 3, 17, 24], opts), f('dx'), 1e-12, 1e-12, 'dx');
        const g = k.convBackwardWeight(f('x'), f('dy'), [4, 3, 5, 8], opts, true);
        expectAllclose(g.dw, f('dw'), 1e-12, 1e-12, 'dw');
        expectAllclose(g.db!, f('db'), 1e-12, 1e-12, 'db');
        // and in float32: the float64 answer, rounded
        const y32 = k.convForward(astype(f('x'), 'float32'), astype(f('w'), 'float32'), astype(f('b'), 'float32'), opts);
        expectAllclose(y32, f('y'), 1e-4, 1e-5, 'y float32');
    });

    it('conv3d, grouped and dilated with asymmetric strides', () => {
        const f = (key: string) => load('conv3d_groups', key);
        const opts = { stride: [1, 2, 2], padding: [1, 0, 2], dilation: [2, 1, 2], groups: 2 };
        expectAllclose(k.convForward(f('x'), f('w'), null, opts), f('y'), 1e-12, 1e-12, 'y');
        expectAllclose(k.convBackwardInput(f('dy'), f('w'), f('x').shape, opts), f('dx'), 1e-12, 1e-12, 'dx');
        expectAllclose(k.convBackwardWeight(f('x'), f('dy'), f('w').shape, opts).dw, f('dw'), 1e-12, 1e-12, 'dw');
    });

    it('conv_transpose2d with groups, dilation and output_padding ≥ stride', () => {
        const f = (key: string) => load('conv_transpose2d', key);
        const opts = { stride: [2, 1], padding: [1, 0], outputPadding: [2, 0], groups: 2, dilation: [3, 1] };
        const y = k.convTransposeForward(f('x'), f('w'), f('b'), opts);
        expectAllclose(y, f('y'), 1e-12, 1e-12, 'y');
        expectAllclose(k.convTransposeBackwardInput(f('dy'), f('w'), f('x').shape, opts), f('dx'), 1e-12, 1e-12, 'dx');
        const g = k.convTransposeBackwardWeight(f('x'), f('dy'), f('w').shape, opts, true);
        expectAllclose(g.dw, f('dw'), 1e-12, 1e-12, 'dw');
        expectAllclose(g.db!, f('db'), 1e-12, 1e-12, 'db');
    });
});

const pools: Array<{ name: string; prefix: string; spec: (shape: readonly number[]) => PoolSpec }> = [
    {
        name: 'max_pool2d kernel (3,2) stride 2 padding 1 dilation (1,2) ceil_mode, with ties', prefix: 'max_pool2d',
        spec: s => ({ mode: 'max', windows: [slidingWindows(s[2]!, { kernel: 3, stride: 2, padding: 1, ceilMode: true }), slidingWindows(s[3]!, { kernel: 2, stride: 2, padding: 1, dilation: 2, ceilMode: true })] }),
    },
    {
        name: 'avg_pool2d 3/2 padding 1 ceil_mode count_include_pad=False', prefix: 'avg_pool2d_exclude_pad',
        spec: s => ({ mode: 'avg', countIncludePad: false, windows: [2, 3].map(a => slidingWindows(s[a]!, { kernel: 3, stride: 2, padding: 1, ceilMode: true })) }),
    },
    {
        name: 'avg_pool2d kernel (2,3) stride (3,2) padding 1 ceil_mode count_include_pad=True', prefix: 'avg_pool2d_include_pad',
        spec: s => ({ mode: 'avg', countIncludePad: true, windows: [slidingWindows(s[2]!, { kernel: 2, stride: 3, padding: 1, ceilMode: true }), slidingWindows(s[3]!, { kernel: 3, stride: 2, padding: 1, ceilMode: true })] }),
    },
    {
        name: 'avg_pool2d 3/2 padding 1 divisor_override=5', prefix: 'avg_pool2d_divisor',
        spec: s => ({ mode: 'avg', divisorOverride: 5, windows: [2, 3].map(a => slidingWindows(s[a]!, { kernel: 3, stride: 2, padding: 1 })) }),
    },
    { name: 'adaptive_max_pool2d (4, 3)', prefix: 'adaptive_max_pool2d', spec: s => ({ mode: 'max', windows: [adaptiveWindows(s[2]!, 4), adaptiveWindows(s[3]!, 3)] }) },
    { name: 'adaptive_avg_pool2d (5, 3)', prefix: 'adaptive_avg_pool2d', spec: s => ({ mode: 'avg', windows: [adaptiveWindows(s[2]!, 5), adaptiveWindows(s[3]!, 3)] }) },
    {
        name: 'max_pool1d 3/2 padding 1 dilation 2 ceil_mode', prefix: 'max_pool1d',
        spec: s => ({ mode: 'max', windows: [slidingWindows(s[2]!, { kernel: 3, stride: 2, padding: 1, dilation: 2, ceilMode: true })] }),
    },
];

describe.each(both)('pooling matches PyTorch ($name kernels)', k => {
    it.each(pools)('$name', ({ prefix, spec: makeSpec }) => {
        const x = load(prefix, 'x');
        const spec = makeSpec(x.shape);
        const { y, indices } = k.poolForward(x, spec);
        expectAllclose(y, load(prefix, 'y'), 1e-14, 1e-14, 'y');
        expectAllclose(k.poolBackward(load(prefix, 'dy'), x.shape, spec, indices), load(prefix, 'dx'), 1e-14, 1e-14, 'dx');
        const y32 = k.poolForward(astype(x, 'float32'), spec).y;
        expect(y32.dtype).toBe('float32');
        expectAllclose(y32, load(prefix, 'y'), 1e-6, 1e-6, 'y float32');
    });
});
