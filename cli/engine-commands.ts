/**
 * `convscope run` and `convscope gradcheck`: forward/backward passes and gradient checks of a
 * network through the embedded engine, with per-layer statistics, .npy inputs/parameters/outputs
 * and the JSON contracts other tools read.
 *
 * Layout of `run --out DIR` (and of `--params DIR`, which reads DIR/params if it exists, else DIR):
 *   output.npy                      the network output
 *   R.npy                           the loss weights (L = Σ output ⊙ R)
 *   inputs/<input>.npy              the inputs used
 *   input_grads/<input>.npy         ∂L/∂input
 *   activations/<key>.npy           every layer's output       (<key> = 07_conv2d or 04_max_pool2d_stem)
 *   gradients/<key>.npy             ∂L/∂(that output)
 *   params/<key>.<tensor>.npy       parameters and buffers (weight, bias, running_mean, running_var)
 *   param_grads/<key>.<tensor>.npy  ∂L/∂parameter
 *   manifest.json                   network, seed, dtype, mode, batch, loss and the layer keys
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyzeProgram, type NetworkAnalysis } from '../src/analysis/analyze.js';
import type { Expr, Program, Stmt } from '../src/program.js';
import { formatShape as formatDims } from '../src/shape/dims.js';
import { gradcheck, GRADCHECK_DEFAULTS, type GradcheckReport, type TensorCheck } from '../src/engine/gradcheck.js';
import { EngineError, NetworkModel } from '../src/engine/network.js';
import { writeNpy } from '../src/engine/npy.js';
import { loadParams, readTensorFile } from '../src/engine/params-io.js';
import type { Mode } from '../src/engine/types.js';
import { type Tensor, formatShape } from '../src/tensor/tensor.js';
import { jsonStats, runReport, type JsonStats } from '../src/engine/run-report.js';
import { CliError, displayPath, loadFiles } from './workspace.js';
import { parseSize } from '../src/util/size.js';
import { diagnosticsOf, formatDiagnostic } from './report.js';

export interface Flags {
    readonly files: string[];
    readonly flags: Map<string, string | true>;
    /** Repeatable options (`--input`, `--input-shape`), each value as given. */
    readonly lists: Map<string, string[]>;
}

function num(flags: Map<string, string | true>, name: string, fallback: number, check: (v: number) => boolean, what: string): number {
    const raw = flags.get(name);
    if (raw === undefined) return fallback;
    const v = typeof raw === 'string' ? Number(raw) : NaN;
    if (!Number.isFinite(v) || !check(v)) throw new CliError(`--${name} must be ${what}, got ${raw === true ? 'nothing' : raw}`);
    return v;
}

function batchFlag(flags: Map<string, string | true>): number | undefined {
    return flags.has('batch') ? num(flags, 'batch', 1, v => Number.isInteger(v) && v >= 1, 'a positive integer') : undefined;
}

function bytes(flags: Map<string, string | true>): number | undefined {
    const raw = flags.get('memory-budget');
    if (raw === undefined) return undefined;
    const n = typeof raw === 'string' ? parseSize(raw) : undefined;
    if (n === undefined) throw new CliError(`--memory-budget must be a size such as 2GiB, 512M or 1000000, got ${raw}`);
    return n;
}

function choice<T extends string>(flags: Map<string, string | true>, name: string, allowed: readonly T[], fallback: T): T {
    const raw = flags.get(name);
    if (raw === undefined) return fallback;
    if (typeof raw !== 'string' || !(allowed as readonly string[]).includes(raw)) throw new CliError(`--${name} must be ${allowed.join(' or ')}, got ${raw === true ? 'nothing' : raw}`);
    return raw as T;
}

/**
 * Loads the file and picks the network, analysed at the `--input-shape`s given (`shapes`, by
 * input index); any error in the file, or at those shapes, is a one-line failure.
 */
