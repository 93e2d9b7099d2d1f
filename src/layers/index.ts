/**
 * The layer registry: every layer of the catalog, by the name users call it with. Adding a layer
 * is one module in this folder plus its line here; completion, hover, validation, hints and the
 * analysis read it from here.
 */
import { convLayers } from './conv.js';
import { convTransposeLayers } from './conv_transpose.js';
import { maxPoolLayers } from './max_pool.js';
import { avgPoolLayers } from './avg_pool.js';
import { adaptivePoolLayers } from './adaptive_pool.js';
import { batchNormLayers } from './batch_norm.js';
import { localResponseNorm } from './local_response_norm.js';
import { layerNorm } from './layer_norm.js';
import { groupNorm } from './group_norm.js';
import { relu } from './relu.js';
import { relu6 } from './relu6.js';
import { hardtanh } from './hardtanh.js';
import { leakyRelu } from './leaky_relu.js';
import { elu } from './elu.js';
import { gelu } from './gelu.js';
import { sigmoid } from './sigmoid.js';
import { tanh } from './tanh.js';
import { softmax } from './softmax.js';
import { logSoftmax } from './log_softmax.js';
import { flatten } from './flatten.js';
import { linear } from './linear.js';
import { dropout } from './dropout.js';
import { upsample } from './upsample.js';
import { identity } from './identity.js';
import { add } from './add.js';
import { mul } from './mul.js';
import { concat } from './concat.js';
import type { Earlier, LayerContext, LayerDef, LayerResult, Schema } from './types.js';
import type { Forwarded, ForwardContext, LayerCompute } from '../engine/types.js';

/** A layer seen without its schema's literal types (what the analysis and the server handle). */
export interface AnyLayer extends Omit<LayerDef<Schema>, 'infer' | 'init' | 'forward' | 'backward' | 'reforward'>, Partial<LayerCompute<Record<string, unknown>>> {
    infer(ctx: LayerContext<Record<string, unknown>>): LayerResult | undefined;
    reforward?(ctx: ForwardContext<Record<string, unknown>>, earlier: Earlier): Forwarded;
}

const all = [
    ...convLayers,
    ...convTransposeLayers,
    ...maxPoolLayers,
    ...avgPoolLayers,
    ...adaptivePoolLayers,
    ...batchNormLayers,
    localResponseNorm,
    layerNorm,
    groupNorm,
    relu,
    relu6,
    hardtanh,
    leakyRelu,
    elu,
    gelu,
    sigmoid,
    tanh,
    softmax,
    logSoftmax,
    flatten,
    linear,
    dropout,
    upsample,
    identity,
    add,
    mul,
    concat,
] as unknown as readonly AnyLayer[];

export const layers: ReadonlyMap<string, AnyLayer> = new Map(all.map(l => [l.name, l]));

export function getLayer(name: string): AnyLayer | undefined {
    return layers.get(name);
}
