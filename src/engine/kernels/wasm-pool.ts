/**
 * Pooling on the WebAssembly kernels (kernels.wat `pool_*`): the loops of pool.ts over the same
 * precomputed windows, in the tensor's own dtype (float32 sums in float32, as PyTorch's CPU
 * kernels do), without converting to float64 and back. Max/min backward is an index scatter,
 * done here in TypeScript.
 */
import { type DType, type Tensor, numel } from '../../tensor/tensor.js';
import { liftWindows } from './pool.js';
import type { PoolResult, PoolSpec } from './types.js';
import type { FloatData } from './wasm-conv.js';
import { Arena, MAX_BYTES, reserve, rt } from './wasm-runtime.js';

const MODES = { max: 0, min: 1, avg: 2 } as const;

/**
 * Lays out the pooling descriptor, its window tables and `data` (x forward, dy backward) in WASM
 * memory; returns the addresses, or null past `MAX_BYTES`.
 */
function stage(spec: PoolSpec, planes: number, data: FloatData, outLength: number, withIndices: boolean) {
    const [wd, wh, ww] = liftWindows(spec);
    const s = data.BYTES_PER_ELEMENT;
    const inLength = planes * wd.inSize * wh.inSize * ww.inSize;
    const L = new Arena();
    const desc = L.take(128);
    const tables = [wd.first, wd.count, wh.first, wh.count, ww.first, ww.count, wd.padded, wh.padded, ww.padded].map(t => ({ t, at: L.take(t.length * 4) }));
    const x = L.take(inLength * s);
    const y = L.take(outLength * s);
    const idx = L.take(withIndices ? outLength * 4 : 0);
    if (L.end > MAX_BYTES) return null;
    const buf = reserve(L.end);
    for (const { t, at } of tables) new Int32Array(buf, at, t.length).set(t);
    const a = tables.map(t => t.at);
    new Int32Array(buf, desc, 25).set([
        planes, wd.inSize, wh.inSize, ww.inSize, wd.outSize, wh.outSize, ww.outSize, wd.step, wh.step, ww.step,
        a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, x, y, idx, MODES[spec.mode], a[6]!, a[7]!, a[8]!,
        spec.divisorOverride ?? 0, (spec.countIncludePad ?? true) ? 1 : 0,
    ]);
    return { buf, desc, x, y, idx, inLength };
}

/** y (and the max/min indices) of a pooling; null past `MAX_BYTES` (the caller falls back). */
export function wasmPoolForward<D extends DType>(x: Tensor<D>, spec: PoolSpec, planes: number, yShape: readonly number[]): PoolResult<D> | null {
    const len = numel(yShape);
    const withIndices = spec.mode !== 'avg';
    const at = stage(spec, planes, x.data, len, withIndices);
    if (!at) return null;
    const f32 = x.dtype === 'float32';
    (f32 ? new Float32Array(at.buf, at.x, at.inLength) : new Float64Array(at.buf, at.x, at.inLength)).set(x.data);
    (f32 ? rt().poolF32 : rt().poolF64)(at.desc);
    const y = f32 ? new Float32Array(at.buf, at.y, len).slice() : new Float64Array(at.buf, at.y, len).slice();
    const indices = withIndices ? new Int32Array(at.buf, at.idx, len).slice() : null;
    return { y: { shape: [...yShape], data: y, dtype: x.dtype } as unknown as Tensor<D>, indices };
}

/** dx of a pooling given dy (and the forward's indices for max/min); null past `MAX_BYTES`. */
export function wasmPoolBackward<D extends DType>(dy: Tensor<D>, xShape: readonly number[], spec: PoolSpec, planes: number, indices: Int32Array | null): Tensor<D> | null {
    const len = numel(xShape);
    const f32 = dy.dtype === 'float32';
    const dx = f32 ? new Float32Array(len) : new Float64Array(len);
    if (spec.mode !== 'avg') {
        const P = dy.data.length / planes;
        if (!indices || indices.length !== dy.data.length) throw new RangeError(`${spec.mode} pooling backward needs the ${dy.data.length} indices from the forward pass`);
        const Pin = len / planes;
        const g = dy.data;
        for (let plane = 0; plane < planes; plane++) {
            const xb = plane * Pin;
            for (let o = plane * P, end = o + P; o < end; o++) {
                const i = indices[o]!;
                if (i >= 0) dx[xb + i] = dx[xb + i]! + g[o]!;
            }
        }
    } else {
        // the module's x region receives dx (zeroed), its y region dy
        const at = stage(spec, planes, dy.data, dy.data.length, false);
        if (!at) return null;
        const X = f32 ? new Float32Array(at.buf, at.x, len) : new Float64Array(at.buf, at.x, len);
        X.fill(0);
        (f32 ? new Float32Array(at.buf, at.y, dy.data.length) : new Float64Array(at.buf, at.y, dy.data.length)).set(dy.data);
        (f32 ? rt().poolAvgBackF32 : rt().poolAvgBackF64)(at.desc);
        dx.set(X);
    }
    return { shape: [...xShape], data: dx, dtype: dy.dtype } as unknown as Tensor<D>;
}