async function networkOf({ files, flags, lists }: Flags): Promise<{ network: NetworkAnalysis; file: string; shapes: Map<number, number[]> }> {
    if (files.length !== 1) throw new CliError('give exactly one .conv file');
    const { Conv, roots } = await loadFiles(files);
    const doc = roots[0]!;
    const { analysis } = Conv.analysis.Analyzer.analyze(doc);
    const wanted = flags.get('network');
    const names = analysis.networks.map(n => n.graph.name);
    let network: NetworkAnalysis | undefined;
    if (typeof wanted === 'string') {
        network = analysis.networks.find(n => n.graph.name === wanted);
        if (!network) throw new CliError(`${files[0]}: no network named '${wanted}'${names.length ? ` (networks: ${names.join(', ')})` : ' (the file declares no network)'}`);
    } else if (analysis.networks.length === 1) {
        network = analysis.networks[0]!;
    } else if (analysis.networks.length === 0) {
        throw new CliError(`${files[0]} declares no network (only blocks)`);
    } else {
        throw new CliError(`${files[0]} declares several networks (${names.join(', ')}): choose one with --network NAME`);
    }
    // Errors elsewhere in the file (another network, an unused block) do not stop this network.
    const { start, end } = network.graph.loc;
    const all = diagnosticsOf(doc).filter(d => d.severity === 'error');
    const inside = all.filter(d => d.line - 1 >= start.line && d.line - 1 <= end.line);
    const errors = inside.length > 0 ? inside : network.incomplete ? all : [];
    if (errors.length > 0) {
        throw new CliError(`${files[0]}: network ${network.graph.name} has ${errors.length} error${errors.length === 1 ? '' : 's'} (first: ${formatDiagnostic(errors[0]!)}); run \`convscope check ${files[0]}\``);
    }
    const raws = lists.get('input-shape') ?? [];
    const shapes = inputShapes(network, raws);
    if (shapes.size > 0) network = atShapes(analysis.program, network, shapes, `--input-shape ${raws.join(' --input-shape ')}`);
    return { network, file: files[0]!, shapes };
}

/**
 * `--input-shape [NAME=]D,D,...`, once per input (NAME only needed when there are several): the
 * shape to run the input at instead of the declared one, with as many dimensions. Returns the
 * shapes by input index.
 */
function inputShapes(network: NetworkAnalysis, raws: readonly string[]): Map<number, number[]> {
    const names = network.inputs.map(i => i.name);
    const shapes = new Map<number, number[]>();
    for (const raw of raws) {
        const eq = raw.indexOf('=');
        const index = eq < 0 ? 0 : names.indexOf(raw.slice(0, eq));
        if (index < 0) throw new CliError(`--input-shape ${raw}: the network has no input '${raw.slice(0, eq)}' (inputs: ${names.join(', ')})`);
        if (eq < 0 && names.length > 1) throw new CliError(`--input-shape ${raw}: the network has several inputs (${names.join(', ')}): write --input-shape NAME=${raw}`);
        const declared = network.inputs[index]!.tensor.shape;
        const what = `input ${names[index]} is declared ${formatDims(declared)}`;
        const dims = raw.slice(eq + 1).split(',').map(d => (/^\s*\d+\s*$/.test(d) ? Number(d) : NaN));
        if (!dims.every(d => Number.isSafeInteger(d) && d >= 1)) throw new CliError(`--input-shape ${raw}: the dimensions must be positive integers separated by commas (${what})`);
        if (dims.length !== declared.length) throw new CliError(`--input-shape ${raw}: give ${declared.length} dimensions, not ${dims.length} (${what})`);
        if (shapes.has(index)) throw new CliError(`--input-shape: input '${names[index]}' is given twice`);
        shapes.set(index, dims);
    }
    return shapes;
}

/**
 * The network analysed again with its inputs declared at `shapes` (a symbolic batch stays
 * symbolic: its value is the run's batch). Errors at those shapes (an output size below 1...)
 * are a one-line failure naming `given`, the options that set them.
 */
function atShapes(program: Program, network: NetworkAnalysis, shapes: ReadonlyMap<number, readonly number[]>, given: string): NetworkAnalysis {
    const byName = new Map([...shapes].map(([index, shape]) => [network.inputs[index]!.name, { shape, declared: network.inputs[index]!.tensor.shape }]));
    const body = network.graph.body.map((stmt): Stmt => {
        const at = stmt.kind === 'input' ? byName.get(stmt.name) : undefined;
        if (stmt.kind !== 'input' || !at) return stmt;
        return { ...stmt, dims: stmt.dims.map((dim, i): Expr => (typeof at.declared[i] === 'string' ? dim : { kind: 'number', value: at.shape[i]!, isInt: true, loc: dim.loc })) };
    });
    const analysis = analyzeProgram({ ...program, graphs: [{ ...network.graph, body }] });
    const errors = analysis.issues.filter(i => i.severity === 'error');
    if (errors.length > 0) {
        const { loc, message } = errors[0]!;
        throw new CliError(`${given}: network ${network.graph.name} has ${errors.length} error${errors.length === 1 ? '' : 's'} at ${shapes.size === 1 ? 'this input shape' : 'these input shapes'} (first: ${displayPath(loc.file)}:${loc.start.line + 1}:${loc.start.character + 1} error ${message})`);
    }
    return analysis.networks[0]!;
}

