/** Shapes with a symbolic batch: formatting, element counts, products. */
import type { Dim, Shape } from '../layers/types.js';

export function formatShape(shape: Shape): string {
    return `[${shape.join(', ')}]`;
}

export function isConcrete(shape: Shape): shape is readonly number[] {
    return shape.every(d => typeof d === 'number');
}

/** Element count, a symbolic batch counted as 1 (the convention for MACs and memory). */
export function numel(shape: Shape): number {
    let n = 1;
    for (const d of shape) if (typeof d === 'number') n *= d;
    return n;
}

/** Product of dims, symbolic when any is: `N·3·32`. */
export function productDim(dims: readonly Dim[]): Dim {
    let n = 1;
    const names: string[] = [];
    for (const d of dims) {
        if (typeof d === 'number') n *= d;
        else names.push(d);
    }
    if (names.length === 0) return n;
    return n === 1 ? names.join('·') : `${names.join('·')}·${n}`;
}

export function dimEquals(a: Dim, b: Dim): boolean {
    return a === b;
}

/** Normalises a possibly negative axis; undefined when out of range (PyTorch's dim wrap). */
export function wrapDim(dim: number, rank: number): number | undefined {
    const r = Math.max(rank, 1);
    if (dim < -r || dim >= r) return undefined;
    return dim < 0 ? dim + r : dim;
}

/**
 * Replaces symbolic dims by their values (`N` → 2; a product `N·150` → 300). Throws on a name
 * without a value: callers bind every symbol of the network's inputs first.
 */
export function concreteShape(shape: Shape, bindings: ReadonlyMap<string, number>): number[] {
    return shape.map(d => {
        if (typeof d === 'number') return d;
        let n = 1;
        for (const part of d.split('·')) {
            const v = /^\d+$/.test(part) ? Number(part) : bindings.get(part);
            if (v === undefined) throw new Error(`no value for the symbolic dimension '${part}'`);
            n *= v;
        }
        return n;
    });
}
