/**
 * Runs one analysed layer call on concrete tensors: the analysis supplies the resolved
 * arguments and the output shape, the layer module the arithmetic. The network runner and the
 * per-layer gradient checks both go through here, so every evaluation asserts that the engine
 * produced exactly the shape the analysis promised.
 */
import type { LayerRecord } from '../analysis/analyze.js';
import type { Earlier } from '../layers/types.js';
import { concreteShape } from '../shape/dims.js';
import { formatShape, type Tensor } from '../tensor/tensor.js';
import { kernels as currentKernels, type Kernels } from './kernels/index.js';
import type { Rng } from './random.js';
import type { Forwarded, Gradients, Mode } from './types.js';

export class EngineError extends Error {}

export interface LayerState {
    readonly params: Readonly<Record<string, Tensor>>;
    readonly buffers: Record<string, Tensor>;
}

export interface RunOptions {
    readonly mode: Mode;
    readonly rng: Rng;
    /** Values of the symbolic dims (the batch). */
    readonly bindings: ReadonlyMap<string, number>;
    readonly kernels?: Kernels;
}

function computeOf(record: LayerRecord) {
    const { layer } = record;
    if (!layer.forward || !layer.backward) throw new EngineError(`${layer.name} has no forward/backward in the engine yet`);
    return { forward: layer.forward.bind(layer), backward: layer.backward.bind(layer) };
}

/**
 * The layer's forward — or, given an `earlier` evaluation of the same call (its inputs still
 * holding their values), its `reforward` where it has one, recomputing only where the inputs changed.
 */
export function forwardLayer(record: LayerRecord, inputs: readonly Tensor[], state: LayerState, options: RunOptions, earlier?: Earlier): Forwarded {
    const outShape = concreteShape(record.output.shape, options.bindings);
    const ctx = {
        args: record.args as Record<string, unknown>,
        inputs,
        params: state.params,
        buffers: state.buffers,
        mode: options.mode,
        kernels: options.kernels ?? currentKernels(),
        outShape,
        rng: options.rng,
    };
    const { layer } = record;
    const result = earlier && layer.reforward ? layer.reforward(ctx, earlier) : computeOf(record).forward(ctx);
    const shape = result.output.shape;
    if (shape.length !== outShape.length || shape.some((d, i) => d !== outShape[i])) {
        throw new EngineError(`${record.op} (line ${record.call.loc.start.line + 1}) produced ${formatShape(shape)} but the analysis computed ${formatShape(outShape)}`);
    }
    return result;
}

export function backwardLayer(record: LayerRecord, inputs: readonly Tensor[], state: LayerState, options: RunOptions, forwarded: Forwarded, gradOutput: Tensor): Gradients {
    const grads = computeOf(record).backward({
        args: record.args as Record<string, unknown>,
        inputs,
        params: state.params,
        buffers: state.buffers,
        mode: options.mode,
        kernels: options.kernels ?? currentKernels(),
        outShape: forwarded.output.shape,
        rng: options.rng,
        output: forwarded.output,
        saved: forwarded.saved,
        gradOutput,
    });
    grads.inputs.forEach((g, i) => {
        const x = inputs[i]!;
        if (g && (g.shape.length !== x.shape.length || g.shape.some((d, k) => d !== x.shape[k]))) {
            throw new EngineError(`${record.op} (line ${record.call.loc.start.line + 1}) gave a gradient ${formatShape(g.shape)} for an input ${formatShape(x.shape)}`);
        }
    });
    return grads;
}
