/**
 * The compute kernels: the `Kernels` interface, the fast plain-TypeScript implementation
 * (`jsKernels`, the default) and the naive reference (`referenceKernels`, for tests), plus the
 * window and geometry helpers layer code shares with them.
 */
import { jsKernels } from './js.js';
import type { Kernels } from './types.js';

export type * from './types.js';
export { jsKernels } from './js.js';
export { referenceKernels } from './reference.js';
export { KernelError, convGeometry, convTransposeOutputShape, padPairs, perAxis } from './geometry.js';
export { type AxisWindows, type SlidingWindowOptions, adaptiveWindows, rangeHi, rangeLo, slidingWindows } from './window.js';
export { releaseScratch } from './scratch.js';

let current: Kernels = jsKernels;

/** The kernels the engine uses. */
export function kernels(): Kernels {
    return current;
}

/** Swaps the implementation (a WASM or worker-backed one); returns the previous one. */
export function setKernels(next: Kernels): Kernels {
    const previous = current;
    current = next;
    return previous;
}
