/**
 * Gradient checks in the sense of `torch.autograd.gradcheck`: the analytical gradient of a scalar
 * loss L = Σ output ⊙ R (R seeded, ~ N(0, 1)) against central differences
 * (L(θ + ε) − L(θ − ε)) / 2ε, element by element, passing where |analytic − numeric| ≤
 * atol + rtol·|numeric|. The reported maximum relative error, |analytic − numeric| / max(|numeric|,
 * |analytic|), counts only elements where max(|numeric|, |analytic|) > atol (the rest count as 0):
 * a gradient that is truly ~0, as a conv bias before batch norm, would otherwise show ~1. Checked per layer in isolation (seeded random inputs through that layer
 * alone) and end to end (the network input and every parameter of every layer).
 *
 * Kinks: each non-smooth layer reports which branch every element took (relu's sign, a pool's
 * argmax...). An element whose ±ε evaluations took different branches than the unperturbed one
 * crossed a non-differentiable point: it is skipped with the reason, and the tensor's verdict is
 * decided by the remaining elements, so a kink never hides a real mismatch elsewhere.
 *
 * Fast mode (as torch's `fast_mode`): one random direction v per tensor, comparing ⟨∇L, v⟩ with
 * (L(θ + εv) − L(θ − εv)) / 2ε.
 */
import type { LayerRecord, NetworkAnalysis } from '../analysis/analyze.js';
import { concreteShape } from '../shape/dims.js';
import { type DType, type Tensor, allocate, clone, indexOf, numel } from '../tensor/tensor.js';
import { backwardLayer, forwardLayer, type LayerState } from './layer-run.js';
import { layerKey, lossOf, NetworkModel, type ForwardPass } from './network.js';
import { normalTensor, stream } from './random.js';
import type { Forwarded, Mode } from './types.js';

export interface GradcheckOptions {
    readonly seed: number;
    readonly dtype: DType;
    readonly mode: Mode;
    readonly eps: number;
    readonly atol: number;
    readonly rtol: number;
    /** Tensors up to this many elements are checked whole; beyond, a seeded sample of this size. */
    readonly maxElements: number;
    readonly fast: boolean;
    readonly batch?: number;
    readonly memoryBudget?: number;
    /** Which checks to run (default both). */
    readonly scopes?: ReadonlyArray<'layer' | 'network'>;
    /** The network inputs for the end-to-end check (default: seeded N(0, 1) samples). */
    readonly inputs?: readonly Tensor[];
    /** Called as work proceeds; return true to stop (the report then says it was cancelled). */
    readonly progress?: (done: number, total: number, what: string) => boolean | void;
}

export const GRADCHECK_DEFAULTS = { eps: 1e-6, atol: 1e-5, rtol: 1e-3, maxElements: 4096, dtype: 'float64', mode: 'train', seed: 0, fast: false } as const;

export type CheckStatus = 'passed' | 'failed' | 'skipped';

export interface TensorCheck {
    readonly scope: 'layer' | 'network';
    readonly layer: string;
    readonly op: string;
    readonly file: string;
    readonly line: number;
    readonly tensor: string;
    readonly elements: number;
    readonly checked: number;
    readonly maxAbsError: number;
    /** |analytic − numeric| / max(|numeric|, |analytic|) over elements whose max(|numeric|, |analytic|) > atol (0 when none). */
    readonly maxRelError: number;
    readonly worstIndex: number[];
    readonly status: CheckStatus;
    readonly note: string | null;
}

export interface GradcheckReport {
    readonly network: string;
    readonly dtype: DType;
    readonly seed: number;
    readonly eps: number;
    readonly atol: number;
    readonly rtol: number;
    readonly loss: string;
    readonly passed: boolean;
    readonly cancelled: boolean;
    readonly checks: TensorCheck[];
}

/** The elements to check: all, or a seeded sample without replacement. */
function pick(n: number, max: number, label: string, seed: number): number[] {
    if (n <= max) return Array.from({ length: n }, (_, i) => i);
    const rng = stream(seed, `gradcheck:sample:${label}`);
    const chosen = new Set<number>();
    // Floyd's algorithm: max distinct indices in [0, n).
    for (let j = n - max; j < n; j++) {
        const t = Math.floor(rng.uniform() * (j + 1));
        chosen.add(chosen.has(t) ? j : t);
    }
    return [...chosen].sort((a, b) => a - b);
}

