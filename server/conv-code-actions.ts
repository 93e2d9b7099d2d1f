/**
 * Code actions. Quick fixes for diagnostics, by issue code:
 * - `output-too-small`, `uncovered-input`: set the padding of a conv/pool so the output keeps the
 *   input's size (stride 1: P = d(k−1)/2 per axis) or covers every input row (stride > 1);
 * - `linear-on-spatial`, `in-features-mismatch`: insert flatten() before linear (the latter only
 *   when flattening makes the features match);
 * - `unknown-layer`, `unknown-argument`, `undefined-name`: the message's "did you mean" names.
 * And a refactor on any stride-1 conv/pool under the cursor that changes the spatial size.
 * Every proposed change is checked by running the layer through the core (`probeLayer`) on the
 * inputs the analysis saw; the server does no shape arithmetic of its own. Problems inside a
 * block are reported at the call site with the block's location as related information: the
 * edit goes there, into the block (possibly another file).
 */
import { AstUtils, GrammarUtils, URI, type LangiumDocument, type LangiumDocuments, type MaybePromise } from 'langium';
import type { CodeActionProvider } from 'langium/lsp';
import { CodeActionKind, type CancellationToken, type CodeAction, type CodeActionParams, type Command, type Diagnostic, type Range, type TextEdit } from 'vscode-languageserver';
import * as ast from '../language/generated/ast.js';
import { probeLayer, type JsonArg } from '../src/analysis/probe.js';
import { parseDefault } from '../src/analysis/values.js';
import type { Value } from '../src/layers/args.js';
import { getLayer, type AnyLayer } from '../src/layers/index.js';
import type { ArgSpec, Shape } from '../src/layers/types.js';
import type { Expr } from '../src/program.js';
import { formatShape } from '../src/shape/dims.js';
import type { ConvServices } from './conv-module.js';
import { leafAt, ResultFinder } from './conv-nodes.js';

type Json = Record<string, JsonArg>;

interface Target {
    readonly document: LangiumDocument;
    readonly range: Range;
}

export class ConvCodeActionProvider implements CodeActionProvider {
    private readonly finder: ResultFinder;
    private readonly documents: LangiumDocuments;

    constructor(services: ConvServices) {
        this.finder = new ResultFinder(services);
        this.documents = services.shared.workspace.LangiumDocuments;
    }

    getCodeActions(document: LangiumDocument, params: CodeActionParams, _token?: CancellationToken): MaybePromise<Array<Command | CodeAction>> {
        const actions: CodeAction[] = [];
        const only = params.context.only;
        const wants = (kind: string) => !only || only.some(o => kind === o || kind.startsWith(`${o}.`));
        // One fix per call, however many of its diagnostics (one per axis, say) it resolves.
        const perCall = new Map<string, CodeAction>();
        const addFix = (key: string, fix: Omit<CodeAction, 'kind'>, diagnostic: Diagnostic) => {
            const known = perCall.get(key);
            if (known) known.diagnostics!.push(diagnostic);
            else {
                const action: CodeAction = { ...fix, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: true };
                perCall.set(key, action);
                actions.push(action);
            }
        };
        const paddedCalls = new Set<ast.Call>();
        if (wants(CodeActionKind.QuickFix)) {
            for (const diagnostic of params.context.diagnostics) {
                const target = this.target(document, diagnostic);
                if (!target) continue;
                switch (diagnostic.code) {
                    case 'output-too-small':
                    case 'uncovered-input': {
                        const call = callAt(target);
                        const fix = call && this.paddingFix(target.document, call);
                        if (fix && call) {
                            paddedCalls.add(call);
                            addFix(`padding ${target.document.uri}:${call.$cstNode?.offset}`, fix, diagnostic);
                        }
                        break;
                    }
                    case 'linear-on-spatial':
                    case 'in-features-mismatch': {
                        const call = callAt(target);
                        const fix = call && this.flattenFix(target.document, call, diagnostic.code === 'in-features-mismatch');
                        if (fix && call) addFix(`flatten ${target.document.uri}:${call.$cstNode?.offset}`, fix, diagnostic);
                        break;
                    }
                    case 'unknown-layer':
                    case 'unknown-argument':
                    case 'undefined-name':
                        suggestions(messageText(diagnostic)).forEach((name, i) => {
                            actions.push({
                                title: `Did you mean '${name}'?`,
                                kind: CodeActionKind.QuickFix,
                                diagnostics: [diagnostic],
                                isPreferred: i === 0,
                                edit: { changes: { [target.document.uri.toString()]: [{ range: target.range, newText: name }] } },
                            });
                        });
                        break;
                }
            }
        }
        if (wants(CodeActionKind.RefactorRewrite)) {
            const call = callAt({ document, range: params.range });
            if (call && !paddedCalls.has(call)) {
                const fix = this.paddingFix(document, call, true);
                if (fix) actions.push({ ...fix, kind: CodeActionKind.RefactorRewrite });
            }
        }
        return actions;
    }

