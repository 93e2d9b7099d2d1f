/**
 * A forward + backward run of a network as a report: the loss, the output, and per layer the
 * activation and gradient statistics and each parameter's value and gradient statistics — the
 * `run --json` contract, shared by the CLI and the editor's report.
 */
import { type Tensor, stats } from '../tensor/tensor.js';
import { lossOf, type BackwardPass, type ForwardPass, type NetworkModel } from './network.js';

export interface JsonStats {
    readonly mean: number | null;
    readonly std: number | null;
    readonly min: number | null;
    readonly max: number | null;
    readonly norm: number | null;
}

export interface LayerRunReport {
    readonly op: string;
    readonly name: string | null;
    readonly file: string;
    readonly line: number;
    readonly shape: number[];
    readonly activation: JsonStats;
    readonly gradient: JsonStats;
    readonly params: ReadonlyArray<{ readonly tensor: string; readonly shape: number[]; readonly value: JsonStats; readonly gradient: JsonStats }>;
}

export interface RunReport {
    readonly network: string;
    readonly dtype: string;
    readonly seed: number;
    readonly mode: string;
    readonly loss: number;
    readonly output: { readonly shape: number[]; readonly stats: JsonStats };
    readonly layers: LayerRunReport[];
}

/** Mean, std (Bessel-corrected, as torch.std), min, max, L2 norm; null where undefined (NaN, one element). */
export function jsonStats(t: Tensor): JsonStats {
    const s = stats(t);
    const n = (x: number) => (Number.isFinite(x) ? x : null);
    return { mean: n(s.mean), std: n(s.std), min: n(s.min), max: n(s.max), norm: n(s.l2) };
}

const ZERO: JsonStats = { mean: 0, std: 0, min: 0, max: 0, norm: 0 };

export function runReport(model: NetworkModel, pass: ForwardPass, back: BackwardPass, R: Tensor, fileOf: (uri: string) => string = u => u): RunReport {
    const layers = model.layers.map((record, i): LayerRunReport => {
        const activation = pass.values.get(record.output.id)!;
        const gradient = back.grads.get(record.output.id);
        return {
            op: record.op,
            name: record.name,
            file: fileOf(record.call.loc.file),
            line: record.call.loc.start.line + 1,
            shape: [...activation.shape],
            activation: jsonStats(activation),
            // A layer off the path to the output gets no gradient: its gradient is zero.
            gradient: gradient ? jsonStats(gradient) : ZERO,
            params: Object.entries(model.states[i]!.params).map(([tensor, value]) => ({
                tensor,
                shape: [...value.shape],
                value: jsonStats(value),
                gradient: jsonStats(back.params[i]![tensor]!),
            })),
        };
    });
    return {
        network: model.network.graph.name,
        dtype: model.options.dtype,
        seed: model.options.seed,
        mode: model.options.mode,
        loss: lossOf(pass.output, R),
        output: { shape: [...pass.output.shape], stats: jsonStats(pass.output) },
        layers,
    };
}