function sameBranches(a: readonly Forwarded[], b: readonly Forwarded[], from: number): string | null {
    for (let i = from; i < a.length; i++) {
        const x = a[i]!.branch, y = b[i]!.branch;
        if (!x || !y) continue;
        if (x.length !== y.length) return a[i]!.kink ?? 'a non-differentiable point';
        for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return a[i]!.kink ?? 'a non-differentiable point';
    }
    return null;
}

interface Probe {
    /** Evaluates L with element `index` of the checked tensor shifted by `delta`; returns L and the tapes. */
    evaluate(index: number | Tensor, delta: number): { loss: number; tapes: readonly Forwarded[] };
    /** Layers whose branches can change (from this index on). */
    readonly from: number;
}

class Accumulator {
    private maxAbs = 0;
    private maxRel = 0;
    private worst = -1;
    private worstExcess = -Infinity;
    private failed = 0;
    private skipped = 0;
    private checked = 0;
    private kinks = new Set<string>();

    constructor(private readonly atol: number, private readonly rtol: number) {}

    add(index: number, analytic: number, numeric: number): void {
        this.checked++;
        const err = Math.abs(analytic - numeric);
        const excess = err - (this.atol + this.rtol * Math.abs(numeric));
        if (!(excess <= 0)) this.failed++;
        if (err > this.maxAbs || (err !== err)) this.maxAbs = err;
        // Relative error only where the gradient is above atol: for a true gradient of ~0 (a conv
        // bias before batch norm) err / max(|n|, |a|) is noise of order 1, not a measure of anything.
        const scale = Math.max(Math.abs(numeric), Math.abs(analytic));
        const rel = err === 0 || !(scale > this.atol) ? 0 : err / scale;
        if (rel > this.maxRel) this.maxRel = rel;
        if (excess > this.worstExcess || (excess !== excess && this.worst < 0)) {
            this.worstExcess = excess;
            this.worst = index;
        }
    }

    skip(reason: string): void {
        this.skipped++;
        this.kinks.add(reason);
    }

    result(base: Omit<TensorCheck, 'checked' | 'maxAbsError' | 'maxRelError' | 'worstIndex' | 'status' | 'note'>, shape: readonly number[], fast: boolean): TensorCheck {
        const notes: string[] = [];
        if (fast) notes.push('fast mode: one random projection');
        if (this.skipped > 0) notes.push(`${this.skipped} of ${this.checked + this.skipped} checked elements skipped: the finite-difference step crossed ${[...this.kinks].join(', ')}`);
        if (this.failed > 0) notes.push(`${this.failed} element${this.failed === 1 ? '' : 's'} outside atol + rtol·|numeric|`);
        const status: CheckStatus = this.failed > 0 ? 'failed' : this.checked === 0 ? 'skipped' : 'passed';
        return {
            ...base,
            checked: this.checked,
            maxAbsError: this.maxAbs,
            maxRelError: this.maxRel,
            worstIndex: this.worst >= 0 && !fast ? indexOf(shape, this.worst) : [],
            status,
            note: notes.length > 0 ? notes.join('; ') : null,
        };
    }
}

/** Checks one tensor (its analytic gradient `grad`) by central differences through `probe`. */
function checkTensor(
    probe: Probe, value: Tensor, grad: Tensor, base: readonly Forwarded[], label: string,
    meta: Omit<TensorCheck, 'elements' | 'checked' | 'maxAbsError' | 'maxRelError' | 'worstIndex' | 'status' | 'note' | 'tensor'> & { tensor: string },
    options: GradcheckOptions,
): TensorCheck {
    const acc = new Accumulator(options.atol, options.rtol);
    const n = numel(value.shape);
    const info = { ...meta, elements: n };
    if (n === 0) return acc.result(info, value.shape, options.fast);
    if (options.fast) {
        const v = normalTensor(stream(options.seed, `gradcheck:direction:${label}`), value.shape, { dtype: value.dtype });
        let norm = 0;
        for (const x of v.data) norm += x * x;
        norm = Math.sqrt(norm) || 1;
        for (let i = 0; i < v.data.length; i++) v.data[i] = v.data[i]! / norm;
        let analytic = 0;
        for (let i = 0; i < n; i++) analytic += grad.data[i]! * v.data[i]!;
        const plus = probe.evaluate(v, options.eps);
        const minus = probe.evaluate(v, -options.eps);
        const kink = sameBranches(base, plus.tapes, probe.from) ?? sameBranches(base, minus.tapes, probe.from);
        if (kink) acc.skip(kink);
        else acc.add(0, analytic, (plus.loss - minus.loss) / (2 * options.eps));
        return { ...acc.result(info, value.shape, true), checked: kink ? 0 : n };
    }
    for (const index of pick(n, options.maxElements, label, options.seed)) {
        const plus = probe.evaluate(index, options.eps);
        const minus = probe.evaluate(index, -options.eps);
        const kink = sameBranches(base, plus.tapes, probe.from) ?? sameBranches(base, minus.tapes, probe.from);
        if (kink) {
            acc.skip(kink);
            continue;
        }
        acc.add(index, grad.data[index]!, (plus.loss - minus.loss) / (2 * options.eps));
    }
    return acc.result(info, value.shape, false);
}

