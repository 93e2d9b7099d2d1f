/**
 * How a layer computes, next to its shape rule in the same module: PyTorch's default parameter
 * initialisation, the forward pass, and the backward pass (gradients for every input and every
 * parameter). Layers call only the `Kernels` interface for heavy loops, so faster kernels can
 * replace the plain-TypeScript ones without touching layer code.
 */
import type { DType, Tensor } from '../tensor/tensor.js';
import type { Kernels } from './kernels/index.js';
import type { Rng } from './random.js';

export type Mode = 'train' | 'eval';

export interface InitContext<A> {
    readonly args: A;
    /** The learnable tensors the analysis declared for this call (LayerResult.weights). */
    readonly weights: ReadonlyArray<{ readonly name: string; readonly shape: readonly number[] }>;
    readonly inputShapes: ReadonlyArray<readonly number[]>;
    readonly dtype: DType;
    /** This layer's parameter stream; derive one per tensor (`rng.derive('weight')`). */
    readonly rng: Rng;
}

export interface Initialised {
    readonly params: Readonly<Record<string, Tensor>>;
    /** Non-learnable state (batch norm's running_mean, running_var). */
    readonly buffers?: Readonly<Record<string, Tensor>>;
}

export interface ForwardContext<A> {
    readonly args: A;
    readonly inputs: readonly Tensor[];
    readonly params: Readonly<Record<string, Tensor>>;
    /** Mutable state; a training-mode forward may replace entries (running statistics). */
    readonly buffers: Record<string, Tensor>;
    readonly mode: Mode;
    readonly kernels: Kernels;
    /** The output shape the analysis computed (the symbolic batch made concrete). */
    readonly outShape: readonly number[];
    /** A stream for this call's randomness (dropout masks); the same for every evaluation of a run. */
    readonly rng: Rng;
}

export interface Forwarded {
    readonly output: Tensor;
    /** Whatever backward needs (masks, indices, normalised values...). */
    readonly saved?: unknown;
    /**
     * For non-smooth layers: which branch each element took (relu's sign, a pool's argmax...). A
     * gradient check compares it between the +ε and −ε evaluations to tell a step that crossed a
     * kink from a real mismatch.
     */
    readonly branch?: ArrayLike<number>;
    /** Why a branch change makes finite differences meaningless, e.g. "relu at 0". */
    readonly kink?: string;
}

export interface BackwardContext<A> extends ForwardContext<A> {
    readonly output: Tensor;
    readonly saved: unknown;
    readonly gradOutput: Tensor;
}

export interface Gradients {
    /** One per input (null where an input needs none). */
    readonly inputs: ReadonlyArray<Tensor | null>;
    /** One per parameter, by name. */
    readonly params: Readonly<Record<string, Tensor>>;
}

/** The engine part of a layer definition (see LayerDef). */
export interface LayerCompute<A> {
    /** PyTorch's default initialisation (omit for layers without parameters or buffers). */
    init?(ctx: InitContext<A>): Initialised;
    forward(ctx: ForwardContext<A>): Forwarded;
    backward(ctx: BackwardContext<A>): Gradients;
}
