/**
 * Bench runner for Convscope's own kernels: one dtype per process (see bench-engine.mjs), every
 * requested shape, forward and backward (input + weight + bias gradients). Prints one JSON line
 * per measurement: { engine, dtype, shape, pass, ms, runs, reps, clock, gflops }.
 *
 *   [CONVSCOPE_THREADS=n] node out/bench/engine-ours.mjs --dtype float32 --shapes A,B --runs 5 [--clock cpu] [--kernels js|wasm]
 */
import { parseArgs } from 'node:util';
import { jsKernels, wasmKernels, wasmSimdAvailable } from '../../src/engine/kernels/index.js';
import { startWorkers, threads, workersReady } from '../../src/engine/kernels/wasm-runtime.js';
import { type DType, type Tensor, allocate } from '../../src/tensor/tensor.js';
// @ts-expect-error plain ESM helper without types
import { SHAPES, fill, forwardFlops, time } from './engine-shapes.mjs';

interface Shape { x: number[]; w: number[]; stride: number[]; padding: number[]; dilation: number[]; groups: number }

const { values } = parseArgs({ options: { dtype: { type: 'string', default: 'float32' }, shapes: { type: 'string', default: 'A,B,C,D,E,F,G' }, runs: { type: 'string', default: '5' }, budget: { type: 'string', default: '15000' }, clock: { type: 'string', default: 'wall' }, engine: { type: 'string', default: 'ours' }, kernels: { type: 'string', default: 'js' } } });
const dtype = values.dtype as DType;
if (values.kernels === 'wasm' && !wasmSimdAvailable().simd) throw new Error('WebAssembly SIMD is not available');
const k = values.kernels === 'wasm' ? wasmKernels : jsKernels;
if (values.kernels === 'wasm') {
    console.error(`wasm kernels: relaxed FMA ${wasmSimdAvailable().relaxed ? 'on' : 'off'}, ${threads()} thread(s)`);
    // workers start asynchronously: have them all up before timing (CONVSCOPE_THREADS sets how many)
    startWorkers();
    for (let i = 0; i < 500 && workersReady() < threads() - 1; i++) await new Promise(done => setTimeout(done, 10));
    if (workersReady() < threads() - 1) throw new Error(`only ${workersReady()} of ${threads() - 1} worker threads started`);
}

function make(shape: readonly number[], seed: number): Tensor {
    const data = allocate(dtype, shape.reduce((a, b) => a * b, 1));
    fill(data, seed);
    return { shape, data, dtype } as Tensor;
}

for (const id of values.shapes!.split(',')) {
    const s = (SHAPES as Record<string, Shape>)[id]!;
    const opts = { stride: s.stride, padding: s.padding, dilation: s.dilation, groups: s.groups };
    const x = make(s.x, 1);
    const w = make(s.w, 2);
    const b = make([s.w[0]!], 3);
    const flops = forwardFlops(s);
    const y = k.convForward(x, w, b, opts);
    const dy = make(y.shape, 4);
    const budgetMs = Number(values.budget);
    const runs = Number(values.runs);
    const fwd = time(() => k.convForward(x, w, b, opts), { runs, budgetMs, clockKind: values.clock });
    console.log(JSON.stringify({ engine: values.engine, dtype, shape: id, pass: 'forward', ...fwd, gflops: flops / fwd.ms / 1e6 }));
    const bwd = time(() => {
        k.convBackwardInput(dy, w, x.shape, opts);
        k.convBackwardWeight(x, dy, w.shape, opts, true);
    }, { runs, budgetMs, clockKind: values.clock });
    console.log(JSON.stringify({ engine: values.engine, dtype, shape: id, pass: 'backward', ...bwd, gflops: 2 * flops / bwd.ms / 1e6 }));
}