/**
 * Evaluates `f` with `t` shifted by delta at one element (in place, restored exactly afterwards,
 * so a check of a 48,000-element weight does not copy it twice per element) or along a
 * direction (fast mode: into a new tensor).
 */
function withShift<T>(t: Tensor, index: number | Tensor, delta: number, f: (shifted: Tensor) => T): T {
    if (typeof index !== 'number') {
        const data = allocate(t.dtype, t.data.length);
        const x = t.data, v = index.data;
        for (let i = 0; i < data.length; i++) data[i] = x[i]! + delta * v[i]!;
        return f({ shape: t.shape, data, dtype: t.dtype });
    }
    const original = t.data[index]!;
    t.data[index] = original + delta;
    try {
        return f(t);
    } finally {
        t.data[index] = original;
    }
}

/**
 * Reads every tape's branch pattern now: some are computed lazily from the layer's input, which
 * an in-place perturbation changes and then restores.
 */
function settled<T extends { readonly tapes: readonly Forwarded[] }>(evaluation: T): T {
    for (const tape of evaluation.tapes) void tape.branch;
    return evaluation;
}

function layerLabel(record: LayerRecord, index: number): string {
    return layerKey(record, index);
}

function metaOf(scope: 'layer' | 'network', record: LayerRecord, index: number, fileOf: (uri: string) => string) {
    return { scope, layer: layerLabel(record, index), op: record.op, file: fileOf(record.call.loc.file), line: record.call.loc.start.line + 1 };
}

/** Copies a layer state so perturbations never touch the model's (buffers included). */
function copyState(state: LayerState): LayerState {
    return { params: { ...state.params }, buffers: { ...state.buffers } };
}

export function gradcheck(network: NetworkAnalysis, options: GradcheckOptions, fileOf: (uri: string) => string = u => u): GradcheckReport {
    const model = new NetworkModel(network, { dtype: options.dtype, mode: options.mode, seed: options.seed, batch: options.batch, memoryBudget: options.memoryBudget });
    const scopes = options.scopes ?? ['layer', 'network'];
    const checks: TensorCheck[] = [];
    let cancelled = false;
    const total = (scopes.includes('layer') ? model.layers.length : 0) + (scopes.includes('network') ? model.layers.length + 1 : 0);
    let done = 0;
    const step = (what: string): boolean => {
        if (options.progress?.(done++, total, what) === true) cancelled = true;
        return cancelled;
    };

    if (scopes.includes('layer')) {
        for (let i = 0; i < model.layers.length && !cancelled; i++) {
            const record = model.layers[i]!;
            if (step(`layer ${layerLabel(record, i)}`)) break;
            checks.push(...checkLayer(model, i, options, fileOf));
        }
    }
    if (scopes.includes('network') && !cancelled) {
        checks.push(...checkNetwork(model, options, fileOf, step));
    }
    return {
        network: network.graph.name,
        dtype: options.dtype,
        seed: options.seed,
        eps: options.eps,
        atol: options.atol,
        rtol: options.rtol,
        loss: `sum(output * R), R ~ N(0,1) seed ${options.seed}`,
        passed: !cancelled && checks.every(c => c.status !== 'failed'),
        cancelled,
        checks,
    };
}

