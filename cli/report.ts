/** The CLI's outputs: diagnostics lines, the summary table and the JSON contract of `summary --json`. */
import * as path from 'node:path';
import { URI, type LangiumDocument } from 'langium';
import type { Diagnostic } from 'vscode-languageserver-types';
import type { FileAnalysis, LayerRecord, NetworkAnalysis } from '../src/analysis/analyze.js';
import type { Shape } from '../src/layers/types.js';
import type { Call } from '../src/program.js';
import { formatShape } from '../src/shape/dims.js';
import { displayPath } from './workspace.js';

export interface JsonDiagnostic {
    severity: 'error' | 'warning' | 'information';
    file: string;
    line: number;
    column: number;
    endLine: number;
    endColumn: number;
    message: string;
    code: string;
}

const SEVERITIES = ['error', 'error', 'warning', 'information', 'information'] as const;

export function diagnosticsOf(document: LangiumDocument): JsonDiagnostic[] {
    const file = displayPath(document.uri.toString());
    return (document.diagnostics ?? []).map((d: Diagnostic) => ({
        severity: SEVERITIES[d.severity ?? 1],
        file,
        line: d.range.start.line + 1,
        column: d.range.start.character + 1,
        endLine: d.range.end.line + 1,
        endColumn: d.range.end.character + 1,
        message: typeof d.message === 'string' ? d.message : d.message.value,
        code: typeof d.code === 'string' ? d.code : (d.data as { code?: string } | undefined)?.code === 'parsing-error' || (d.data as { code?: string } | undefined)?.code === 'lexing-error' ? 'syntax' : String(d.code ?? (d.data as { code?: string } | undefined)?.code ?? 'syntax'),
    })).sort((a, b) => a.line - b.line || a.column - b.column);
}

export function formatDiagnostic(d: JsonDiagnostic): string {
    return `${d.file}:${d.line}:${d.column} ${d.severity} ${d.message}`;
}

function jsonShape(shape: Shape): Array<number | string> {
    return [...shape];
}

export function layerJson(layer: LayerRecord) {
    const rf = layer.output.rf;
    return {
        op: layer.op,
        name: layer.name,
        line: layer.call.loc.start.line + 1,
        file: displayPath(layer.call.loc.file),
        callSite: layer.callSite ? layer.callSite.loc.start.line + 1 : null,
        shape: jsonShape(layer.output.shape),
        params: layer.params,
        macs: layer.macs,
        ...(rf && rf.length > 0 ? { rf: { size: rf.map(f => f.size), jump: rf.map(f => f.jump), start: rf.map(f => f.start) } } : {}),
    };
}

export function networkJson(network: NetworkAnalysis) {
    return {
        name: network.graph.name,
        inputs: network.inputs.map(i => ({ name: i.name, shape: jsonShape(i.tensor.shape) })),
        layers: network.layers.map(layerJson),
        outputs: network.outputs.map(o => ({ name: o.name, shape: jsonShape(o.tensor.shape) })),
        totals: { params: network.totals.params, macs: network.totals.macs },
    };
}

export function summaryJson(document: LangiumDocument, analysis: FileAnalysis, networks: readonly NetworkAnalysis[]) {
    return {
        file: displayPath(document.uri.toString()),
        networks: networks.map(networkJson),
        diagnostics: diagnosticsOf(document),
    };
}

function group(n: number): string {
    return n.toLocaleString('en-US');
}

function human(n: number, unit: string): string {
    if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G${unit}`;
    if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M${unit}`;
    if (n >= 1e3) return `${(n / 1e3).toFixed(2)} k${unit}`;
    return `${n} ${unit}`;
}

function rfText(layer: LayerRecord): string {
    const rf = layer.output.rf;
    if (!rf || rf.length === 0) return '';
    const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(2));
    const sizes = rf.map(f => fmt(f.size));
    const jumps = rf.map(f => fmt(f.jump));
    const one = (xs: string[]) => (xs.every(x => x === xs[0]) ? xs[0]! : xs.join('×'));
    return `${one(sizes)} (j ${one(jumps)})`;
}

/** The name of the network statement whose result is the block call `call` (`layer1 = BasicBlock(64)`). */
function callStatementName(network: NetworkAnalysis, call: Call): string | undefined {
    for (const stmt of network.graph.body) {
        if (stmt.kind === 'chain' && stmt.name !== undefined && stmt.calls.at(-1) === call) return stmt.name;
    }
    return undefined;
}

/** `file` (a URI) as a path relative to the folder of `home` (a URI): `resnet_blocks.conv`. */
function relativeTo(home: string, file: string): string {
    try {
        const rel = path.relative(path.dirname(URI.parse(home).fsPath), URI.parse(file).fsPath);
        return rel === '' ? path.basename(URI.parse(file).fsPath) : rel.split(path.sep).join('/');
    } catch {
        return file;
    }
}

/**
 * A torchinfo-like table: one row per primitive layer after block expansion, then totals. A layer
 * inside a block shows the outermost call (`layer1 = BasicBlock@15`), and its line as `file:line`
 * when the block comes from another file.
 */
export function summaryTable(network: NetworkAnalysis, file: string): string {
    const rows: string[][] = [['#', 'layer', 'op', 'line', 'output shape', 'params', 'MACs', 'rf (jump)']];
    for (const input of network.inputs) rows.push(['', input.name, 'input', '', formatShape(input.tensor.shape), '', '', '']);
    const home = network.graph.loc.file;
    network.layers.forEach((layer, i) => {
        // The outermost block call as `layer1 = BasicBlock@15` when its statement is named.
        const site = layer.callSite;
        const siteName = site ? callStatementName(network, site) : undefined;
        const where = [...layer.blockPath.map((b, k) => (k === 0 && site ? `${siteName ? `${siteName} = ` : ''}${b}@${site.loc.start.line + 1}` : b))];
        const name = [...where, ...(layer.name ? [layer.name] : [])].join(' › ');
        // A call in another file (an imported block) shows that file: `resnet_blocks.conv:8`.
        const lineNo = String(layer.call.loc.start.line + 1);
        const at = layer.call.loc.file === home ? lineNo : `${relativeTo(home, layer.call.loc.file)}:${lineNo}`;
        rows.push([String(i + 1), name, layer.op, at, formatShape(layer.output.shape), layer.params ? group(layer.params) : '–', layer.macs ? group(layer.macs) : '–', rfText(layer)]);
    });
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map(r => r[c]!.length)));
    const right = new Set([0, 3, 5, 6]);
    const line = (r: string[]) => r.map((cell, c) => (right.has(c) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd();
    const rule = '─'.repeat(widths.reduce((a, b) => a + b + 2, -2));
    const totals = network.totals;
    const batch = network.inputs.some(i => typeof i.tensor.shape[0] === 'string') ? ' (per sample: symbolic batch counted as 1)' : '';
    const out = [
        `network ${network.graph.name}  —  ${file}`,
        rule,
        line(rows[0]!),
        rule,
        ...rows.slice(1).map(line),
        rule,
        `outputs: ${network.outputs.map(o => `${o.name ?? '(last)'} ${formatShape(o.tensor.shape)}`).join(', ') || '—'}`,
        `total params: ${group(totals.params)} (${human(totals.params * 4, 'B')} as float32)`,
        `total MACs: ${group(totals.macs)} (${human(totals.macs, 'MAC')})${batch}`,
        `activation memory: ${human(totals.memory, 'B')} (float32, forward outputs)${batch}`,
    ];
    if (network.incomplete) out.push('note: errors stopped part of this network from being analysed (run `convscope check`)');
    return out.join('\n');
}
