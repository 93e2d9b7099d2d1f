/**
 * Dense N-d tensors in C (row-major) order on Float32Array or Float64Array.
 *
 * A tensor is a plain record `{ shape, data, dtype }`: always contiguous, so `reshape` is a view
 * (it shares `data`) and an element's offset is the dot product of its index with the C-order
 * strides. There are no per-element objects; everything here is a loop over a typed array.
 * Statistics accumulate in float64 whatever the dtype.
 */

export type DType = 'float32' | 'float64';

/** The typed array that backs a tensor of dtype D. */
export type DataOf<D extends DType> = D extends 'float32' ? Float32Array : Float64Array;
export type TensorData = Float32Array | Float64Array;

export interface Tensor<D extends DType = DType> {
    readonly shape: readonly number[];
    readonly data: DataOf<D>;
    readonly dtype: D;
}

/** Number of elements of a shape (1 for the scalar shape `[]`). */
export function numel(shape: readonly number[]): number {
    let n = 1;
    for (const d of shape) n *= d;
    return n;
}

/** C-order strides, in elements: the last axis has stride 1. */
export function strides(shape: readonly number[]): number[] {
    const s = new Array<number>(shape.length);
    let acc = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
        s[i] = acc;
        acc *= shape[i]!;
    }
    return s;
}

export function formatShape(shape: readonly number[]): string {
    return `[${shape.join(', ')}]`;
}

function checkShape(shape: readonly number[]): void {
    for (const d of shape) {
        if (!Number.isInteger(d) || d < 0) throw new RangeError(`invalid tensor shape ${formatShape(shape)}: dimensions must be non-negative integers`);
    }
}

export function allocate<D extends DType>(dtype: D, length: number): DataOf<D> {
    return (dtype === 'float32' ? new Float32Array(length) : new Float64Array(length)) as DataOf<D>;
}

/** Wraps an existing typed array (no copy); its length must match the shape. */
export function tensor<D extends DType>(data: DataOf<D>, shape: readonly number[]): Tensor<D> {
    checkShape(shape);
    if (data.length !== numel(shape)) throw new RangeError(`data of length ${data.length} does not fit shape ${formatShape(shape)} (${numel(shape)} elements)`);
    const dtype = (data instanceof Float32Array ? 'float32' : 'float64') as D;
    return { shape: [...shape], data, dtype };
}

export function zeros<D extends DType = 'float32'>(shape: readonly number[], dtype: D = 'float32' as D): Tensor<D> {
    checkShape(shape);
    return { shape: [...shape], data: allocate(dtype, numel(shape)), dtype };
}

export function full<D extends DType = 'float32'>(shape: readonly number[], value: number, dtype: D = 'float32' as D): Tensor<D> {
    const t = zeros(shape, dtype);
    t.data.fill(value);
    return t;
}

/** Copies `values` (flat, C order) into a new tensor; the shape defaults to `[values.length]`. */
export function fromArray<D extends DType = 'float32'>(values: ArrayLike<number>, shape: readonly number[] = [values.length], dtype: D = 'float32' as D): Tensor<D> {
    checkShape(shape);
    if (values.length !== numel(shape)) throw new RangeError(`${values.length} values do not fit shape ${formatShape(shape)} (${numel(shape)} elements)`);
    const data = allocate(dtype, values.length);
    data.set(values);
    return { shape: [...shape], data, dtype };
}

/** Nested arrays (as NumPy prints them) to a tensor; the shape is read from the nesting. */
export function fromNested<D extends DType = 'float32'>(nested: unknown, dtype: D = 'float32' as D): Tensor<D> {
    const shape: number[] = [];
    for (let v: unknown = nested; Array.isArray(v); v = v[0]) shape.push(v.length);
    const flat: number[] = [];
    const walk = (v: unknown, depth: number): void => {
        if (depth === shape.length) {
            if (typeof v !== 'number') throw new TypeError(`expected a number at depth ${depth}, found ${typeof v}`);
            flat.push(v);
            return;
        }
        if (!Array.isArray(v) || v.length !== shape[depth]) throw new RangeError(`ragged nested array: expected ${shape[depth]} entries at depth ${depth}`);
        for (const e of v) walk(e, depth + 1);
    };
    walk(nested, 0);
    return fromArray(flat, shape, dtype);
}

export function clone<D extends DType>(t: Tensor<D>): Tensor<D> {
    return { shape: [...t.shape], data: t.data.slice() as DataOf<D>, dtype: t.dtype };
}

