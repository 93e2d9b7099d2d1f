/**
 * The layer registry: every layer of the catalog, by the name users call it with. Adding a layer
 * is one module in this folder plus its line here; completion, hover, validation, hints and the
 * analysis read it from here.
 */
import { convLayers } from './conv.js';
import type { LayerContext, LayerDef, LayerResult, Schema } from './types.js';

/** A layer seen without its schema's literal types (what the analysis and the server handle). */
export interface AnyLayer extends Omit<LayerDef<Schema>, 'infer'> {
    infer(ctx: LayerContext<Record<string, unknown>>): LayerResult | undefined;
}

const all = [
    ...convLayers,
] as unknown as readonly AnyLayer[];

export const layers: ReadonlyMap<string, AnyLayer> = new Map(all.map(l => [l.name, l]));

export function getLayer(name: string): AnyLayer | undefined {
    return layers.get(name);
}

