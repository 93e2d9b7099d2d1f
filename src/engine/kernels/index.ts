/**
 * The compute kernels: the `Kernels` interface, the WebAssembly SIMD implementation (`wasmKernels`,
 * the default), the plain-TypeScript one (`jsKernels`, the fallback) and the naive reference
 * (`referenceKernels`, for tests), plus the window and geometry helpers layer code shares with them.
 */
import { jsKernels } from './js.js';
import type { Kernels } from './types.js';
import { wasmKernels } from './wasm.js';

export type * from './types.js';
export { jsKernels } from './js.js';
export { setThreads, threads, wasmGemm, wasmKernels, wasmSimdAvailable } from './wasm.js';
export { referenceKernels } from './reference.js';
export { KernelError, convGeometry, convTransposeOutputShape, padPairs, perAxis } from './geometry.js';
export { type AxisWindows, type SlidingWindowOptions, adaptiveWindows, rangeHi, rangeLo, slidingWindows } from './window.js';
import { releaseScratch as releaseJsScratch } from './scratch.js';
import { releaseWasmMemory } from './wasm.js';
import { releaseDirectWasmMemory } from './wasm-direct.js';

/** Drops every work buffer (after a large network run, to give the memory back), WASM memory and worker threads included. */
export function releaseScratch(): void {
    releaseJsScratch();
    releaseWasmMemory();
    releaseDirectWasmMemory();
}

/**
 * The default: the WebAssembly SIMD kernels (which are jsKernels where WebAssembly SIMD is
 * missing); CONVSCOPE_KERNELS=js picks the plain-TypeScript ones at start-up.
 */
function initial(): Kernels {
    const wanted = typeof process !== 'undefined' ? process.env?.CONVSCOPE_KERNELS : undefined;
    return wanted === 'js' ? jsKernels : wasmKernels;
}

let current: Kernels = initial();

/** The kernels the engine uses. */
export function kernels(): Kernels {
    return current;
}

/** Swaps the implementation; returns the previous one. */
export function setKernels(next: Kernels): Kernels {
    const previous = current;
    current = next;
    return previous;
}
