/**
 * The WebAssembly side of `wasmKernels`: one module (src/engine/kernels/wasm/kernels.wat, assembled at
 * build time into base64 inside the bundle) over one shared memory, and the threads that run it.
 *
 * - The relaxed-SIMD build (fused multiply-add) is chosen where `WebAssembly.validate` accepts
 *   it. Node 20 accepts it only behind a V8 flag, which is switched on here through `node:v8`
 *   before the first compile (Node 22+ and VS Code's Electron have it on by default);
 *   CONVSCOPE_WASM_RELAXED=0 keeps the plain SIMD128 build.
 * - Threads: the memory is a shared WebAssembly.Memory, and `parallel` runs one exported entry
 *   point on the calling thread and on up to `threads() − 1` worker threads at once. The entry
 *   points claim chunks of work through an atomic counter in their descriptor, so a result never
 *   depends on how many threads took part (each output element is computed by one thread, in the
 *   same order) and a worker that is late or busy only means more chunks for the others. Workers
 *   are started on the first call that is worth splitting, `unref`'d (they never keep a process
 *   alive) and wait on `Atomics.wait` between jobs. CONVSCOPE_THREADS=n sets the thread count
 *   (default: the machine's cores, at most 4); `setThreads` does the same from code.
 * - Without WebAssembly SIMD or shared memory, `wasmRuntime()` is null and the callers fall back
 *   to the TypeScript kernels.
 */
import { availableParallelism } from 'node:os';
import * as v8 from 'node:v8';
import { Worker } from 'node:worker_threads';
import { kernelsRelaxed, kernelsSimd } from './wasm/generated/modules.js';

