/**
 * PyTorch's default initialisation of conv, conv_transpose and linear layers (`reset_parameters`
 * of `_ConvNd` and `Linear`): `kaiming_uniform_(weight, a=√5)`, whose bound
 * gain·√(3 / fan_in) with gain = √(2 / (1 + a²)) = √(1/3) is exactly 1/√fan_in, and the bias
 * uniform on the same interval:
 *
 *     weight, bias ~ U(−1/√fan_in, 1/√fan_in),   fan_in = weight.shape[1] · ∏ weight.shape[2:]
 *
 * fan_in is read from the weight's storage shape as `_calculate_fan_in_and_fan_out` does: conv
 * [C_out, C_in/groups, *k] gives C_in/groups·∏k; conv_transpose [C_in, C_out/groups, *k] gives
 * C_out/groups·∏k (dimension 1 of the weight, not the input channels); linear [out, in] gives in.
 * A zero fan_in (only an empty weight has one) gives bound 0, as PyTorch's bias rule does.
 *
 * Every tensor is drawn from its own stream, `ctx.rng.derive(<tensor name>)`, one uniform per
 * element in C order (see random.ts), so adding a bias never shifts the weight's values.
 */
import { uniformTensor } from '../random.js';
import type { InitContext, Initialised } from '../types.js';
import { EngineError } from '../layer-run.js';
import type { Tensor } from '../../tensor/tensor.js';

/** 1/√fan_in for a weight of this storage shape (0 when fan_in is 0). */
export function fanInBound(weightShape: readonly number[]): number {
    let fanIn = 1;
    for (let i = 1; i < weightShape.length; i++) fanIn *= weightShape[i]!;
    return fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
}

/** `weight` and optional `bias` of a layer, as declared by the analysis, ~ U(−1/√fan_in, 1/√fan_in). */
export function fanInUniformInit(ctx: InitContext<unknown>): Initialised {
    const weight = ctx.weights.find(w => w.name === 'weight');
    if (!weight) throw new EngineError(`a layer initialised by fan-in has no weight (declared: ${ctx.weights.map(w => w.name).join(', ') || 'nothing'})`);
    const bound = fanInBound(weight.shape);
    const params: Record<string, Tensor> = {};
    for (const w of ctx.weights) {
        params[w.name] = uniformTensor(ctx.rng.derive(w.name), w.shape, { low: -bound, high: bound, dtype: ctx.dtype });
    }
    return { params };
}

/** The `weight` and (when the layer has one) `bias` a forward or backward was given. */
export function weightAndBias(params: Readonly<Record<string, Tensor>>, withBias: boolean, layer: string): { weight: Tensor; bias: Tensor | null } {
    const weight = params['weight'];
    const bias = params['bias'];
    if (!weight) throw new EngineError(`${layer} was run without its weight`);
    if (withBias && !bias) throw new EngineError(`${layer} (bias=true) was run without its bias`);
    return { weight, bias: withBias ? bias! : null };
}

/** Gradients by parameter name: `weight`, and `bias` when there is one. */
export function weightAndBiasGrads(dw: Tensor, db: Tensor | null): Record<string, Tensor> {
    return db ? { weight: dw, bias: db } : { weight: dw };
}