    /** Where a diagnostic's fix applies: its own range, or the location inside the block it was lifted from. */
    private target(document: LangiumDocument, diagnostic: Diagnostic): Target | undefined {
        const related = diagnostic.relatedInformation?.[0];
        if (related && messageText(diagnostic).startsWith('in ')) {
            const doc = related.location.uri === document.uri.toString() ? document : this.documents.getDocument(URI.parse(related.location.uri));
            return doc ? { document: doc, range: related.location.range } : undefined;
        }
        return { document, range: diagnostic.range };
    }

    // ---- padding ---------------------------------------------------------------------------

    /**
     * `padding=P` for a conv/pool call: with stride 1, P = d(k−1)/2 keeps the spatial size (odd
     * dilated kernels only); with a larger stride, the smallest P that leaves no input uncovered.
     * `changedOnly`: only when the call (as analysed) changes the spatial size, for the refactor.
     */
    private paddingFix(document: LangiumDocument, call: ast.Call, changedOnly = false): Omit<CodeAction, 'kind'> | undefined {
        const layer = getLayer(call.callee?.$refText ?? '');
        if (!layer || (layer.family !== 'convolution' && layer.family !== 'pooling') || !layer.rank) return undefined;
        const rank = layer.rank;
        const args = this.resolvedArgs(document, call, layer);
        const inputs = this.finder.inputsOf(document, call);
        if (!args || inputs.length === 0) return undefined;
        const kernel = perAxis(args.kernel_size, rank);
        const dilation = perAxis(args.dilation ?? 1, rank);
        const stride = args.stride === null || args.stride === undefined ? kernel : perAxis(args.stride, rank);
        const current = typeof args.padding === 'string' ? undefined : perAxis(args.padding ?? 0, rank);
        if (!kernel || !dilation || !stride) return undefined;
        const strideOne = stride.every(s => s === 1);
        if (changedOnly) {
            if (!strideOne) return undefined;
            const records = this.finder.records(document, call);
            if (records.length === 0 || records.every(r => sameSpatial(r.inputs[0]!.shape, r.output.shape, rank))) return undefined;
        }
        const candidates: number[][] = [];
        if (kernel.every((k, i) => (dilation[i]! * (k - 1)) % 2 === 0)) candidates.push(kernel.map((k, i) => (dilation[i]! * (k - 1)) / 2));
        if (!strideOne && current) for (let extra = 1; extra < Math.max(...stride); extra++) candidates.push(current.map(p => p + extra));
        for (const padding of candidates) {
            if (current && padding.every((p, i) => p === current[i])) continue;
            const value: JsonArg = padding.every(p => p === padding[0]) ? padding[0]! : padding;
            const outputs: Shape[] = [];
            let ok = true;
            for (const input of inputs) {
                const probe = probeLayer(layer.name, [input], { ...args, padding: value });
                if (!probe.shape || probe.issues.some(i => i.severity === 'error' || i.code === 'uncovered-input')) ok = false;
                else if (strideOne && !sameSpatial(input, probe.shape, rank)) ok = false;
                else outputs.push(probe.shape);
                if (!ok) break;
            }
            if (!ok) continue;
            const text = typeof value === 'number' ? String(value) : `(${padding.join(', ')})`;
            const sizes = (shape: Shape) => shape.slice(shape.length - rank).join('×');
            const title = strideOne
                ? `Set padding=${text} to keep ${sizes(inputs[0]!)}`
                : `Set padding=${text} to cover every input ${rank === 1 ? 'position' : 'row and column'} (output ${sizes(outputs[0]!)})`;
            const edit = argumentEdit(call, layer, 'padding', text);
            if (!edit) return undefined;
            return { title, edit: { changes: { [document.uri.toString()]: [edit] } } };
        }
        return undefined;
    }

    // ---- flatten ---------------------------------------------------------------------------

    private flattenFix(document: LangiumDocument, call: ast.Call, mustMatch: boolean): Omit<CodeAction, 'kind'> | undefined {
        const layer = getLayer(call.callee?.$refText ?? '');
        const start = call.callee?.$refNode?.range.start;
        if (!layer || !getLayer('flatten') || !start) return undefined;
        let detail = '';
        if (mustMatch) {
            const args = this.resolvedArgs(document, call, layer);
            const inputs = this.finder.inputsOf(document, call);
            if (!args || inputs.length === 0) return undefined;
            for (const input of inputs) {
                const flat = probeLayer('flatten', [input], {}).shape;
                if (!flat) return undefined;
                const probe = probeLayer(layer.name, [flat], args);
                if (!probe.shape || probe.issues.some(i => i.severity === 'error')) return undefined;
                detail = ` (${formatShape(input)} → ${formatShape(flat)})`;
            }
        }
        const edit: TextEdit = { range: { start, end: start }, newText: 'flatten() -> ' };
        return { title: `Insert flatten() before ${layer.name}${detail}`, edit: { changes: { [document.uri.toString()]: [edit] } } };
    }

    // ---- arguments -------------------------------------------------------------------------

