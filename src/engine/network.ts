/**
 * Network execution over the analysed graph: every primitive layer after block expansion, in
 * evaluation order, reading and writing tensors by the analysis' ids. The forward pass keeps
 * what backward needs; reverse-mode backward accumulates gradients where a tensor fans out.
 *
 * Reproducibility: a run is determined by (file, network, seed, dtype, mode, batch). Streams
 * (src/engine/random.ts): `input:<name>` for sample inputs ~ N(0, 1), `param:<key>` for each
 * layer's initialisation (PyTorch's default schemes), `layer:<key>` for a layer's own randomness
 * (dropout masks; the same for every evaluation of one run), `loss:R` for the loss weights R.
 */
import type { LayerRecord, NetworkAnalysis, Tensor as AnalysedTensor } from '../analysis/analyze.js';
import { concreteShape, formatShape as formatDims } from '../shape/dims.js';
import { type DType, type Tensor, allocate, formatShape, numel, tensor } from '../tensor/tensor.js';
import { kernels as currentKernels, type Kernels } from './kernels/index.js';
import { backwardLayer, EngineError, forwardLayer, type LayerState } from './layer-run.js';
import { normalTensor, stream, type Rng } from './random.js';
import type { Forwarded, Mode } from './types.js';

export { EngineError };

export const DEFAULT_MEMORY_BUDGET = 2 * 1024 ** 3;

export interface ModelOptions {
    readonly dtype: DType;
    readonly mode: Mode;
    readonly seed: number;
    /** The value of the symbolic batch (default 1). */
    readonly batch?: number;
    /** Bytes a run may allocate (activations, gradients, parameters); default 2 GiB. */
    readonly memoryBudget?: number;
    readonly kernels?: Kernels;
}

/** A stable name for a layer of a network: `07_conv2d` or `04_max_pool2d_stem`. */
export function layerKey(record: LayerRecord, index: number): string {
    return `${String(index + 1).padStart(2, '0')}_${record.op}${record.name ? `_${record.name}` : ''}`;
}

export interface ForwardPass {
    /** Every tensor's value by analysis id. */
    readonly values: Map<number, Tensor>;
    /** Per layer, what its forward returned (saved values, branch patterns). */
    readonly tapes: Forwarded[];
    readonly output: Tensor;
}

export interface BackwardPass {
    /** ∂L/∂(each tensor), by id; tensors off the path to the output have none. */
    readonly grads: Map<number, Tensor>;
    /** Per layer, ∂L/∂(each parameter). */
    readonly params: Array<Record<string, Tensor>>;
    /** Per network input, in declaration order. */
    readonly inputs: Tensor[];
}

export class NetworkModel {
    readonly layers: readonly LayerRecord[];
    readonly keys: readonly string[];
    readonly states: LayerState[];
    readonly bindings: ReadonlyMap<string, number>;
    readonly inputShapes: ReadonlyArray<readonly number[]>;
    readonly outputShape: readonly number[];
    private readonly kernels: Kernels;
    private readonly rngs: Rng[] = [];

    constructor(readonly network: NetworkAnalysis, readonly options: ModelOptions) {
        if (network.incomplete || network.outputs.length === 0) {
            throw new EngineError(`network ${network.graph.name} has errors: run \`convscope check\` and fix them first`);
        }
        this.layers = network.layers;
        this.keys = network.layers.map(layerKey);
        const bindings = new Map<string, number>();
        const batch = options.batch ?? 1;
        for (const input of network.inputs) for (const d of input.tensor.shape) if (typeof d === 'string' && !d.includes('·')) bindings.set(d, batch);
        this.bindings = bindings;
        this.inputShapes = network.inputs.map(i => concreteShape(i.tensor.shape, bindings));
        this.outputShape = concreteShape(network.outputs[0]!.tensor.shape, bindings);
        this.kernels = options.kernels ?? currentKernels();
        checkMemory(network, this, options);
        this.states = this.layers.map((record, i) => initLayer(record, this.keys[i]!, options, bindings));
    }

    get dtype(): DType {
        return this.options.dtype;
    }

