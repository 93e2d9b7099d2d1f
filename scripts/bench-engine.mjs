#!/usr/bin/env node
/**
 * `npm run bench`: Convscope's convolution kernels against TensorFlow.js (cpu and wasm backends),
 * ONNX Runtime and PyTorch on the shapes A–G of shared/BENCH.md, forward and backward
 * (input + weight gradients, counted as 2× the forward FLOPs), float32 and float64.
 *
 * Every engine configuration runs in its own child process (no V8 type feedback or allocator
 * state carried between them), one after the other (the machine has 2 cores). Each figure is
 * the median of ≥ 5 timed runs after warm-up; a configuration whose single run exceeds the
 * per-measurement budget gets fewer runs and is marked †. Prints markdown tables.
 *
 *   node scripts/bench-engine.mjs [--engines ours,ours-wasm,tfjs-cpu,...] [--wasm-relaxed] [--shapes A,B] [--runs 5]
 *                                 [--budget 12000] [--clock wall|cpu] [--skip-e2e] [--json out/bench/engine.json]
 *
 * --clock cpu times single-threaded configurations by the process's CPU time instead of the wall
 * clock: on a machine shared with other work that stays close to the unloaded wall time, while
 * wall-clock figures drop with the load. Two-thread configurations are always timed by the wall.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SHAPES, forwardFlops } from './bench/engine-shapes.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
    options: {
        engines: { type: 'string', default: 'ours,ours-wasm,tfjs-cpu,tfjs-wasm,ort,torch' },
        'wasm-relaxed': { type: 'boolean', default: false },
        shapes: { type: 'string', default: Object.keys(SHAPES).join(',') },
        runs: { type: 'string', default: '5' },
        budget: { type: 'string', default: '12000' },
        clock: { type: 'string', default: 'wall' },
        'skip-e2e': { type: 'boolean', default: false },
        json: { type: 'string', default: join(root, 'out', 'bench', 'engine.json') },
    },
});
const wanted = new Set(values.engines.split(','));
const shapeIds = values.shapes.split(',');
if (!['wall', 'cpu'].includes(values.clock)) throw new Error(`--clock must be wall or cpu, not ${values.clock}`);
const common = ['--shapes', shapeIds.join(','), '--runs', values.runs, '--budget', values.budget];
const single = [...common, '--clock', values.clock];
const multi = [...common, '--clock', 'wall'];
const started = performance.now();
const { cpus, loadavg } = await import('node:os');
const loadBefore = loadavg()[0];
const notes = [];

/** Runs one configuration; returns its JSON lines, or [] with a note when it cannot run. */
function run(label, command, args) {
    process.stderr.write(`bench: ${label} ...`);
    const t = performance.now();
    const r = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24, timeout: 15 * 60_000 });
    process.stderr.write(` ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    const lines = (r.stdout ?? '').split('\n').filter(l => l.startsWith('{')).map(l => JSON.parse(l));
    if (r.status !== 0 || lines.length === 0) {
        const why = (r.error?.message ?? r.stderr ?? '').trim().split('\n').filter(Boolean).slice(-1)[0] ?? `exit ${r.status}`;
        notes.push(`${label}: not measured (${why})`);
    }
    return lines;
}

function canRequire(name) {
    return existsSync(join(root, 'node_modules', ...name.split('/'), 'package.json'));
}

const results = [];

if (wanted.has('ours')) {
    // bundle the TypeScript runner once, so each child starts plain node on plain JS
    const { build } = await import('esbuild');
    const outfile = join(root, 'out', 'bench', 'engine-ours.mjs');
    await build({ entryPoints: [join(root, 'scripts', 'bench', 'engine-ours.ts')], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'warning' });
    for (const dtype of ['float32', 'float64']) results.push(...run(`ours ${dtype}`, process.execPath, [outfile, '--dtype', dtype, ...single]));
}
if (wanted.has('ours-wasm')) {
    const outfile = join(root, 'out', 'bench', 'engine-ours.mjs');
    if (!wanted.has('ours')) {
        const { build } = await import('esbuild');
        await build({ entryPoints: [join(root, 'scripts', 'bench', 'engine-ours.ts')], bundle: true, platform: 'node', format: 'esm', outfile, logLevel: 'warning' });
    }
    // the WebAssembly SIMD kernels (baseline SIMD128), and with relaxed FMA where Node needs the flag
    for (const dtype of ['float32', 'float64']) results.push(...run(`ours (wasm) ${dtype}`, process.execPath, [outfile, '--dtype', dtype, '--kernels', 'wasm', '--engine', 'ours-wasm', ...single]));
    if (values['wasm-relaxed']) {
        for (const dtype of ['float32', 'float64']) results.push(...run(`ours (wasm, relaxed FMA) ${dtype}`, process.execPath, ['--experimental-wasm-relaxed-simd', outfile, '--dtype', dtype, '--kernels', 'wasm', '--engine', 'ours-wasm-fma', ...single]));
    }
}
for (const backend of ['cpu', 'wasm']) {
    if (!wanted.has(`tfjs-${backend}`)) continue;
    if (!canRequire('@tensorflow/tfjs') || (backend === 'wasm' && !canRequire('@tensorflow/tfjs-backend-wasm'))) notes.push(`tfjs-${backend}: not installed`);
    else results.push(...run(`tfjs ${backend}`, process.execPath, [join(root, 'scripts', 'bench', 'engine-tfjs.mjs'), '--backend', backend, ...single]));
}
if (wanted.has('ort')) {
    if (!canRequire('onnxruntime-node')) notes.push('onnxruntime-node: not installed');
    else for (const threads of ['1', '2']) results.push(...run(`onnxruntime ${threads} thread(s)`, process.execPath, [join(root, 'scripts', 'bench', 'engine-ort.mjs'), '--threads', threads, ...(threads === '1' ? single : multi)]));
}
if (wanted.has('torch')) {
    const python = '/usr/bin/python3';
    const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (probe.status !== 0) notes.push('PyTorch: `import torch` fails under /usr/bin/python3, not measured');
    else {
        notes.push(`PyTorch ${probe.stdout.trim()}`);
        const shapes = JSON.stringify(Object.fromEntries(shapeIds.map(id => [id, { ...SHAPES[id], flops: forwardFlops(SHAPES[id]) }])));
        const script = join(root, 'scripts', 'bench', 'engine-torch.py');
        const args = ['--shapes', shapes, '--runs', values.runs, '--budget', values.budget];
        results.push(...run('pytorch float32 1 thread', python, [script, '--threads', '1', '--dtype', 'float32', ...args, '--clock', values.clock]));
        results.push(...run('pytorch float32 2 threads', python, [script, '--threads', '2', '--dtype', 'float32', ...args, '--clock', 'wall']));
        results.push(...run('pytorch float64 1 thread', python, [script, '--threads', '1', '--dtype', 'float64', ...args, '--clock', values.clock]));
    }
}

// ---- tables
const find = (engine, dtype, shape, pass) => results.find(r => r.engine === engine && r.dtype === dtype && r.shape === shape && r.pass === pass);
let slow = false;
function cell(r) {
    if (!r) return '—';
    if (r.missing) return 'n/a';
    const v = r.gflops >= 10 ? r.gflops.toFixed(0) : r.gflops >= 1 ? r.gflops.toFixed(2) : r.gflops.toPrecision(2);
    if (r.runs < 5) slow = true;
    return r.runs < 5 ? `${v} †` : v;
}
function ratio(a, b) {
    if (!a?.gflops || !b?.gflops) return '—';
    const q = a.gflops / b.gflops;
    return `${q >= 10 ? q.toFixed(0) : q >= 1 ? q.toFixed(1) : q.toPrecision(2)}×`;
}

/** Peer columns: each cell is the peer's GFLOP/s and, in brackets, ours ÷ peer (ours in the same dtype). */
const peers = {
    forward: [
        ['tfjs cpu', 'tfjs-cpu', 'float32'], ['tfjs wasm', 'tfjs-wasm', 'float32'], ['ORT', 'ort', 'float32'], ['ORT 2T', 'ort-2t', 'float32'],
        ['PyTorch', 'torch', 'float32'], ['PyTorch 2T', 'torch-2t', 'float32'], ['PyTorch f64', 'torch', 'float64'],
    ],
    backward: [['tfjs cpu', 'tfjs-cpu', 'float32'], ['PyTorch', 'torch', 'float32'], ['PyTorch 2T', 'torch-2t', 'float32'], ['PyTorch f64', 'torch', 'float64']],
};

const out = [];
out.push(`## Convscope engine benchmark: GFLOP/s, median of ≥ ${values.runs} timed runs after warm-up`, '');
out.push(`Single thread unless "2T"; timed by the ${values.clock === 'cpu' ? 'process CPU time (2T: wall clock)' : 'wall clock'}. Peer cells: the peer's GFLOP/s (ours ÷ peer, ours in the same dtype; > 1× means we are faster).`, '');
for (const pass of ['forward', 'backward']) {
    out.push(pass === 'forward' ? '### Forward' : '### Backward: input + weight (+ bias) gradients, counted as 2× forward FLOPs', '');
    const wasmCols = [['ours (wasm) f32', 'ours-wasm', 'float32'], ['ours (wasm) f64', 'ours-wasm', 'float64'], ['wasm FMA f32', 'ours-wasm-fma', 'float32'], ['wasm FMA f64', 'ours-wasm-fma', 'float64']]
        .filter(([, engine]) => results.some(r => r.engine === engine));
    const head = ['shape', 'ours f32', 'ours f64', ...wasmCols.map(c => c[0]), ...peers[pass].map(c => c[0])];
    out.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
    for (const id of shapeIds) {
        const ours = { float32: find('ours', 'float32', id, pass), float64: find('ours', 'float64', id, pass) };
        const row = [`${id} ${SHAPES[id].what}`, cell(ours.float32), cell(ours.float64)];
        // WASM columns: GFLOP/s (÷ the js kernels in the same dtype)
        for (const [, engine, dtype] of wasmCols) {
            const r = find(engine, dtype, id, pass);
            row.push(r?.gflops && ours[dtype]?.gflops ? `${cell(r)} (${ratio(r, ours[dtype])})` : cell(r));
        }
        for (const [, engine, dtype] of peers[pass]) {
            const r = find(engine, dtype, id, pass);
            const c = cell(r);
            row.push(r?.gflops ? `${c} (${ratio(ours[dtype], r)})` : c);
        }
        out.push(`| ${row.join(' | ')} |`);
    }
    out.push('');
}
if (slow) out.push('† a single run takes longer than the per-measurement budget (--budget ms): median of fewer than 5 runs, the first included.', '');
const missing = new Map();
for (const r of results) if (r.missing) missing.set(`${r.engine}: ${r.missing}`, [...(missing.get(`${r.engine}: ${r.missing}`) ?? []), `${r.shape} ${r.pass}`]);
out.push('n/a: ONNX Runtime has no backward from Node and no float64 Conv; tfjs has no float64.');
for (const [why, where] of missing) out.push(`- ${why} (${where.join(', ')})`);
out.push('');

// ---- the bars of the engine issue
const bars = [];
const a32 = find('ours', 'float32', 'A', 'forward');
const a64 = find('ours', 'float64', 'A', 'forward');
if (a32) bars.push(`float32 forward on A ≥ 3 GFLOP/s: ${a32.gflops.toFixed(2)} ${a32.gflops >= 3 ? '✓' : '✗'}`);
if (a64) bars.push(`float64 forward on A ≥ 2 GFLOP/s: ${a64.gflops.toFixed(2)} ${a64.gflops >= 2 ? '✓' : '✗'}`);
if (results.some(r => r.engine === 'tfjs-cpu')) {
    const behind = [];
    for (const id of shapeIds) {
        for (const pass of ['forward', 'backward']) {
            const o = find('ours', 'float32', id, pass);
            const t = find('tfjs-cpu', 'float32', id, pass);
            if (o && t?.gflops && !(o.gflops > t.gflops)) behind.push(`${id} ${pass}`);
        }
    }
    bars.push(`ahead of tfjs cpu on every shape, forward and backward: ${behind.length === 0 ? '✓' : `✗ (${behind.join(', ')})`}`);
}
if (bars.length) out.push('Bars:', ...bars.map(b => `- ${b}`), '');

// ---- end-to-end rows (the CLI commands the next step adds)
function cliRow(label, args) {
    const cli = join(root, 'out', 'cli', 'main.cjs');
    const command = args[0];
    if (!existsSync(cli)) return `| ${label} | n/a (not built yet) |`;
    const help = spawnSync(process.execPath, [cli, '--help'], { cwd: root, encoding: 'utf8' });
    if (!new RegExp(`\\b${command}\\b`).test(`${help.stdout}${help.stderr}`)) return `| ${label} | n/a (not built yet) |`;
    const times = [];
    for (let i = 0; i < 3; i++) {
        const t = performance.now();
        const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 5 * 60_000 });
        if (r.status !== 0) return `| ${label} | failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n')[0]} |`;
        times.push(performance.now() - t);
    }
    times.sort((x, y) => x - y);
    return `| ${label} | ${(times[1] / 1000).toFixed(2)} s |`;
}
if (!values['skip-e2e']) {
    out.push('### End to end (wall time, median of 3)', '', '| command | time |', '|---|---|');
    out.push(cliRow('convscope gradcheck examples/lenet5.conv', ['gradcheck', 'examples/lenet5.conv']));
    out.push(cliRow('convscope run examples/resnet18.conv', ['run', 'examples/resnet18.conv']));
    out.push('');
}
if (notes.length) out.push('Notes:', ...notes.map(n => `- ${n}`), '');
const load = `load average ${loadBefore.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end`;
out.push(`Machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, Node ${process.version}; ${load}${loadBefore > 1.5 ? ' (other processes were running: absolute figures are low and noisy, ratios measured close together are more telling)' : ''}; total ${((performance.now() - started) / 1000).toFixed(0)} s.`);

console.log(out.join('\n'));
mkdirSync(dirname(values.json), { recursive: true });
writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), results, notes }, null, 2));
