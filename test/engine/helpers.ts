/** Engine test helpers: seeded random tensors and an allclose assertion that names the worst element. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
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

/**
 * Runs a TypeScript script in a child Node with the plain SIMD128 kernels (CONVSCOPE_WASM_RELAXED=0)
 * and returns the JSON of its last output line. `script` gets `src(p)`, the quoted path of
 * src/engine/kernels/p, to import from.
 */
export function inPlainSimdChild(script: (src: (p: string) => string) => string): Record<string, number | boolean> {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convscope-plain-simd-'));
    const file = path.join(dir, 'child.ts');
    fs.writeFileSync(file, script(p => JSON.stringify(path.join(root, 'src/engine/kernels', p))));
    try {
        const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8', env: { ...process.env, CONVSCOPE_WASM_RELAXED: '0' } });
        expect(r.status, r.stderr).toBe(0);
        return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number | boolean>;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
