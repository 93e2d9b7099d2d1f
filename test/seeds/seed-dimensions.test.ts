/**
 * The seed notebooks' worked examples of convolution arithmetic, as .conv programs: every shape
 * the notebooks derive by hand must come out of the analysis.
 */
import { describe, expect, it } from 'vitest';
import { analyse } from '../helpers.js';

async function shapes(text: string) {
    const result = await analyse(text);
    const errors = result.diagnostics.filter(d => d.severity === 1).map(d => d.message);
    expect(errors).toEqual([]);
    const network = result.analysis.networks[0]!;
    return network.layers.map(l => l.output.shape);
}

describe('seed 004: "Discovering dimensions"', () => {
    it('reproduces the table #77 1x17 -> #256 1x15 -> #256 1x7 -> #256 1x3 -> #1 1x1', async () => {
        // The notebook's layers are (ic, oc, (kw, kh), stride, padding, dilation) on a 1×17 input.
        const out = await shapes(`
            network Discover {
                input x: [1, 77, 1, 17]
                conv2d(256, kernel_size=(1, 3), stride=1)
                conv2d(256, kernel_size=(1, 3), stride=2)
                conv2d(256, kernel_size=(1, 3), stride=2)
                conv2d(1, kernel_size=(1, 3), stride=1)
            }`);
        expect(out).toEqual([[1, 256, 1, 15], [1, 256, 1, 7], [1, 256, 1, 3], [1, 1, 1, 1]]);
    });

    it.each([
        [1, 0, 1, [4, 4]],
        [2, 0, 1, [2, 2]],
        [1, 1, 1, [6, 6]],
        [1, 1, 2, [4, 4]],
    ])('convolves the 6×6 input with a 3×3 kernel at stride %i, padding %i, dilation %i into %j', async (stride, padding, dilation, hw) => {
        const out = await shapes(`network C { input x: [1, 1, 6, 6]
            conv2d(1, kernel_size=3, stride=${stride}, padding=${padding}, dilation=${dilation}) }`);
        expect(out[0]).toEqual([1, 1, ...hw]);
    });

    it('computes the groups example: 2 input channels, 4 kernels of 3×3 on 6×6 give 1×4×4×4', async () => {
        const result = await analyse(`network G { input x: [1, 2, 6, 6]
            conv2d(4, kernel_size=3, bias=false) }`);
        const layer = result.analysis.networks[0]!.layers[0]!;
        expect(layer.output.shape).toEqual([1, 4, 4, 4]);
        expect(layer.params).toBe(4 * 2 * 3 * 3);
    });
});

describe('seed 003: convolution and its transpose', () => {
    it('maps X 2×3×17×24 through a 5×8 kernel at stride (3, 4), padding (6, 8) and back', async () => {
        const out = await shapes(`network T { input x: [2, 3, 17, 24]
            y = conv2d(4, kernel_size=(5, 8), stride=(3, 4), padding=(6, 8))
            conv_transpose2d(3, kernel_size=(5, 8), stride=(3, 4), padding=(6, 8)) }`);
        expect(out).toEqual([[2, 4, 9, 9], [2, 3, 17, 24]]);
    });
});