/**
 * `--input X.npy` (the only input) or `--input name=X.npy`, repeatable (or comma-separated).
 * Returns the files read, by input index; the batch comes from them when it is symbolic.
 */
function readInputs(network: NetworkAnalysis, raws: readonly string[], dtype: 'float32' | 'float64'): Map<number, { file: string; tensor: Tensor }> {
    const given = new Map<number, { file: string; tensor: Tensor }>();
    const names = network.inputs.map(i => i.name);
    for (const part of raws.flatMap(raw => raw.split(','))) {
        const eq = part.indexOf('=');
        let index = 0;
        let file = part;
        if (eq > 0 && !part.slice(0, eq).includes('/') && !part.slice(0, eq).endsWith('.npy')) {
            index = names.indexOf(part.slice(0, eq));
            file = part.slice(eq + 1);
            if (index < 0) throw new CliError(`--input: the network has no input '${part.slice(0, eq)}' (inputs: ${names.join(', ')})`);
        } else if (names.length > 1) {
            throw new CliError(`--input: the network has several inputs (${names.join(', ')}): write --input name=FILE.npy`);
        }
        if (given.has(index)) throw new CliError(`--input: input '${names[index]}' is given twice`);
        given.set(index, { file, tensor: engine(() => readTensorFile(file, dtype)) });
    }
    return given;
}

/**
 * The symbolic batch's value: --batch, else the first dimension of the --input-shapes and of the
 * given input files (all of which must agree), else 1.
 */
function batchOf(network: NetworkAnalysis, flag: number | undefined, shapes: ReadonlyMap<number, readonly number[]>, given: ReadonlyMap<number, { file: string; tensor: Tensor }> = new Map()): number {
    const claims: Array<{ n: number; from: string; note?: string }> = flag === undefined ? [] : [{ n: flag, from: '--batch' }];
    const symbolic = (index: number) => typeof network.inputs[index]!.tensor.shape[0] === 'string';
    for (const [index, shape] of shapes) if (symbolic(index)) claims.push({ n: shape[0]!, from: `--input-shape ${network.inputs[index]!.name}=${shape.join(',')}` });
    for (const [index, { file, tensor }] of given) {
        const declared = network.inputs[index]!.tensor.shape;
        if (symbolic(index) && tensor.shape.length === declared.length) claims.push({ n: tensor.shape[0]!, from: file, note: ` (the input is declared ${network.inputs[index]!.name}: [${declared.join(', ')}])` });
    }
    const first = claims[0];
    for (const c of claims) {
        if (c.n !== first!.n) throw new CliError(`${c.from}: batch ${c.n} disagrees with ${first!.from === '--batch' ? `--batch ${first!.n}` : `batch ${first!.n} of ${first!.from}`}${c.note ?? ''}`);
    }
    return first?.n ?? 1;
}

function fmt(x: number | null): string {
    if (x === null) return 'nan';
    if (x === 0) return '0';
    const a = Math.abs(x);
    return a >= 1e4 || a < 1e-3 ? x.toExponential(2) : x.toPrecision(4);
}

function statsText(s: JsonStats): string {
    return [s.mean, s.std, s.min, s.max, s.norm].map(v => fmt(v).padStart(9)).join(' ');
}

function write(dir: string, rel: string, t: Tensor): void {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    writeNpy(file, t);
}

