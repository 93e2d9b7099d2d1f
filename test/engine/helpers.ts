/** Engine test helpers: seeded random tensors and an allclose assertion that names the worst element. */
import { expect } from 'vitest';
import { type DType, type Tensor, compare, formatShape, indexOf } from '../../src/tensor/tensor.js';
import { type Rng, normalTensor, stream } from '../../src/engine/random.js';

export function rng(label: string, seed = 2024): Rng {
    return stream(seed, label);
}

export function randn<D extends DType = 'float64'>(r: Rng, shape: readonly number[], dtype: D = 'float64' as D): Tensor<D> {
    return normalTensor(r, shape, { dtype });
}

/** Asserts |actual − expected| ≤ atol + rtol·|expected| everywhere, reporting the worst element. */
export function expectAllclose(actual: Tensor, expected: Tensor, atol: number, rtol = 0, what = 'tensor'): void {
    expect(actual.shape, `${what} shape`).toEqual(expected.shape);
    const d = compare(actual, expected, atol, rtol);
    if (d.worst >= 0) {
        const at = indexOf(expected.shape, d.worst);
        expect.fail(`${what} ${formatShape(expected.shape)}: at [${at.join(', ')}] got ${actual.data[d.worst]}, expected ${expected.data[d.worst]} (max abs diff ${d.maxAbs.toExponential(3)}, atol ${atol}, rtol ${rtol})`);
    }
}