/** One layer alone: seeded N(0, 1) inputs of its shapes, its initialised parameters, L = Σ y ⊙ R. */
function checkLayer(model: NetworkModel, i: number, options: GradcheckOptions, fileOf: (uri: string) => string): TensorCheck[] {
    const record = model.layers[i]!;
    const key = model.keys[i]!;
    const runOptions = { mode: options.mode, rng: model.layerRng(i), bindings: model.bindings };
    const inputs = record.inputs.map((t, k) => normalTensor(stream(options.seed, `gradcheck:layer:${key}:input${k}`), concreteShape(t.shape, model.bindings), { dtype: options.dtype }));
    const state = copyState(model.states[i]!);
    const base = settled({ tapes: [forwardLayer(record, inputs, copyState(state), runOptions)] }).tapes[0]!;
    const R = normalTensor(stream(options.seed, `gradcheck:layer:${key}:R`), base.output.shape, { dtype: options.dtype });
    const grads = backwardLayer(record, inputs, copyState(state), runOptions, base, R);
    const meta = metaOf('layer', record, i, fileOf);
    const out: TensorCheck[] = [];
    // the unperturbed evaluation, for reforward; its inputs copied, as the probes shift them in place
    const earlier = { inputs: inputs.map(clone), forwarded: base };
    const run = (xs: readonly Tensor[], s: LayerState) => {
        const f = forwardLayer(record, xs, copyState(s), runOptions, earlier);
        return settled({ loss: lossOf(f.output, R), tapes: [f] });
    };
    record.inputs.forEach((_, k) => {
        const grad = grads.inputs[k];
        if (!grad) return;
        const probe: Probe = { from: 0, evaluate: (index, delta) => withShift(inputs[k]!, index, delta, x => run(inputs.map((y, m) => (m === k ? x : y)), state)) };
        out.push(checkTensor(probe, inputs[k]!, grad, [base], `layer:${key}:input${k}`, { ...meta, tensor: record.inputs.length > 1 ? `input${k}` : 'input' }, options));
    });
    for (const [name, value] of Object.entries(state.params)) {
        const grad = grads.params[name];
        if (!grad) continue;
        const probe: Probe = { from: 0, evaluate: (index, delta) => withShift(value, index, delta, v => run(inputs, { params: { ...state.params, [name]: v }, buffers: state.buffers })) };
        out.push(checkTensor(probe, value, grad, [base], `layer:${key}:${name}`, { ...meta, tensor: name }, options));
    }
    return out;
}

/**
 * End to end: the network input and every parameter, perturbations recomputing from their layer
 * on, each layer handed the unperturbed pass as its earlier evaluation (see NetworkModel.forward).
 */
function checkNetwork(model: NetworkModel, options: GradcheckOptions, fileOf: (uri: string) => string, step: (what: string) => boolean): TensorCheck[] {
    const inputs = options.inputs ? [...options.inputs] : model.sampleInputs();
    const R = model.lossWeights();
    /** Copies of the states of layers `from` on, the ones a pass from there evaluates. */
    const snapshot = (from = 0) => new Map(model.states.slice(from).map((s, k) => [from + k, copyState(s)]));
    // on copies of the inputs, as the input probes shift them in place
    const base: ForwardPass = settled(model.forward(inputs.map(clone), { states: snapshot() }));
    const grads = model.backward(base, R, { states: snapshot() });
    const out: TensorCheck[] = [];
    const first = model.layers[0]!;
    if (step('network input')) return out;
    model.network.inputs.forEach((input, k) => {
        const probe: Probe = {
            from: 0,
            evaluate: (index, delta) => {
                return withShift(inputs[k]!, index, delta, x => {
                    const pass = model.forward(inputs.map((y, m) => (m === k ? x : y)), { base, states: snapshot() });
                    return settled({ loss: lossOf(pass.output, R), tapes: pass.tapes });
                });
            },
        };
        out.push(checkTensor(probe, inputs[k]!, grads.inputs[k]!, base.tapes, `network:input:${input.name}`, { scope: 'network', layer: `input ${input.name}`, op: 'input', file: fileOf(first.call.loc.file), line: first.call.loc.start.line + 1, tensor: 'input' }, options));
    });
    for (let i = 0; i < model.layers.length; i++) {
        const record = model.layers[i]!;
        const params = model.states[i]!.params;
        if (Object.keys(params).length === 0) continue;
        if (step(`network ${layerLabel(record, i)}`)) break;
        for (const [name, value] of Object.entries(params)) {
            const probe: Probe = {
                from: i,
                evaluate: (index, delta) => {
                    return withShift(value, index, delta, v => {
                        const states = snapshot(i);
                        const s = states.get(i)!;
                        states.set(i, { params: { ...s.params, [name]: v }, buffers: s.buffers });
                        const pass = model.forward(inputs, { from: i, base, states });
                        return settled({ loss: lossOf(pass.output, R), tapes: pass.tapes });
                    });
                },
            };
            out.push(checkTensor(probe, value, grads.params[i]![name]!, base.tapes, `network:${model.keys[i]}:${name}`, { ...metaOf('network', record, i, fileOf), tensor: name }, options));
        }
    }
    return out;
}
