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
 *   node scripts/bench-engine.mjs [--engines ours,ours-wasm,tfjs-cpu,...] [--shapes A,B] [--runs 5]
 *                                 [--budget 12000] [--clock wall|cpu] [--skip-e2e] [--json out/bench/engine.json]
 *
 * Engines: `ours-wasm` = the default kernels (WebAssembly SIMD, relaxed FMA where the runtime has
 * it) on one thread and on two (CONVSCOPE_THREADS=1 / 2); `ours` = the plain TypeScript kernels
 * (the fallback); tfjs-cpu, tfjs-wasm, ort (1 and 2 threads), torch (1 and 2 threads, float64).
 * Ratios in the tables compare ours with each peer at the same thread count, all from this run;
 * "Targets" checks the engine-speed issue's bars.
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
function run(label, command, args, env = {}) {
    process.stderr.write(`bench: ${label} ...`);
    const t = performance.now();
    const r = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24, timeout: 15 * 60_000, env: { ...process.env, ...env } });
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
    // the default kernels on one thread, then on two
    for (const dtype of ['float32', 'float64']) results.push(...run(`ours (wasm) ${dtype}`, process.execPath, [outfile, '--dtype', dtype, '--kernels', 'wasm', '--engine', 'ours-wasm', ...single], { CONVSCOPE_THREADS: '1' }));
    for (const dtype of ['float32', 'float64']) results.push(...run(`ours (wasm) ${dtype} 2 threads`, process.execPath, [outfile, '--dtype', dtype, '--kernels', 'wasm', '--engine', 'ours-wasm-2t', ...multi], { CONVSCOPE_THREADS: '2' }));
}
for (const backend of ['cpu', 'wasm']) {
    if (!wanted.has(`tfjs-${backend}`)) continue;
    if (!canRequire('@tensorflow/tfjs') || (backend === 'wasm' && !canRequire('@tensorflow/tfjs-backend-wasm'))) notes.push(`tfjs-${backend}: not installed`);
    else results.push(...run(`tfjs ${backend}`, process.execPath, [join(root, 'scripts', 'bench', 'engine-tfjs.mjs'), '--backend', backend, ...single]));
}
if (wanted.has('ort')) {
    if (!canRequire('onnxruntime-node')) notes.push('onnxruntime-node: not installed');
    // always by the wall clock: session.run is asynchronous, and process CPU time misattributes it
    else for (const threads of ['1', '2']) results.push(...run(`onnxruntime ${threads} thread(s)`, process.execPath, [join(root, 'scripts', 'bench', 'engine-ort.mjs'), '--threads', threads, ...multi]));
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

/**
 * Columns: ours (the default WASM kernels, one thread), the same on two threads (÷ one thread),
 * the TypeScript kernels, then each peer as "GFLOP/s (ours ÷ peer)", ours at the peer's dtype and
 * thread count; > 1× means we are faster.
 */
const peers = {
    forward: [
        ['tfjs wasm', 'tfjs-wasm', 'float32', 1], ['ORT', 'ort', 'float32', 1], ['ORT 2T', 'ort-2t', 'float32', 2],
        ['PyTorch', 'torch', 'float32', 1], ['PyTorch 2T', 'torch-2t', 'float32', 2], ['PyTorch f64', 'torch', 'float64', 1], ['tfjs cpu', 'tfjs-cpu', 'float32', 1],
    ],
    backward: [['PyTorch', 'torch', 'float32', 1], ['PyTorch 2T', 'torch-2t', 'float32', 2], ['PyTorch f64', 'torch', 'float64', 1], ['tfjs cpu', 'tfjs-cpu', 'float32', 1]],
};
const oursAt = (dtype, id, pass, threads) => find(threads === 2 ? 'ours-wasm-2t' : 'ours-wasm', dtype, id, pass) ?? find('ours', dtype, id, pass);

const out = [];
out.push(`## Convscope engine benchmark: GFLOP/s, median of ≥ ${values.runs} timed runs after warm-up`, '');
out.push(`Single thread unless "2T"; timed by the ${values.clock === 'cpu' ? 'process CPU time (2T and ONNX Runtime: wall clock)' : 'wall clock'}. "ours" = the default WebAssembly SIMD kernels; "TS" = the plain TypeScript kernels (the fallback). Peer cells: the peer's GFLOP/s (ours ÷ peer at the same dtype and thread count; > 1× means we are faster).`, '');
for (const pass of ['forward', 'backward']) {
    out.push(pass === 'forward' ? '### Forward' : '### Backward: input + weight (+ bias) gradients, counted as 2× forward FLOPs', '');
    const head = ['shape', 'ours f32', 'ours f64', 'ours 2T f32', 'ours 2T f64', 'TS f32', 'TS f64', ...peers[pass].map(c => c[0])];
    out.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
    for (const id of shapeIds) {
        const one = { float32: find('ours-wasm', 'float32', id, pass), float64: find('ours-wasm', 'float64', id, pass) };
        const row = [`${id} ${SHAPES[id].what}`, cell(one.float32), cell(one.float64)];
        for (const dtype of ['float32', 'float64']) {
            const r = find('ours-wasm-2t', dtype, id, pass);
            row.push(r?.gflops && one[dtype]?.gflops ? `${cell(r)} (${ratio(r, one[dtype])})` : cell(r));
        }
        row.push(cell(find('ours', 'float32', id, pass)), cell(find('ours', 'float64', id, pass)));
        for (const [, engine, dtype, threads] of peers[pass]) {
            const r = find(engine, dtype, id, pass);
            const c = cell(r);
            row.push(r?.gflops ? `${c} (${ratio(oursAt(dtype, id, pass, threads), r)})` : c);
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

// ---- targets (the engine issues' bars), each from this run
const targets = [];
const mark = ok => (ok ? '✓' : '✗');
/** One line per bar: the per-shape figures and whether every one meets it. */
function bar(label, ids, figure, ok) {
    const parts = ids.map(id => [id, figure(id)]).filter(([, v]) => v !== undefined);
    if (!parts.length) return;
    targets.push(`${label}: ${parts.map(([id, v]) => `${id} ${v.toFixed(2)}${ok(v) ? '' : ' ✗'}`).join(', ')} ${mark(parts.every(([, v]) => ok(v)))}`);
}
const gf = (engine, dtype, id, pass) => find(engine, dtype, id, pass)?.gflops;
const q = (a, b) => (a && b ? a / b : undefined);
const AD = ['A', 'B', 'C', 'D'].filter(id => shapeIds.includes(id));
bar('float32 forward ≥ 1.2× tfjs-wasm (ratio)', AD, id => q(gf('ours-wasm', 'float32', id, 'forward'), gf('tfjs-wasm', 'float32', id, 'forward')), v => v >= 1.2);
bar('float32 forward ≥ 0.5× ONNX Runtime, both one thread (ratio)', AD, id => q(gf('ours-wasm', 'float32', id, 'forward'), gf('ort', 'float32', id, 'forward')), v => v >= 0.5);
bar('two threads ≥ 1.7× one, float32 forward (ratio)', AD, id => q(gf('ours-wasm-2t', 'float32', id, 'forward'), gf('ours-wasm', 'float32', id, 'forward')), v => v >= 1.7);
bar('two threads ≥ 1.7× one, float64 forward (ratio)', AD, id => q(gf('ours-wasm-2t', 'float64', id, 'forward'), gf('ours-wasm', 'float64', id, 'forward')), v => v >= 1.7);
bar('float64 forward on A ≥ 12 GFLOP/s', ['A'].filter(id => shapeIds.includes(id)), id => gf('ours-wasm', 'float64', id, 'forward'), v => v >= 12);
bar('backward ≥ 0.8× forward GFLOP/s, float32 (ratio)', AD, id => q(gf('ours-wasm', 'float32', id, 'backward'), gf('ours-wasm', 'float32', id, 'forward')), v => v >= 0.8);
bar('backward ≥ 0.8× forward GFLOP/s, float64 (ratio)', AD, id => q(gf('ours-wasm', 'float64', id, 'backward'), gf('ours-wasm', 'float64', id, 'forward')), v => v >= 0.8);
const a32 = gf('ours', 'float32', 'A', 'forward');
const a64 = gf('ours', 'float64', 'A', 'forward');
if (a32) targets.push(`TypeScript kernels, float32 forward on A ≥ 3 GFLOP/s: ${a32.toFixed(2)} ${mark(a32 >= 3)}`);
if (a64) targets.push(`TypeScript kernels, float64 forward on A ≥ 2 GFLOP/s: ${a64.toFixed(2)} ${mark(a64 >= 2)}`);
if (results.some(r => r.engine === 'tfjs-cpu')) {
    const behind = [];
    for (const id of shapeIds) {
        for (const pass of ['forward', 'backward']) {
            const o = find('ours', 'float32', id, pass);
            const t = find('tfjs-cpu', 'float32', id, pass);
            if (o && t?.gflops && !(o.gflops > t.gflops)) behind.push(`${id} ${pass}`);
        }
    }
    targets.push(`TypeScript kernels ahead of tfjs cpu on every shape, forward and backward: ${behind.length === 0 ? '✓' : `✗ (${behind.join(', ')})`}`);
}

// ---- end to end: the CLI commands behind the wall-time targets
/** Median wall time (s) of 3 runs of the CLI, or a string saying why there is none. */
function cliTime(args) {
    const cli = join(root, 'out', 'cli', 'main.cjs');
    if (!existsSync(cli)) return 'n/a (not built)';
    const times = [];
    for (let i = 0; i < 3; i++) {
        const t = performance.now();
        const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: 'utf8', timeout: 5 * 60_000 });
        if (r.status !== 0) return `failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n')[0]}`;
        times.push(performance.now() - t);
    }
    times.sort((x, y) => x - y);
    return times[1] / 1000;
}
if (!values['skip-e2e']) {
    out.push('### End to end (wall time, median of 3, default threads)', '', '| command | time | target |', '|---|---|---|');
    const rows = [
        ['gradcheck examples/lenet5.conv', ['gradcheck', 'examples/lenet5.conv'], 3],
        ['gradcheck examples/resnet18.conv --input-shape 1,3,64,64 --fast', ['gradcheck', 'examples/resnet18.conv', '--input-shape', '1,3,64,64', '--fast'], 20],
        ['run examples/resnet18.conv (1×3×224×224, float32, forward + backward)', ['run', 'examples/resnet18.conv'], 2],
    ];
    for (const [label, args, limit] of rows) {
        const t = cliTime(args);
        out.push(`| \`convscope ${label}\` | ${typeof t === 'number' ? `${t.toFixed(2)} s` : t} | < ${limit} s ${typeof t === 'number' ? mark(t < limit) : ''} |`);
        if (typeof t === 'number') targets.push(`\`${label}\` < ${limit} s: ${t.toFixed(2)} s ${mark(t < limit)}`);
    }
    out.push('');
}
if (targets.length) out.push('### Targets', '', ...targets.map(t => `- ${t}`), '');
if (notes.length) out.push('Notes:', ...notes.map(n => `- ${n}`), '');
const load = `load average ${loadBefore.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end`;
out.push(`Machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, Node ${process.version}; ${load}${loadBefore > 1.5 ? ' (other processes were running: absolute figures are low and noisy, ratios measured close together are more telling)' : ''}; total ${((performance.now() - started) / 1000).toFixed(0)} s.`);

console.log(out.join('\n'));
mkdirSync(dirname(values.json), { recursive: true });
writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), results, notes }, null, 2));
