/**
 * NumPy / PyTorch broadcasting for the elementwise merges (not a layer): shapes are aligned on
 * their last axes; on each axis the sizes must be equal or one of them 1. A symbolic dim (the
 * batch `N`) broadcasts with itself and with 1 only.
 */
import { formatShape } from '../shape/dims.js';
import type { Dim, LayerContext, Shape } from './types.js';

export type Broadcast = { readonly ok: true; readonly shape: Dim[] } | { readonly ok: false; readonly axis: number; readonly a: Dim; readonly b: Dim };

export function broadcastPair(x: Shape, y: Shape): Broadcast {
    const rank = Math.max(x.length, y.length);
    const out: Dim[] = [];
    for (let i = 0; i < rank; i++) {
        const a = x[x.length - rank + i] ?? 1;
        const b = y[y.length - rank + i] ?? 1;
        if (a === b || b === 1) out.push(a);
        else if (a === 1) out.push(b);
        else return { ok: false, axis: i - rank, a, b };
    }
    return { ok: true, shape: out };
}

/**
 * Folds the inputs left to right as PyTorch evaluates (a op b) op c, reporting the first input
 * that does not broadcast as 'merge-shape-mismatch' on `input:<i>`.
 */
export function broadcastInputs(ctx: LayerContext<unknown>, inputs: readonly Shape[]): Dim[] | undefined {
    let acc: Dim[] = [...inputs[0]!];
    for (let i = 1; i < inputs.length; i++) {
        const r = broadcastPair(acc, inputs[i]!);
        if (!r.ok) {
            const before = i === 1 ? `input 0 ${formatShape(inputs[0]!)}` : `inputs 0–${i - 1} (broadcast to ${formatShape(acc)})`;
            const symbolic = typeof r.a === 'string' || typeof r.b === 'string';
            ctx.error('merge-shape-mismatch', `input ${i} ${formatShape(inputs[i]!)} does not broadcast with ${before}: on axis ${r.axis} (counting from the end) input ${i} has ${r.b} where ${i === 1 ? 'input 0' : 'they'} ${i === 1 ? 'has' : 'have'} ${r.a}; sizes must be equal or one of them 1${symbolic ? ' (a symbolic size only matches itself or 1)' : ''}`, `input:${i}`);
            return undefined;
        }
        acc = r.shape;
    }
    return acc;
}
