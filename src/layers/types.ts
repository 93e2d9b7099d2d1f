/**
 * What a layer is, for every feature that reads it: its argument schema (with docs and defaults),
 * and `infer`, which checks the arguments against the input shapes and returns the output shape,
 * parameter count, multiply-accumulates and receptive-field rule, reporting problems as values.
 */
import type { RfRule } from '../shape/receptive-field.js';
import type { Forwarded, ForwardContext, LayerCompute } from '../engine/types.js';
import type { Tensor } from '../tensor/tensor.js';

/** A dimension: a size, or the name of a symbolic batch (`N`), possibly a product (`N·3`). */
export type Dim = number | string;
export type Shape = readonly Dim[];

export type Severity = 'error' | 'warning' | 'information';

export type Family = 'convolution' | 'transposed' | 'pooling' | 'adaptive' | 'normalisation' | 'activation' | 'shape' | 'merge';

/** How an argument's value is read. `rank` is the layer's spatial rank where tuples need one entry per axis. */
export type ArgType =
    | { readonly kind: 'int'; readonly min?: number; readonly nullable?: boolean }
    | { readonly kind: 'float'; readonly min?: number; readonly max?: number; readonly nullable?: boolean }
    | { readonly kind: 'bool'; readonly nullable?: boolean }
    | { readonly kind: 'enum'; readonly values: readonly string[]; readonly nullable?: boolean }
    /**
     * an int or a tuple with one int per spatial axis (kernel_size, stride, dilation...).
     * `single`: a 1-tuple also stands for the int, as PyTorch's C++ ops expand it (conv's stride,
     * pooling's kernel_size...; not conv's kernel_size, which shapes the weight).
     */
    | { readonly kind: 'ints'; readonly min: number; readonly nullable?: boolean; readonly single?: boolean }
    /**
     * an int, a tuple per spatial axis, 'same' or 'valid'. `single` as for 'ints'; `channelEntry`
     * also accepts one more leading entry, for the channel axis (conv with a padding_mode other
     * than 'zeros' hands the reversed tuple to F.pad); the layer decides what it allows.
     */
    | { readonly kind: 'padding'; readonly strings: boolean; readonly single?: boolean; readonly channelEntry?: boolean }
    /** an int or a tuple per spatial axis whose entries may be None (adaptive pooling) */
    | { readonly kind: 'outputSize' }
    /** an int or a tuple of ints of any length (layer_norm's normalized_shape, upsample's size) */
    | { readonly kind: 'shape'; readonly nullable?: boolean }
    /** a float or a tuple of floats per spatial axis (upsample's scale_factor) */
    | { readonly kind: 'floats'; readonly nullable?: boolean }
    /** tensors, for merges (variadic positional) */
    | { readonly kind: 'tensors' };

export interface ArgSpec {
    readonly name: string;
    readonly type: ArgType;
    /** The default as the user would write it; absent = required. */
    readonly default?: string;
    readonly doc: string;
    /** Accepted and ignored (e.g. `inplace`), kept so PyTorch habits carry over. */
    readonly ignored?: boolean;
    /** Only checked against the input, never needed (`in_channels`, `in_features`). */
    readonly check?: boolean;
}

export type Padding =
    /** `written`: the tuple's length as written (absent for an int); `channel`: a leading channel entry. */
    | { readonly mode: 'explicit'; readonly values: readonly number[]; readonly written?: number; readonly channel?: number }
    | { readonly mode: 'same' }
    | { readonly mode: 'valid' };

/** The TypeScript value an argument of each kind resolves to. */
export type ValueOf<T extends ArgType> = T extends { kind: 'int' } ? NullableIf<T, number>
    : T extends { kind: 'float' } ? NullableIf<T, number>
    : T extends { kind: 'bool' } ? NullableIf<T, boolean>
    : T extends { kind: 'enum' } ? NullableIf<T, string>
    : T extends { kind: 'ints' } ? NullableIf<T, number[]>
    : T extends { kind: 'padding' } ? Padding
    : T extends { kind: 'outputSize' } ? Array<number | null>
    : T extends { kind: 'shape' } ? NullableIf<T, number[]>
    : T extends { kind: 'floats' } ? NullableIf<T, number[]>
    : T extends { kind: 'tensors' } ? Shape[]
    : never;
type NullableIf<T, V> = T extends { nullable: true } ? V | null : V;

export type Schema = readonly ArgSpec[];
export type ArgsOf<S extends Schema> = { [K in S[number] as K['name']]: ValueOf<K['type']> };

export interface LayerIssue {
    readonly severity: Severity;
    readonly code: string;
    readonly message: string;
    /** The argument the issue is about; the call when absent. `input` for the input tensor. */
    readonly arg?: string;
}

export interface LayerContext<A> {
    readonly args: A;
    /** Which arguments the user wrote (the rest are defaults). */
    readonly given: ReadonlySet<string>;
    /** The input (the first one, for merges). */
    readonly input: Shape;
    readonly inputs: readonly Shape[];
    /** Per input, how many trailing spatial axes it carries (its receptive field's; 0 after flatten or linear). */
    readonly spatialAxes: readonly number[];
    readonly batchSymbolic: boolean;
    error(code: string, message: string, arg?: string): void;
    warning(code: string, message: string, arg?: string): void;
    information(code: string, message: string, arg?: string): void;
}

export interface LayerResult {
    readonly shape: Shape;
    readonly params: number;
    /** Multiply-accumulates of conv, transposed conv and linear (bias excluded); 0 otherwise. */
    readonly macs: number;
    readonly rf: RfRule;
    /** Lines for hover: the formula with the numbers substituted. */
    readonly explain: readonly string[];
    /** Arguments whose value depends on the input or other arguments, resolved (pooling's stride = kernel_size). */
    readonly resolved?: Readonly<Record<string, unknown>>;
    /** Learnable tensors and their shapes, for docs and the engine. */
    readonly weights?: ReadonlyArray<{ readonly name: string; readonly shape: readonly number[] }>;
}

export interface LayerDef<S extends Schema = Schema> extends Partial<LayerCompute<ArgsOf<S>>> {
    readonly name: string;
    readonly family: Family;
    /** The PyTorch equivalent, e.g. `torch.nn.Conv2d`. */
    readonly torch: string;
    /** One line, then details (Markdown). */
    readonly doc: string;
    readonly args: S;
    /** Spatial rank where the layer has one (conv2d: 2). */
    readonly rank?: number;
    /** A usage line for docs and completion. */
    readonly example: string;
    /** Returns undefined after reporting an error. */
    infer(ctx: LayerContext<ArgsOf<S>>): LayerResult | undefined;
    /**
     * Forward again after an `earlier` evaluation of the same call, with inputs that may differ
     * from its inputs in some elements (a gradient check's ±ε passes): returns exactly what
     * `forward` would, recomputing only where the inputs changed. Layers without parameters or
     * buffers only.
     */
    reforward?(ctx: ForwardContext<ArgsOf<S>>, earlier: Earlier): Forwarded;
}

/** An earlier evaluation of a layer call: its inputs, still holding their values, and its result. */
export interface Earlier {
    readonly inputs: readonly Tensor[];
    readonly forwarded: Forwarded;
}

/** Declares a layer with its schema's literal types kept. */
export function defineLayer<const S extends Schema>(def: LayerDef<S>): LayerDef<S> {
    return def;
}