export async function runCommand(args: Flags): Promise<number> {
    const { flags, lists } = args;
    const { network, file, shapes } = await networkOf(args);
    const dtype = choice(flags, 'dtype', ['float32', 'float64'] as const, 'float32');
    const mode = choice<Mode>(flags, 'mode', ['train', 'eval'], 'train');
    const seed = num(flags, 'seed', 0, v => Number.isInteger(v) && v >= 0, 'a non-negative integer');
    const given = readInputs(network, lists.get('input') ?? [], dtype);
    const batch = batchOf(network, batchFlag(flags), shapes, given);
    const model = engine(() => new NetworkModel(network, { dtype, mode, seed, batch, memoryBudget: bytes(flags) }));
    const params = flags.get('params');
    if (params !== undefined) {
        if (params === true) throw new CliError('--params needs a directory');
        engine(() => loadParams(model, params));
    }
    const inputs = model.sampleInputs();
    for (const [index, { file, tensor }] of given) {
        engine(() => model.checkInput(index, tensor, file));
        inputs[index] = tensor;
    }
    const R = model.lossWeights();
    const started = performance.now();
    const pass = engine(() => model.forward(inputs));
    const back = engine(() => model.backward(pass, R));
    const seconds = (performance.now() - started) / 1000;

    const report = runReport(model, pass, back, R, displayPath);
    const layers = report.layers;
    const out = flags.get('out');
    if (out !== undefined) {
        if (out === true) throw new CliError('--out needs a directory');
        write(out, 'output.npy', pass.output);
        write(out, 'R.npy', R);
        model.network.inputs.forEach((input, k) => {
            write(out, `inputs/${input.name}.npy`, inputs[k]!);
            write(out, `input_grads/${input.name}.npy`, back.inputs[k]!);
        });
        model.layers.forEach((record, i) => {
            const key = model.keys[i]!;
            write(out, `activations/${key}.npy`, pass.values.get(record.output.id)!);
            const g = back.grads.get(record.output.id);
            if (g) write(out, `gradients/${key}.npy`, g);
            const state = model.states[i]!;
            for (const [name, t] of Object.entries({ ...state.params, ...state.buffers })) write(out, `params/${key}.${name}.npy`, t);
            for (const [name, t] of Object.entries(back.params[i]!)) write(out, `param_grads/${key}.${name}.npy`, t);
        });
        fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify({ network: network.graph.name, file, seed, dtype, mode, batch, loss: report.loss, layers: model.keys }, null, 2) + '\n');
    }
    if (flags.has('json')) {
        process.stdout.write(JSON.stringify(report, null, 2) + '\n');
        return 0;
    }
    const lines: string[] = [];
    lines.push(`network ${network.graph.name} — ${file} · ${dtype} · ${mode} mode · seed ${seed} · batch ${batch}`);
    lines.push(`loss L = sum(output * R) = ${report.loss.toPrecision(8)}   (R ~ N(0,1), seed ${seed}; inputs ${model.network.inputs.map((input, k) => `${input.name} ${given.has(k) ? `from ${given.get(k)!.file}` : '~ N(0,1)'}`).join(', ')}; parameters ${params !== undefined ? 'from --params' : "PyTorch's default initialisation"})`);
    lines.push(`forward + backward: ${seconds.toFixed(3)} s`);
    lines.push('');
    const head = ['#', 'layer', 'shape', 'activation: mean std min max norm', 'gradient: mean std min max norm'];
    const rows = layers.map((l, i) => [String(i + 1), `${model.keys[i]!.slice(3)} (line ${l.line})`, formatShape(l.shape), statsText(l.activation), statsText(l.gradient)]);
    const widths = head.map((h, c) => Math.max(h.length, ...rows.map(r => r[c]!.length)));
    const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
    lines.push(line(head), ...rows.map(line));
    const withParams = layers.flatMap((l, i) => l.params.map(p => [`${model.keys[i]}.${p.tensor}`, formatShape(p.shape), statsText(p.value), statsText(p.gradient)]));
    if (withParams.length > 0) {
        lines.push('', 'parameters');
        const ph = ['tensor', 'shape', 'value: mean std min max norm', 'gradient: mean std min max norm'];
        const pw = ph.map((h, c) => Math.max(h.length, ...withParams.map(r => r[c]!.length)));
        const pl = (r: string[]) => r.map((cell, c) => cell.padEnd(pw[c]!)).join('  ').trimEnd();
        lines.push(pl(ph), ...withParams.map(pl));
    }
    lines.push('', `output ${formatShape(pass.output.shape)}: ${statsText(jsonStats(pass.output))}`);
    if (out !== undefined) lines.push(`wrote ${out}/ (output.npy, inputs/, activations/, gradients/, params/, param_grads/, manifest.json)`);
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
}

function engine<T>(f: () => T): T {
    try {
        return f();
    } catch (err) {
        if (err instanceof EngineError) throw new CliError(err.message);
        throw err;
    }
}

