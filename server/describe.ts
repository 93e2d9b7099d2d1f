/** Text for a statement's result, shared by inlay hints, hover and the CLI. */
import type { FileAnalysis, StatementResult } from '../src/analysis/analyze.js';
import type { Stmt } from '../src/program.js';
import { formatShape } from '../src/shape/dims.js';
import { formatRf } from '../src/shape/receptive-field.js';

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