/** Converts to another dtype (a copy; float64 → float32 rounds to nearest). Same dtype: a copy too. */
export function astype<D extends DType>(t: Tensor, dtype: D): Tensor<D> {
    const data = allocate(dtype, t.data.length);
    data.set(t.data);
    return { shape: [...t.shape], data, dtype };
}

/**
 * A view with another shape over the same data (tensors are always contiguous, so this never
 * copies). One entry may be -1, inferred from the others.
 */
export function reshape<D extends DType>(t: Tensor<D>, shape: readonly number[]): Tensor<D> {
    const total = t.data.length;
    const out = [...shape];
    const infer = out.indexOf(-1);
    if (infer >= 0) {
        if (out.indexOf(-1, infer + 1) >= 0) throw new RangeError(`reshape to ${formatShape(shape)}: only one dimension may be -1`);
        const rest = numel(out.filter((_, i) => i !== infer));
        if (rest === 0 || total % rest !== 0) throw new RangeError(`cannot reshape ${formatShape(t.shape)} (${total} elements) to ${formatShape(shape)}`);
        out[infer] = total / rest;
    }
    checkShape(out);
    if (numel(out) !== total) throw new RangeError(`cannot reshape ${formatShape(t.shape)} (${total} elements) to ${formatShape(shape)} (${numel(out)} elements)`);
    return { shape: out, data: t.data, dtype: t.dtype };
}

/** Flat C-order offset of a multi-index; throws when an index is out of range. */
export function offsetOf(shape: readonly number[], index: readonly number[]): number {
    if (index.length !== shape.length) throw new RangeError(`index of rank ${index.length} for a tensor of rank ${shape.length}`);
    let off = 0;
    for (let i = 0; i < shape.length; i++) {
        const d = shape[i]!;
        const k = index[i]!;
        if (!Number.isInteger(k) || k < 0 || k >= d) throw new RangeError(`index ${k} out of range for axis ${i} of size ${d}`);
        off = off * d + k;
    }
    return off;
}

/** The multi-index of a flat C-order offset. */
export function indexOf(shape: readonly number[], offset: number): number[] {
    const total = numel(shape);
    if (!Number.isInteger(offset) || offset < 0 || offset >= total) throw new RangeError(`offset ${offset} out of range for shape ${formatShape(shape)}`);
    const index = new Array<number>(shape.length);
    for (let i = shape.length - 1; i >= 0; i--) {
        const d = shape[i]!;
        index[i] = offset % d;
        offset = Math.floor(offset / d);
    }
    return index;
}

export function get(t: Tensor, ...index: number[]): number {
    return t.data[offsetOf(t.shape, index)]!;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
    return a.length === b.length && a.every((d, i) => d === b[i]);
}

function checkSameShape(a: Tensor, b: Tensor, what: string): void {
    if (!sameShape(a.shape, b.shape)) throw new RangeError(`${what}: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} differ`);
}

export interface Difference {
    /** max |a − b|; Infinity when NaN/Infinity placement differs. */
    readonly maxAbs: number;
    /** max |a − b| / max(|b|, tiny) */
    readonly maxRel: number;
    /** Flat offset of the element that fails `allclose` worst (largest |a−b| − (atol + rtol·|b|)), or -1 when all pass. */
    readonly worst: number;
}

/**
 * Element-wise comparison with NumPy's `allclose` rule |a − b| ≤ atol + rtol·|b| (b is the
 * reference). NaNs compare equal to NaNs in the same place; infinities must match exactly.
 */
export function compare(a: Tensor, b: Tensor, atol = 1e-8, rtol = 1e-5): Difference {
    checkSameShape(a, b, 'compare');
    let maxAbs = 0;
    let maxRel = 0;
    let worst = -1;
    let worstExcess = 0;
    const x = a.data;
    const y = b.data;
    for (let i = 0; i < x.length; i++) {
        const u = x[i]!;
        const v = y[i]!;
        let diff: number;
        if (u === v || (u !== u && v !== v)) diff = 0; // equal, both infinite alike, or both NaN
        else if (!Number.isFinite(u) || !Number.isFinite(v)) diff = Infinity;
        else diff = Math.abs(u - v);
        if (diff > maxAbs) maxAbs = diff;
        const rel = diff === 0 ? 0 : diff / Math.max(Math.abs(v), Number.MIN_VALUE);
        if (rel > maxRel) maxRel = rel;
        const excess = diff - (atol + rtol * Math.abs(v));
        if (excess > 0 && (worst < 0 || excess > worstExcess)) {
            worst = i;
            worstExcess = excess;
        }
    }
    return { maxAbs, maxRel, worst };
}

