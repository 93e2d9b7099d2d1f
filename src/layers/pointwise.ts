/**
 * The shared shape of pointwise layers (activations, dropout, identity): the output has the input's
 * shape, no parameters, no MACs, and the receptive field passes through. A layer module gives its
 * schema, docs, an optional argument check and the formula shown on hover — and, to compute, either
 * `elementwise` (f and f′ once; forward, reforward and backward follow) or its own
 * `forward`/`backward`.
 */
import { formatShape } from '../shape/dims.js';
import { type Tensor, clone, zeros } from '../tensor/tensor.js';
import type { Forwarded, ForwardContext, LayerCompute } from '../engine/types.js';
import { defineLayer, type ArgsOf, type Earlier, type Family, type LayerContext, type LayerDef, type Schema } from './types.js';

/**
 * A scalar function and its derivative: all an elementwise layer needs to run forward and backward.
 * Evaluated in float64 whatever the dtype (a float32 result is rounded once, on store).
 */
export interface Elementwise {
    /** y = f(x) */
    f(x: number): number;
    /**
     * dy/dx at x, given also y = f(x) in float64 (PyTorch's sigmoid and tanh backward read the
     * output; a float32 output would lose digits in their 1 − y²). At a kink: the one-sided value
     * PyTorch's backward uses there.
     */
    df(x: number, y: number): number;
    /**
     * Piecewise functions: the piece x lies in, numbered along the real line; a kink point belongs
     * to the piece whose derivative PyTorch uses there (relu's 0 to the flat piece). Forward returns
     * these as `branch`, so a gradient check can see a finite-difference step cross a kink.
     */
    piece?(x: number): number;
    /** Why a change of piece breaks finite differences, e.g. "relu at 0". */
    readonly kink?: string;
}

export interface PointwiseSpec<S extends Schema> extends Partial<LayerCompute<ArgsOf<S>>> {
    readonly name: string;
    readonly torch: string;
    readonly doc: string;
    readonly example: string;
    readonly args: S;
    readonly family?: Family;
    /** The formula with the arguments substituted, for hover. */
    formula(args: ArgsOf<S>): string;
    /** Reports bad argument combinations; false stops the analysis of the call. */
    check?(ctx: LayerContext<ArgsOf<S>>): boolean;
    /** The scalar function, for layers that are one (forward and backward are derived from it). */
    elementwise?(args: ArgsOf<S>): Elementwise;
}

export function pointwiseLayer<const S extends Schema>(spec: PointwiseSpec<S>): LayerDef<S> {
    const { init, forward, backward, elementwise } = spec;
    const compute: Pick<LayerDef<S>, 'init' | 'forward' | 'backward' | 'reforward'> = elementwise ? elementwiseCompute(elementwise) : { init, forward, backward };
    return defineLayer({
        ...compute,
        name: spec.name,
        family: spec.family ?? 'activation',
        torch: spec.torch,
        doc: spec.doc,
        example: spec.example,
        args: spec.args,
        infer(ctx) {
            if (spec.check && !spec.check(ctx)) return undefined;
            return {
                shape: ctx.input,
                params: 0,
                macs: 0,
                rf: { kind: 'identity' },
                explain: [spec.formula(ctx.args), `elementwise: the shape is unchanged, ${formatShape(ctx.input)}`],
            };
        },
    });
}

/** The `inplace` flag PyTorch's modules take; accepted and ignored (the analysis has no memory aliasing). */
export const inplaceArg = {
    name: 'inplace', type: { kind: 'bool' }, default: 'false', ignored: true,
    doc: 'Accepted for PyTorch compatibility and ignored: it only changes memory use, not the result.',
} as const;

/** A number as a user would read it in a formula: 1e-4, 0.75, 1.0. */
export function fmtNum(x: number): string {
    if (Number.isInteger(x)) return x.toFixed(1);
    const abs = Math.abs(x);
    if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return x.toExponential().replace(/\.?0+e/, 'e').replace('e+', 'e');
    return String(Math.round(x * 1e6) / 1e6);
}

/** Whether two numbers are the same float, telling −0 from 0 (NaN never is: it is recomputed). */
function same(a: number, b: number): boolean {
    return a === b && (a !== 0 || 1 / a === 1 / b);
}

/**
 * y = f(x) on the first input; with an earlier evaluation, f only where x changed (the rest of
 * the earlier output is exactly what f would give again).
 */
function evaluate<A>(e: Elementwise, ctx: ForwardContext<A>, earlier?: Earlier): Forwarded {
    const x = ctx.inputs[0]!;
    const xd = x.data;
    let y: Tensor;
    if (earlier) {
        y = clone(earlier.forwarded.output);
        const yd = y.data;
        const x0 = earlier.inputs[0]!.data;
        for (let i = 0; i < xd.length; i++) {
            const v = xd[i]!;
            if (!same(v, x0[i]!)) yd[i] = e.f(v);
        }
    } else {
        y = zeros(x.shape, x.dtype);
        const yd = y.data;
        for (let i = 0; i < xd.length; i++) yd[i] = e.f(xd[i]!);
    }
    const piece = e.piece;
    if (!piece) return { output: y };
    // computed on first read: only gradient checks look at it
    let branch: Int8Array | undefined;
    return {
        output: y,
        kink: e.kink,
        get branch(): Int8Array {
            if (!branch) {
                branch = new Int8Array(xd.length);
                for (let i = 0; i < xd.length; i++) branch[i] = piece(xd[i]!);
            }
            return branch;
        },
    };
}

/** Forward, reforward and backward of y = f(x), elementwise, on the first input. */
export function elementwiseCompute<A>(make: (args: A) => Elementwise): LayerCompute<A> & { reforward(ctx: ForwardContext<A>, earlier: Earlier): Forwarded } {
    return {
        forward: ctx => evaluate(make(ctx.args), ctx),
        reforward: (ctx, earlier) => evaluate(make(ctx.args), ctx, earlier),
        backward(ctx) {
            const e = make(ctx.args);
            const x = ctx.inputs[0]!;
            const dx = zeros(x.shape, x.dtype);
            const xd = x.data;
            const gd = ctx.gradOutput.data;
            const out = dx.data;
            const y = ctx.output;
            if (y.dtype === 'float64') {
                // the stored output is f(x) exactly
                const yd = y.data;
                for (let i = 0; i < xd.length; i++) out[i] = gd[i]! * e.df(xd[i]!, yd[i]!);
            } else {
                for (let i = 0; i < xd.length; i++) {
                    const v = xd[i]!;
                    out[i] = gd[i]! * e.df(v, e.f(v));
                }
            }
            return { inputs: [dx], params: {} };
        },
    };
}