    /** The call's arguments as JSON for `probeLayer`: as the analysis resolved them, or as literally written. */
    private resolvedArgs(document: LangiumDocument, call: ast.Call, layer: AnyLayer): Json | undefined {
        const specs = layer.args.filter(a => a.type.kind !== 'tensors');
        const record = this.finder.records(document, call)[0];
        const out: Json = {};
        if (record) {
            for (const spec of specs) {
                const value = toJson(record.args[spec.name], spec);
                if (value !== undefined && !spec.ignored) out[spec.name] = value;
            }
            return out;
        }
        const ir = this.finder.callOf(document, call);
        if (!ir) return undefined;
        let position = 0;
        for (const arg of ir.args) {
            const name = arg.name ?? specs[position++]?.name;
            const spec = specs.find(s => s.name === name);
            if (!spec) return undefined;
            const value = literal(arg.value);
            if (value === undefined) return undefined;
            out[spec.name] = value;
        }
        // Defaults as the schema writes them, so the arguments read the same as a record's.
        for (const spec of specs) {
            if (spec.name in out || spec.default === undefined || spec.ignored) continue;
            const value = valueJson(parseDefault(spec.default), spec);
            if (value !== undefined) out[spec.name] = value;
        }
        return out;
    }
}

function callAt(target: Target): ast.Call | undefined {
    const offset = target.document.textDocument.offsetAt(target.range.start);
    const leaf = leafAt(target.document, offset);
    return leaf ? AstUtils.getContainerOfType(leaf.astNode, ast.isCall) : undefined;
}

/** Replaces an argument's value, or adds `name=value` after the last argument. */
function argumentEdit(call: ast.Call, layer: AnyLayer, name: string, text: string): TextEdit | undefined {
    const specs = layer.args.filter(a => a.type.kind !== 'tensors');
    let position = 0;
    for (const arg of call.args) {
        const bound = arg.name ?? specs[position++]?.name;
        if (bound === name) {
            const range = arg.value.$cstNode?.range;
            return range ? { range, newText: text } : undefined;
        }
    }
    const last = call.args[call.args.length - 1];
    if (last?.$cstNode) return { range: { start: last.$cstNode.range.end, end: last.$cstNode.range.end }, newText: `, ${name}=${text}` };
    const open = call.$cstNode ? GrammarUtils.findNodeForKeyword(call.$cstNode, '(') : undefined;
    return open ? { range: { start: open.range.end, end: open.range.end }, newText: `${name}=${text}` } : undefined;
}

function perAxis(value: JsonArg | undefined, rank: number): number[] | undefined {
    if (typeof value === 'number') return Array.from({ length: rank }, () => value);
    if (Array.isArray(value) && value.length === rank && value.every(v => typeof v === 'number')) return value as number[];
    return undefined;
}

function sameSpatial(a: Shape, b: Shape, rank: number): boolean {
    return a.slice(a.length - rank).join(',') === b.slice(b.length - rank).join(',');
}

/** A resolved argument (as in LayerRecord.args) back to the JSON `probeLayer` reads. */
function toJson(value: unknown, spec: ArgSpec): JsonArg | undefined {
    const float = spec.type.kind === 'float' || spec.type.kind === 'floats';
    const one = (v: unknown): JsonArg | undefined => {
        if (v === null) return null;
        if (typeof v === 'number') return float ? { float: v } : v;
        if (typeof v === 'boolean' || typeof v === 'string') return v;
        if (Array.isArray(v)) {
            const items = v.map(one);
            return items.every(i => i !== undefined) ? (items as JsonArg[]) : undefined;
        }
        if (typeof v === 'object' && v && 'mode' in v) {
            const p = v as { mode: string; values?: number[] };
            return p.mode === 'explicit' ? [...(p.values ?? [])] : p.mode;
        }
        return undefined;
    };
    return one(value);
}

function valueJson(value: Value, spec: ArgSpec): JsonArg | undefined {
    switch (value.t) {
        case 'int': return value.v;
        case 'float': return { float: value.v };
        case 'bool': case 'string': return value.v;
        case 'none': return null;
        case 'tuple': {
            const items = value.items.map(v => valueJson(v, spec));
            return items.every(i => i !== undefined) ? (items as JsonArg[]) : undefined;
        }
        default: return undefined;
    }
}

/** A literal argument as JSON; undefined for anything that needs evaluating (names, arithmetic). */
function literal(expr: Expr): JsonArg | undefined {
    switch (expr.kind) {
        case 'number': return expr.isInt ? expr.value : { float: expr.value };
        case 'bool': return expr.value;
        case 'string': return expr.value;
        case 'none': return null;
        case 'tuple': {
            const items = expr.items.map(literal);
            return items.every(i => i !== undefined) ? (items as JsonArg[]) : undefined;
        }
        case 'neg': {
            const v = literal(expr.operand);
            return typeof v === 'number' ? -v : undefined;
        }
        default: return undefined;
    }
}

function messageText(diagnostic: Diagnostic): string {
    return typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value;
}

/** The names of a "did you mean 'a' or 'b'?" message. */
export function suggestions(message: string): string[] {
    const m = /did you mean ((?:'[^']+'(?: or )?)+)/.exec(message);
    return m ? [...m[1]!.matchAll(/'([^']+)'/g)].map(x => x[1]!) : [];
}