export function allclose(a: Tensor, b: Tensor, atol = 1e-8, rtol = 1e-5): boolean {
    return compare(a, b, atol, rtol).worst < 0;
}

export function maxAbsDiff(a: Tensor, b: Tensor): number {
    return compare(a, b).maxAbs;
}

/** ⟨a, b⟩ = Σ a·b in float64 (the adjoint tests use it). */
export function dot(a: Tensor, b: Tensor): number {
    checkSameShape(a, b, 'dot');
    let s = 0;
    const x = a.data;
    const y = b.data;
    for (let i = 0; i < x.length; i++) s += x[i]! * y[i]!;
    return s;
}

export interface Stats {
    readonly numel: number;
    readonly mean: number;
    /**
     * Standard deviation with Bessel's correction (divides by n − 1), like PyTorch's `t.std()`
     * (NaN for a single element); NumPy's `np.std(a)` divides by n: see `stdPopulation`.
     */
    readonly std: number;
    /** Divides by n, like `np.std(a)`. */
    readonly stdPopulation: number;
    readonly min: number;
    readonly max: number;
    /** √Σ x² (`torch.linalg.vector_norm(t)`). */
    readonly l2: number;
    /** Count of NaN and ±Infinity elements (they make every other figure NaN/Infinity). */
    readonly nonFinite: number;
}

/**
 * Mean, std, min, max and L2 norm in float64, in two passes (no cancellation from Σx² − n·mean²).
 * The usual case — every element finite, Σx² neither overflowing nor underflowing — takes plain
 * loops; otherwise `statsCareful` counts non-finite elements and scales the norm.
 */
export function stats(t: Tensor): Stats {
    const x = t.data;
    const n = x.length;
    if (n === 0) return { numel: 0, mean: NaN, std: NaN, stdPopulation: NaN, min: NaN, max: NaN, l2: 0, nonFinite: 0 };
    let sum = 0;
    let sq = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < n; i++) {
        const v = x[i]!;
        sum += v;
        sq += v * v;
        if (v < min) min = v;
        if (v > max) max = v;
    }
    const big = Math.max(-min, max);
    // NaN or ±Infinity make sum or sq non-finite; a tiny or huge norm needs scaling
    if (!Number.isFinite(sum) || !Number.isFinite(sq) || !(big < 1e150) || (big > 0 && sq < 1e-280)) return statsCareful(x);
    const mean = sum / n;
    let ss = 0;
    for (let i = 0; i < n; i++) {
        const d = x[i]! - mean;
        ss += d * d;
    }
    return { numel: n, mean, std: n > 1 ? Math.sqrt(ss / (n - 1)) : NaN, stdPopulation: Math.sqrt(ss / n), min, max, l2: Math.sqrt(sq), nonFinite: 0 };
}

/** `stats` with non-finite elements counted (NaN makes every figure NaN) and the L2 norm scaled by the largest magnitude. */
function statsCareful(x: TensorData): Stats {
    const n = x.length;
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    let nonFinite = 0;
    let hasNaN = false;
    for (let i = 0; i < n; i++) {
        const v = x[i]!;
        sum += v;
        if (v < min) min = v;
        if (v > max) max = v;
        if (!Number.isFinite(v)) {
            nonFinite++;
            if (v !== v) hasNaN = true;
        }
    }
    if (hasNaN) return { numel: n, mean: NaN, std: NaN, stdPopulation: NaN, min: NaN, max: NaN, l2: NaN, nonFinite };
    const mean = sum / n;
    let ss = 0;
    let sq = 0;
    const scale = Math.max(Math.abs(min), Math.abs(max));
    for (let i = 0; i < n; i++) {
        const v = x[i]!;
        const d = v - mean;
        ss += d * d;
        if (scale > 0 && Number.isFinite(scale)) {
            const r = v / scale;
            sq += r * r;
        }
    }
    const l2 = scale > 0 && Number.isFinite(scale) ? scale * Math.sqrt(sq) : scale;
    return { numel: n, mean, std: n > 1 ? Math.sqrt(ss / (n - 1)) : NaN, stdPopulation: Math.sqrt(ss / n), min, max, l2, nonFinite };
}