    /** Sample inputs ~ N(0, 1) from the seeded stream `input:<name>`. */
    sampleInputs(): Tensor[] {
        return this.network.inputs.map((input, i) => normalTensor(stream(this.options.seed, `input:${input.name}`), this.inputShapes[i]!, { dtype: this.options.dtype }));
    }

    /** The loss weights R ~ N(0, 1) of L = Σ output ⊙ R (stream `loss:R`). */
    lossWeights(): Tensor {
        return normalTensor(stream(this.options.seed, 'loss:R'), this.outputShape, { dtype: this.options.dtype });
    }

    /**
     * Layer `index`'s stream `layer:<key>`, one instance for the model's lifetime: layers derive
     * sub-streams from it (`rng.derive('mask')`) and never draw from it, so every evaluation sees
     * the same randomness without hashing the label again.
     */
    layerRng(index: number): Rng {
        return (this.rngs[index] ??= stream(this.options.seed, `layer:${this.keys[index]}`));
    }

    /** Checks a user-given input against the declared shape (batch bound to its value). */
    checkInput(index: number, t: Tensor, where: string): void {
        const want = this.inputShapes[index]!;
        const declared = this.network.inputs[index]!.tensor.shape;
        if (t.shape.length !== want.length || t.shape.some((d, i) => d !== want[i] && typeof declared[i] === 'number')) {
            throw new EngineError(`${where}: shape ${formatShape(t.shape)} does not match the declared input ${this.network.inputs[index]!.name}: ${formatDims(declared)}`);
        }
    }

    /**
     * Forward from layer `from` on (default 0), reusing the values of `base`, an earlier pass
     * whose tensors still hold their values, for tensors computed before it — a perturbation of
     * layer k's parameters recomputes only layers k, k+1, ... — and handing layers from `from` on
     * their earlier evaluation, so those that can recompute only where their inputs changed.
     * `states` overrides layer states (perturbed parameters) without touching the model's.
     */
    forward(inputs: readonly Tensor[], options: { from?: number; base?: ForwardPass; states?: ReadonlyMap<number, LayerState>; mode?: Mode; onLayer?: (index: number) => void } = {}): ForwardPass {
        const from = options.from ?? 0;
        const base = options.base;
        const values = new Map<number, Tensor>();
        const tapes: Forwarded[] = [];
        if (from > 0 && base) {
            for (const [id, t] of base.values) values.set(id, t);
            for (let i = 0; i < from; i++) tapes.push(base.tapes[i]!);
        } else {
            this.network.inputs.forEach((input, i) => values.set(input.tensor.id, inputs[i]!));
        }
        const start = base ? from : 0;
        for (let i = start; i < this.layers.length; i++) {
            const record = this.layers[i]!;
            options.onLayer?.(i);
            const args = record.inputs.map(t => this.value(values, t, record));
            const state = options.states?.get(i) ?? this.states[i]!;
            const earlier = base && { inputs: record.inputs.map(t => this.value(base.values, t, record)), forwarded: base.tapes[i]! };
            const forwarded = forwardLayer(record, args, state, { mode: options.mode ?? this.options.mode, rng: this.layerRng(i), bindings: this.bindings, kernels: this.kernels }, earlier);
            values.set(record.output.id, forwarded.output);
            tapes[i] = forwarded;
        }
        const output = values.get(this.network.outputs[0]!.tensor.id);
        if (!output) throw new EngineError('the network output was not computed');
        return { values, tapes, output };
    }

    private value(values: Map<number, Tensor>, t: AnalysedTensor, record: LayerRecord): Tensor {
        const v = values.get(t.id);
        if (!v) throw new EngineError(`${record.op} (line ${record.call.loc.start.line + 1}) reads a tensor that was not computed`);
        return v;
    }

