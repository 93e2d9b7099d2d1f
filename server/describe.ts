/** Text for a statement's result, shared by inlay hints, hover and the CLI. */
import type { FileAnalysis, StatementResult } from '../src/analysis/analyze.js';
import type { Stmt } from '../src/program.js';
import { formatShape } from '../src/shape/dims.js';
import { formatRf, type RfAxis } from '../src/shape/receptive-field.js';
import type { AnyLayer } from '../src/layers/index.js';

export function describeResult(result: StatementResult, options: { shape: boolean; rf: boolean }): string {
    const parts: string[] = [];
    if (options.shape) parts.push(formatShape(result.tensor.shape));
    if (options.rf && result.tensor.rf && result.tensor.rf.length > 0) parts.push(formatRf(result.tensor.rf));
    return parts.join(' · ');
}

/**
 * One label per statement: blocks evaluated at several call sites show each distinct result
 * (up to three), so a reused block reads as what it does at every site.
 */
export function describeStatement(analysis: FileAnalysis, stmt: Stmt, options: { shape: boolean; rf: boolean; params?: boolean }): string | undefined {
    const results = analysis.statements.get(stmt);
    if (!results || results.length === 0) return undefined;
    const labels: string[] = [];
    for (const r of results) {
        const label = describeResult(r, options);
        if (!labels.includes(label)) labels.push(label);
    }
    let text = labels.slice(0, 3).join('  |  ');
    if (labels.length > 3) text += `  |  +${labels.length - 3} more`;
    if (options.params && stmt.kind === 'chain') {
        let params = 0;
        for (const call of stmt.calls) for (const rec of analysis.calls.get(call)?.slice(0, 1) ?? []) params += rec.params;
        if (params > 0) text += ` · ${formatCount(params)} params`;
    }
    return text;
}

export function formatCount(n: number): string {
    if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
    if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
    if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
    return String(n);
}

/** `9,472` — exact counts for hover, next to the compact `formatCount`. */
export function formatExact(n: number): string {
    return Math.round(n).toLocaleString('en-US');
}

/** Spatial axis names for a field of `rank` axes: L; H, W; D, H, W. */
export function axisNames(rank: number): string[] {
    if (rank === 1) return ['L'];
    if (rank === 2) return ['H', 'W'];
    if (rank === 3) return ['D', 'H', 'W'];
    return Array.from({ length: rank }, (_, i) => `axis ${i}`);
}

function num(x: number): string {
    return Number.isInteger(x) ? String(x) : String(Math.round(x * 1000) / 1000);
}

/** Receptive field per axis: `H: size 7, jump 2, start 0 · W: …`, one entry when the axes agree. */
export function formatRfAxes(rf: readonly RfAxis[]): string {
    if (rf.length === 0) return '';
    const text = (f: RfAxis) => `size ${num(f.size)}, jump ${num(f.jump)}, start ${num(f.start)}`;
    const names = axisNames(rf.length);
    if (rf.every(f => text(f) === text(rf[0]!))) return `${rf.length > 1 ? `${names.join(', ')}: ` : ''}${text(rf[0]!)}`;
    return rf.map((f, i) => `${names[i]}: ${text(f)}`).join(' · ');
}

/** A resolved argument as the user would write it (tuples, 'same', None). */
export function formatResolved(value: unknown): string {
    if (value === null || value === undefined) return 'None';
    if (typeof value === 'string') return `'${value}'`;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (Array.isArray(value)) {
        if (value.length > 0 && value.every(v => v === value[0]) && typeof value[0] === 'number') return value.length === 1 ? String(value[0]) : `(${value.map(formatResolved).join(', ')})`;
        return value.length === 1 ? `(${formatResolved(value[0])},)` : `(${value.map(formatResolved).join(', ')})`;
    }
    if (typeof value === 'object' && 'mode' in value) {
        const p = value as { mode: string; values?: readonly number[] };
        return p.mode === 'explicit' ? formatResolved(p.values) : `'${p.mode}'`;
    }
    return String(value);
}

/** `conv2d(out_channels, kernel_size, stride=1, …)`: the call as documented, required first. */
export function layerSignature(layer: AnyLayer): string {
    const parts = layer.args.filter(a => !a.ignored).map(a => (a.type.kind === 'tensors' ? `*${a.name}` : a.default === undefined ? a.name : `${a.name}=${a.default}`));
    return `${layer.name}(${parts.join(', ')})`;
}