/** The slice of the WebAssembly JS API used here (the project's lib has no DOM / wasm typings). */
export interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
interface WasmApi {
    validate(bytes: Uint8Array): boolean;
    Module: new (bytes: Uint8Array) => object;
    Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
    Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
const WA = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

type Entry = (desc: number, thread: number) => void;

/** Entry points that `parallel` can split; their index is what a worker is told to run. */
export const PARALLEL = ['conv_f32', 'conv_f64', 'conv_dw_f32', 'conv_dw_f64', 'scatter_f32', 'scatter_f64'] as const;
export type ParallelEntry = typeof PARALLEL[number];

export interface WasmRuntime {
    readonly memory: WasmMemory;
    readonly module: object;
    readonly exports: Record<string, unknown>;
    readonly relaxed: boolean;
    readonly gemmF32: (mp: number, np: number, k: number, a: number, b: number, c: number, ldc: number) => void;
    readonly gemmF64: (mp: number, np: number, k: number, a: number, b: number, c: number, ldc: number) => void;
    readonly gemmNtF64: (m: number, n: number, k: number, a: number, b: number, c: number) => void;
    readonly pack4F32: (dst: number, src: number, rows: number, k: number, ld: number, kt: number) => void;
    readonly pack4F64: (dst: number, src: number, rows: number, k: number, ld: number, kt: number) => void;
    /** see kernels.wat `pad` */
    readonly pad: (dst: number, src: number, s: number, planes: number, ...dims: number[]) => void;
    /** see kernels.wat `pool_*` (one descriptor address) */
    readonly poolF32: (desc: number) => void;
    readonly poolF64: (desc: number) => void;
    readonly poolAvgBackF32: (desc: number) => void;
    readonly poolAvgBackF64: (desc: number) => void;
}

/** 64 KiB pages; wasm32 addresses end at 4 GiB, and working sets above 2 GiB go to the TypeScript kernels. */
const MAX_PAGES = 32768;
export const MAX_BYTES = MAX_PAGES * 65536;

function decode(base64: string): Uint8Array {
    const bin = atob(base64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes;
}

function env(name: string): string | undefined {
    return typeof process !== 'undefined' ? process.env?.[name] : undefined;
}

/** Whether the relaxed build validates, switching on Node 20's flag for it if need be. */
function relaxedValidates(bytes: Uint8Array): boolean {
    if (WA!.validate(bytes)) return true;
    try {
        v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
        return false;
    }
    return WA!.validate(bytes);
}

/**
 * Compiles the best build of a kernel module this engine accepts: the relaxed one (switching on
 * Node 20's flag for it if need be; not with CONVSCOPE_WASM_RELAXED=0), else plain SIMD128; null
 * without WebAssembly SIMD.
 */
export function compileKernels(simdBase64: string, relaxedBase64: string | null): { module: object; relaxed: boolean } | null {
    if (!WA) return null;
    const simd = decode(simdBase64);
    if (!WA.validate(simd)) return null;
    const fused = relaxedBase64 && env('CONVSCOPE_WASM_RELAXED') !== '0' ? decode(relaxedBase64) : null;
    const relaxed = fused !== null && relaxedValidates(fused);
    return { module: new WA.Module(relaxed ? fused : simd), relaxed };
}

/** A new instance of a compiled module. */
export function instantiate(module: object, imports: object): Record<string, unknown> {
    return new WA!.Instance(module, imports).exports;
}

let runtime: WasmRuntime | null | undefined;

/** The loaded module and memory, or null where WebAssembly SIMD or shared memory is missing. */
export function wasmRuntime(): WasmRuntime | null {
    if (runtime !== undefined) return runtime;
    runtime = null;
    try {
        if (typeof SharedArrayBuffer === 'undefined') return null;
        const compiled = compileKernels(kernelsSimd, kernelsRelaxed);
        if (!compiled) return null;
        const memory = new WA!.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
        const e = instantiate(compiled.module, { env: { memory } });
        runtime = {
            memory, module: compiled.module, exports: e, relaxed: compiled.relaxed,
            gemmF32: e.gemm_f32 as WasmRuntime['gemmF32'],
            gemmF64: e.gemm_f64 as WasmRuntime['gemmF64'],
            gemmNtF64: e.gemm_nt_f64 as WasmRuntime['gemmNtF64'],
            pack4F32: e.pack4_f32 as WasmRuntime['pack4F32'],
            pack4F64: e.pack4_f64 as WasmRuntime['pack4F64'],
            pad: e.pad as WasmRuntime['pad'],
            poolF32: e.pool_f32 as WasmRuntime['poolF32'],
            poolF64: e.pool_f64 as WasmRuntime['poolF64'],
            poolAvgBackF32: e.pool_avg_back_f32 as WasmRuntime['poolAvgBackF32'],
            poolAvgBackF64: e.pool_avg_back_f64 as WasmRuntime['poolAvgBackF64'],
        };
    } catch {
        runtime = null;
    }
    return runtime;
}

export function rt(): WasmRuntime {
    const r = wasmRuntime();
    if (!r) throw new Error('WebAssembly SIMD is not available');
    return r;
}

/** Makes the WASM memory at least `bytes` long and returns its buffer (take views after this call). */
export function reserve(bytes: number): ArrayBuffer {
    const mem = rt().memory;
    const have = mem.buffer.byteLength;
    if (bytes > have) mem.grow(Math.ceil((bytes - have) / 65536));
    return mem.buffer;
}

/** Gives the WASM memory back: stops the workers; a fresh instance (one page) is made on next use. */
export function releaseWasmMemory(): void {
    stopWorkers();
    runtime = undefined;
}

// ---- threads

let threadCount: number | undefined;

/** CONVSCOPE_THREADS when set, else the machine's cores, at most 4. */
export function defaultThreads(): number {
    const fromEnv = Number.parseInt(env('CONVSCOPE_THREADS') ?? '', 10);
    return Number.isInteger(fromEnv) && fromEnv >= 1 ? Math.min(fromEnv, 16) : Math.min(availableParallelism(), 4);
}

/** How many threads `parallel` may use (the calling one included). */
export function threads(): number {
    threadCount ??= defaultThreads();
    return threadCount;
}

/** Sets the thread count (1 = the calling thread only); returns the previous one. */
export function setThreads(n: number): number {
    const before = threads();
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`thread count must be a positive integer, got ${n}`);
    threadCount = Math.min(n, 16);
    if (threadCount < before) stopWorkers();
    return before;
}

/** A job below this many floating-point operations runs on the calling thread alone: waking a worker costs tens of µs. */
export const MIN_PARALLEL_FLOPS = 4e6;

// Per worker slot in the control array: [state, entry, desc, failed, ready, …]; state 0 idle,
// 1 job posted, 2 done, 3 stop.
const SLOT = 8;
const IDLE = 0, POSTED = 1, DONE = 2, STOP = 3;

/** The worker's whole program: instantiate the module on the shared memory, then run posted jobs. */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { module, memory, control, tid, entries } = workerData;
const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
const fns = entries.map(name => exports[name]);
const ctl = new Int32Array(control);
const at = tid * ${SLOT};
Atomics.store(ctl, at + 4, 1);
for (;;) {
    Atomics.wait(ctl, at, ${IDLE});
    const state = Atomics.load(ctl, at);
    if (state === ${STOP}) break;
    if (state !== ${POSTED}) continue;
    let failed = 0;
    try { fns[ctl[at + 1]](ctl[at + 2], tid); } catch { failed = 1; }
    ctl[at + 3] = failed;
    Atomics.store(ctl, at, ${DONE});
    Atomics.notify(ctl, at);
}
`;

interface Pool {
    readonly runtime: WasmRuntime;
    readonly control: Int32Array;
    readonly workers: Worker[];
}

let pool: Pool | null = null;

/** Jobs `parallel` has run, and how many of them a worker took part in (tests, benchmarks). */
export const parallelStats = { jobs: 0, shared: 0 };

/** How many worker threads have started and wait for jobs. */
export function workersReady(): number {
    if (!pool) return 0;
    let ready = 0;
    for (let t = 1; t <= pool.workers.length; t++) ready += Atomics.load(pool.control, t * SLOT + 4);
    return ready;
}

/** Starts the workers `threads()` asks for (they come up asynchronously; `parallel` starts them on first use anyway). */
export function startWorkers(): void {
    const r = wasmRuntime();
    if (r && threads() > 1) workersFor(r, threads() - 1);
}

function workersFor(r: WasmRuntime, wanted: number): Pool {
    if (pool && pool.runtime !== r) stopWorkers();
    if (!pool) pool = { runtime: r, control: new Int32Array(new SharedArrayBuffer(17 * SLOT * 4)), workers: [] };
    while (pool.workers.length < wanted) {
        const tid = pool.workers.length + 1;
        const worker = new Worker(WORKER_SOURCE, {
            eval: true,
            workerData: { module: r.module, memory: r.memory, control: pool.control.buffer, tid, entries: PARALLEL },
        });
        worker.unref();
        worker.on('error', () => undefined);
        pool.workers.push(worker);
    }
    return pool;
}

function stopWorkers(): void {
    if (!pool) return;
    for (let t = 1; t <= pool.workers.length; t++) {
        Atomics.store(pool.control, t * SLOT, STOP);
        Atomics.notify(pool.control, t * SLOT);
    }
    for (const w of pool.workers) void w.terminate();
    pool = null;
}

/**
 * Runs `entry(desc, t)` on this thread (t = 0) and on the ready workers (t = 1, 2, …) until the
 * descriptor's counter runs out of chunks. `units` is the number of chunks, `flops` the job's
 * size: small jobs, and jobs of one chunk, stay on this thread. Workers t < `threads()` must
 * have their scratch in the descriptor's per-thread regions.
 */
export function parallel(entry: ParallelEntry, desc: number, units: number, flops: number): void {
    const r = rt();
    const fn = r.exports[entry] as Entry;
    const extra = Math.min(threads(), units) - 1;
    parallelStats.jobs++;
    if (extra <= 0 || flops < MIN_PARALLEL_FLOPS) {
        fn(desc, 0);
        return;
    }
    const p = workersFor(r, extra);
    const ctl = p.control;
    const posted: number[] = [];
    for (let t = 1; t <= extra; t++) {
        const at = t * SLOT;
        if (Atomics.load(ctl, at + 4) !== 1 || Atomics.load(ctl, at) !== IDLE) continue;
        ctl[at + 1] = PARALLEL.indexOf(entry);
        ctl[at + 2] = desc;
        Atomics.store(ctl, at, POSTED);
        Atomics.notify(ctl, at);
        posted.push(at);
    }
    if (posted.length) parallelStats.shared++;
    let failed = false;
    try {
        fn(desc, 0);
    } finally {
        for (const at of posted) {
            while (Atomics.load(ctl, at) === POSTED) Atomics.wait(ctl, at, POSTED);
            failed ||= ctl[at + 3] !== 0;
            Atomics.store(ctl, at, IDLE);
        }
    }
    if (failed) throw new Error(`${entry}: a worker thread failed`);
}

/** Byte regions laid out one after another, each 64-byte aligned. */
export class Arena {
    end = 0;
    take(bytes: number): number {
        const at = this.end;
        this.end = Math.ceil((at + bytes) / 64) * 64;
        return at;
    }
}