    /** Reverse-mode backward of L with ∂L/∂output = `gradOutput`. */
    backward(pass: ForwardPass, gradOutput: Tensor, options: { states?: ReadonlyMap<number, LayerState>; mode?: Mode; onLayer?: (index: number) => void } = {}): BackwardPass {
        const grads = new Map<number, Tensor>();
        grads.set(this.network.outputs[0]!.tensor.id, gradOutput);
        const params: Array<Record<string, Tensor>> = this.layers.map(() => ({}));
        for (let i = this.layers.length - 1; i >= 0; i--) {
            const record = this.layers[i]!;
            options.onLayer?.(i);
            const state = options.states?.get(i) ?? this.states[i]!;
            const dy = grads.get(record.output.id);
            if (!dy) {
                for (const [name, p] of Object.entries(state.params)) params[i]![name] = tensor(allocate(p.dtype, numel(p.shape)), p.shape);
                continue;
            }
            const inputs = record.inputs.map(t => this.value(pass.values, t, record));
            const g = backwardLayer(record, inputs, state, { mode: options.mode ?? this.options.mode, rng: this.layerRng(i), bindings: this.bindings, kernels: this.kernels }, pass.tapes[i]!, dy);
            params[i] = { ...g.params };
            record.inputs.forEach((t, k) => {
                const gi = g.inputs[k];
                if (gi) accumulate(grads, t.id, gi);
            });
        }
        const inputs = this.network.inputs.map((input, i) => grads.get(input.tensor.id) ?? tensor(allocate(this.options.dtype, numel(this.inputShapes[i]!)), this.inputShapes[i]!));
        return { grads, params, inputs };
    }
}

/** Adds `g` into the gradient of tensor `id` (a tensor that fans out receives several). */
function accumulate(grads: Map<number, Tensor>, id: number, g: Tensor): void {
    const existing = grads.get(id);
    if (!existing) {
        grads.set(id, g);
        return;
    }
    const sum = allocate(existing.dtype, existing.data.length);
    const a = existing.data, b = g.data;
    for (let i = 0; i < sum.length; i++) sum[i] = a[i]! + b[i]!;
    grads.set(id, tensor(sum, existing.shape));
}

function initLayer(record: LayerRecord, key: string, options: ModelOptions, bindings: ReadonlyMap<string, number>): LayerState {
    const layer = record.layer;
    if (!layer.forward || !layer.backward) throw new EngineError(`${layer.name} cannot run yet: the engine has no forward/backward for it`);
    if (record.weights.length === 0 && !layer.init) return { params: {}, buffers: {} };
    if (!layer.init) throw new EngineError(`${layer.name} declares parameters but has no initialisation`);
    const init = layer.init({
        args: record.args as Record<string, unknown>,
        weights: record.weights,
        inputShapes: record.inputs.map(t => concreteShape(t.shape, bindings)),
        dtype: options.dtype,
        rng: stream(options.seed, `param:${key}`),
    });
    return { params: { ...init.params }, buffers: { ...(init.buffers ?? {}) } };
}

/**
 * Stops a run before it allocates beyond the budget: activations and their gradients (all kept
 * for backward), parameters with their gradients, counted layer by layer in evaluation order.
 */
function checkMemory(network: NetworkAnalysis, model: NetworkModel, options: ModelOptions): void {
    const budget = options.memoryBudget ?? DEFAULT_MEMORY_BUDGET;
    const bytes = options.dtype === 'float64' ? 8 : 4;
    let total = model.inputShapes.reduce((s, shape) => s + 2 * numel(shape) * bytes, 0);
    for (let i = 0; i < network.layers.length; i++) {
        const record = network.layers[i]!;
        const out = numel(concreteShape(record.output.shape, model.bindings));
        const params = record.weights.reduce((s, w) => s + numel(w.shape), 0);
        total += (2 * out + 3 * params) * bytes;
        if (total > budget) {
            throw new EngineError(`the run would need more than ${formatBytes(budget)} (the memory budget) by layer ${layerKey(record, i)} (line ${record.call.loc.start.line + 1}, output ${formatDims(record.output.shape)}): ${formatBytes(total)} so far; lower the batch or input size, or raise the budget`);
        }
    }
}

export function formatBytes(n: number): string {
    if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`;
    if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
    if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
    return `${n} B`;
}

/** L = Σ output ⊙ R, accumulated in float64. */
export function lossOf(output: Tensor, R: Tensor): number {
    let s = 0;
    const a = output.data, b = R.data;
    for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
    return s;
}