export async function gradcheckCommand(args: Flags): Promise<number> {
    const { flags } = args;
    const { network, shapes } = await networkOf(args);
    const dtype = choice(flags, 'dtype', ['float32', 'float64'] as const, GRADCHECK_DEFAULTS.dtype);
    // float32 cannot resolve a 1e-6 step: its defaults are looser, and said so in the report.
    const f32 = dtype === 'float32';
    const options = {
        seed: num(flags, 'seed', GRADCHECK_DEFAULTS.seed, v => Number.isInteger(v) && v >= 0, 'a non-negative integer'),
        dtype,
        mode: choice<Mode>(flags, 'mode', ['train', 'eval'], GRADCHECK_DEFAULTS.mode),
        eps: num(flags, 'eps', f32 ? 1e-3 : GRADCHECK_DEFAULTS.eps, v => v > 0, 'a positive number'),
        atol: num(flags, 'atol', f32 ? 1e-3 : GRADCHECK_DEFAULTS.atol, v => v >= 0, 'a non-negative number'),
        rtol: num(flags, 'rtol', f32 ? 1e-2 : GRADCHECK_DEFAULTS.rtol, v => v >= 0, 'a non-negative number'),
        maxElements: num(flags, 'max-elements', GRADCHECK_DEFAULTS.maxElements, v => Number.isInteger(v) && v >= 1, 'a positive integer'),
        fast: flags.has('fast'),
        batch: batchOf(network, batchFlag(flags), shapes),
        memoryBudget: bytes(flags),
        scopes: flags.get('scope') === 'layer' ? ['layer' as const] : flags.get('scope') === 'network' ? ['network' as const] : undefined,
    };
    if (flags.has('scope')) choice(flags, 'scope', ['layer', 'network', 'both'], 'both');
    const started = performance.now();
    const report = engine(() => gradcheck(network, options, displayPath));
    const seconds = (performance.now() - started) / 1000;
    if (flags.has('json')) {
        const { cancelled: _cancelled, ...json } = report;
        process.stdout.write(JSON.stringify(json, null, 2) + '\n');
    } else {
        process.stdout.write(gradcheckText(report, seconds, f32) + '\n');
    }
    return report.passed ? 0 : 1;
}

/** The report as `convscope gradcheck` prints it (also the editor's output channel). */
export function gradcheckText(report: GradcheckReport, seconds: number, f32: boolean): string {
    const lines = [
        `gradient check of ${report.network} · ${report.dtype} · seed ${report.seed} · eps ${report.eps} · atol ${report.atol} · rtol ${report.rtol}`,
        `loss: ${report.loss}`,
    ];
    if (f32) lines.push('note: float32 finite differences are coarse; these tolerances are looser than float64\'s (1e-6, 1e-5, 1e-3). Prefer --dtype float64.');
    lines.push('');
    const head = ['scope', 'layer', 'line', 'tensor', 'elements', 'checked', 'max abs err', 'max rel err', 'worst', 'status'];
    const row = (c: TensorCheck) => [c.scope, c.layer, String(c.line), c.tensor, String(c.elements), String(c.checked), c.maxAbsError.toExponential(2), c.maxRelError.toExponential(2), c.worstIndex.length ? `[${c.worstIndex.join(',')}]` : '', c.status.toUpperCase()];
    const rows = report.checks.map(row);
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map(r => r[i]!.length)));
    const right = new Set([2, 4, 5, 6, 7]);
    const fmtRow = (r: string[]) => r.map((cell, i) => (right.has(i) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
    lines.push(fmtRow(head));
    report.checks.forEach((c, i) => {
        lines.push(fmtRow(rows[i]!));
        if (c.note && c.status !== 'passed') lines.push(`      ${c.note}`);
        else if (c.note && /skipped/.test(c.note)) lines.push(`      ${c.note}`);
    });
    const failed = report.checks.filter(c => c.status === 'failed').length;
    const skipped = report.checks.filter(c => c.status === 'skipped').length;
    const passed = report.checks.length - failed - skipped;
    lines.push('', `${report.passed ? 'PASSED' : 'FAILED'}: ${passed} tensors passed, ${failed} failed, ${skipped} skipped (${report.checks.length} checks, ${seconds.toFixed(2)} s)`);
    return lines.join('\n');
}
