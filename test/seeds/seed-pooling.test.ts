/** The seeds' pooling examples (seed 003 max pooling shapes, seed 004's pools on a 6×6 input). */
import { describe, expect, it } from 'vitest';
import { analyse } from '../helpers.js';

async function outShape(input: string, call: string) {
    const result = await analyse(`network P { input x: ${input}\n ${call} }`);
    expect(result.diagnostics.filter(d => d.severity === 1).map(d => d.message)).toEqual([]);
    return result.analysis.networks[0]!.layers[0]!.output.shape;
}

describe('seed pooling examples', () => {
    it('max-pools 2×3×18×17 with kernel (2, 3) and stride (4, 5) into 2×3×5×3', async () => {
        expect(await outShape('[2, 3, 18, 17]', 'max_pool2d(kernel_size=(2, 3), stride=(4, 5))')).toEqual([2, 3, 5, 3]);
    });
    it.each([
        [2, 2, 0, 1, [3, 3]],
        [2, 2, 1, 1, [4, 4]],
        [2, 2, 1, 2, [3, 3]],
    ])('max-pools the 6×6 input with kernel %i, stride %i, padding %i, dilation %i into %j', async (k, s, p, d, hw) => {
        expect(await outShape('[1, 1, 6, 6]', `max_pool2d(${k}, stride=${s}, padding=${p}, dilation=${d})`)).toEqual([1, 1, ...hw]);
    });
    it('average-pools the 6×6 input with kernel 2 into 3×3', async () => {
        expect(await outShape('[1, 1, 6, 6]', 'avg_pool2d(2)')).toEqual([1, 1, 3, 3]);
    });
});
