/**
 * The shared shape of pointwise layers (activations, dropout, identity): the output has the input's
 * shape, no parameters, no MACs, and the receptive field passes through. A layer module gives its
 * schema, docs, an optional argument check and the formula shown on hover.
 */
import { formatShape } from '../shape/dims.js';
import { defineLayer, type ArgsOf, type Family, type LayerContext, type LayerDef, type Schema } from './types.js';

export interface PointwiseSpec<S extends Schema> {
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
}

export function pointwiseLayer<const S extends Schema>(spec: PointwiseSpec<S>): LayerDef<S> {
    return defineLayer({
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
