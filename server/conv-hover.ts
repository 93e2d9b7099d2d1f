/**
 * Hover: what the analysis knows about the word under the cursor, in Markdown. A layer call shows
 * its signature, doc and the formula with the numbers substituted (one section per distinct
 * evaluation, at most three); an argument name its documentation, default and resolved value; a
 * block call the block's parameters and output; a tensor name its shape and receptive field.
 */
import { AstUtils, type LangiumDocument, type MaybePromise } from 'langium';
import type { HoverProvider } from 'langium/lsp';
import type { CancellationToken, Hover, HoverParams } from 'vscode-languageserver';
import * as ast from '../language/generated/ast.js';
import type { LayerRecord, StatementResult } from '../src/analysis/analyze.js';
import { getLayer, type AnyLayer } from '../src/layers/index.js';
import { formatShape } from '../src/shape/dims.js';
import type { ConvServices } from './conv-module.js';
import { distinctBy, isProperty, leafAt, ResultFinder } from './conv-nodes.js';
import { formatCount, formatExact, formatResolved, formatRfAxes, layerSignature } from './describe.js';

const MAX_SITES = 3;

export class ConvHoverProvider implements HoverProvider {
    private readonly finder: ResultFinder;

    constructor(services: ConvServices) {
        this.finder = new ResultFinder(services);
    }

    getHoverContent(document: LangiumDocument, params: HoverParams, _token?: CancellationToken): MaybePromise<Hover | undefined> {
        const leaf = leafAt(document, document.textDocument.offsetAt(params.position));
        if (!leaf) return undefined;
        const node = leaf.astNode;
        if (AstUtils.findRootNode(node) !== document.parseResult.value) return undefined; // a recovery leftover outside the AST
        let value: string | undefined;
        if (ast.isCall(node) && isProperty(leaf, 'callee')) value = this.call(document, node);
        else if (ast.isArgument(node) && isProperty(leaf, 'name')) value = this.argument(document, node);
        else if (ast.isSymbolRef(node)) value = this.reference(document, node);
        else if ((ast.isChain(node) || ast.isInputDecl(node)) && (isProperty(leaf, 'name') || leaf.text === 'input')) value = this.tensor(document, node);
        else if (ast.isParam(node) && isProperty(leaf, 'name')) value = this.param(node);
        else if (ast.isInputRef(node)) value = this.inputRef(node);
        else if (ast.isNetwork(node) && isProperty(leaf, 'name')) value = this.network(document, node);
        else if (ast.isBlock(node) && isProperty(leaf, 'name')) value = this.block(document, node);
        if (!value) return undefined;
        return { contents: { kind: 'markdown', value }, range: leaf.range };
    }

    // ---- layer and block calls -----------------------------------------------------------

    private call(document: LangiumDocument, node: ast.Call): string | undefined {
        const layer = getLayer(node.callee.$refText);
        if (layer) return this.layerCall(document, node, layer);
        const block = node.callee.ref;
        if (block) return this.blockCall(document, node, block);
        return undefined;
    }

    private layerCall(document: LangiumDocument, node: ast.Call, layer: AnyLayer): string {
        const parts = [layerHeader(layer)];
        const records = this.finder.records(document, node);
        const distinct = distinctBy(records, r => r.explain.join('\n') + formatShape(r.output.shape));
        for (const record of distinct.slice(0, MAX_SITES)) {
            const where = distinct.length > 1 ? `${siteLabel(record, document.uri.toString())}\n\n` : '';
            parts.push(`${where}${fence(record.explain)}\n${recordSummary(record)}`);
        }
        if (distinct.length > MAX_SITES) parts.push(`…and ${distinct.length - MAX_SITES} more distinct result${distinct.length - MAX_SITES === 1 ? '' : 's'}`);
        if (records.length === 0) parts.push('_No result: this call was not evaluated (see the problems reported for it)._');
        return parts.join('\n\n---\n\n');
    }

    private blockCall(document: LangiumDocument, node: ast.Call, block: ast.Block): string {
        const parts = [`\`\`\`conv\nblock ${blockSignature(block)}\n\`\`\``];
        const given = new Map<string, string>();
        node.args.forEach((a, i) => {
            const name = a.name ?? block.params[i]?.name;
            if (name) given.set(name, a.value.$cstNode?.text ?? '');
        });
        if (block.params.length > 0) {
            parts.push(block.params.map(p => `- \`${p.name}\` = \`${given.get(p.name) ?? p.default?.$cstNode?.text ?? '?'}\`${given.has(p.name) ? '' : ' (default)'}`).join('\n'));
        }
        const outputs = this.blockCallOutputs(document, node, block);
        if (outputs.length > 0) parts.push(`→ ${outputs.slice(0, MAX_SITES).map(r => `\`${describe(r)}\``).join(' | ')}`);
        return parts.join('\n\n');
    }

    /** The block's result at this call: its last statement evaluated from this call site, or what the next call received. */
    private blockCallOutputs(document: LangiumDocument, node: ast.Call, block: ast.Block): Array<StatementResult['tensor']> {
        const last = [...block.body].reverse().find(ast.isChain);
        const call = this.finder.callOf(document, node);
        if (last && call) {
            const site = this.finder.results(block.$document ?? document, last).filter(r => r.callSite === call);
            if (site.length > 0) return distinctBy(site.map(r => r.tensor), t => describe(t));
        }
        const chain = node.$container;
        const index = chain.calls.indexOf(node);
        if (index === chain.calls.length - 1) return distinctBy(this.finder.results(document, chain).map(r => r.tensor), t => describe(t));
        const next = chain.calls[index + 1]!;
        return distinctBy(this.finder.records(document, next).map(r => r.inputs[0]!), t => describe(t));
    }

    // ---- arguments -------------------------------------------------------------------------

    private argument(document: LangiumDocument, node: ast.Argument): string | undefined {
        const call = node.$container;
        const layer = getLayer(call.callee?.$refText ?? '');
        if (layer) {
            const spec = layer.args.find(a => a.name === node.name);
            if (!spec) return undefined;
            const lines = [`\`${spec.name}\` — argument of \`${layer.name}\`, ${spec.default === undefined ? 'required' : `default \`${spec.default}\``}`, spec.doc];
            if (spec.ignored) lines.push('_Accepted for PyTorch compatibility and ignored._');
            const values = distinctBy(this.finder.records(document, call).map(r => formatResolved(r.args[spec.name])), v => v);
            if (values.length > 0) lines.push(`Resolved: ${values.slice(0, MAX_SITES).map(v => `\`${v}\``).join(' | ')}`);
            return lines.join('\n\n');
        }
        const block = call.callee?.ref;
        const param = block?.params.find(p => p.name === node.name);
        if (!block || !param) return undefined;
        return `\`${param.name}\` — parameter of block \`${block.name}\`${param.default ? ` (default \`${param.default.$cstNode?.text}\`)` : ''}\n\nGiven: \`${node.value.$cstNode?.text ?? ''}\``;
    }

    // ---- names -----------------------------------------------------------------------------

    private reference(document: LangiumDocument, node: ast.SymbolRef): string | undefined {
        const target = node.binding.ref;
        if (!target) {
            const input = ast.isInputDecl(node.$container) || ast.isListExpr(node.$container);
            return input ? `\`${node.binding.$refText}\` — a symbolic dimension (e.g. the batch size): any value, carried through the shapes` : undefined;
        }
        if (ast.isParam(target)) return this.param(target);
        return this.tensor(target.$document ?? document, target);
    }

    private tensor(document: LangiumDocument, node: ast.Chain | ast.InputDecl): string {
        const name = node.name ?? '(unnamed)';
        const header = ast.isInputDecl(node) ? `\`input ${name}\` — network input` : `\`${name}\` — tensor`;
        const results = distinctBy(this.finder.results(document, node).map(r => r.tensor), t => describe(t));
        if (results.length === 0) return `${header}\n\n_No result: the statement was not evaluated._`;
        const lines = results.slice(0, MAX_SITES).map(t => `- \`${formatShape(t.shape)}\`${t.rf && t.rf.length > 0 ? ` · rf ${formatRfAxes(t.rf)}` : ''}`);
        return `${header}\n\n${lines.join('\n')}`;
    }

    private param(node: ast.Param): string {
        const owner = node.$container;
        const kind = ast.isNetwork(owner) ? 'network' : 'block';
        return `\`${node.name}\` — parameter of ${kind} \`${owner.name}\`${node.default ? `, default \`${node.default.$cstNode?.text}\`` : ' (required)'}`;
    }

    private inputRef(node: ast.InputRef): string {
        const block = AstUtils.getContainerOfType(node, ast.isBlock);
        if (!block) return "`input` — this network's only input";
        const shapes = this.finder.blockInputs(block).map(formatShape);
        return `\`input\` — the tensor block \`${block.name}\` is called with${shapes.length > 0 ? `: ${shapes.slice(0, MAX_SITES).map(s => `\`${s}\``).join(' | ')}` : ''}`;
    }

    // ---- declarations ----------------------------------------------------------------------

    private network(document: LangiumDocument, node: ast.Network): string {
        const parts = [`\`\`\`conv\nnetwork ${blockSignature(node)}\n\`\`\``];
        const net = this.finder.analysis(document).analysis.networks.find(n => n.graph.name === node.name && n.graph.nameLoc.start.line === node.$cstNode?.range.start.line);
        if (net) {
            parts.push([
                `- inputs: ${net.inputs.map(i => `\`${i.name}\` \`${formatShape(i.tensor.shape)}\``).join(', ') || '—'}`,
                `- output: ${net.outputs.map(o => `\`${formatShape(o.tensor.shape)}\``).join(', ') || '—'}`,
                `- ${formatExact(net.totals.params)} params (${formatCount(net.totals.params)}) · ${formatCount(net.totals.macs)} MACs · ${formatBytes(net.totals.memory)} activations per sample`,
                ...(net.incomplete ? ['- _incomplete: errors stopped part of the analysis_'] : []),
            ].join('\n'));
        }
        return parts.join('\n\n');
    }

    private block(document: LangiumDocument, node: ast.Block): string {
        const parts = [`\`\`\`conv\nblock ${blockSignature(node)}\n\`\`\``];
        const last = [...node.body].reverse().find(ast.isChain);
        if (last) {
            const outputs = distinctBy(this.finder.results(document, last).map(r => r.tensor), t => describe(t));
            if (outputs.length > 0) parts.push(`→ ${outputs.slice(0, MAX_SITES).map(t => `\`${describe(t)}\``).join(' | ')}`);
        }
        return parts.join('\n\n');
    }
}

export function layerHeader(layer: AnyLayer): string {
    return `\`\`\`conv\n${layerSignature(layer)}\n\`\`\`\n\n**${layer.name}** · \`${layer.torch}\`\n\n${layer.doc}`;
}

function blockSignature(node: ast.Declaration): string {
    if (node.params.length === 0) return node.name;
    return `${node.name}(${node.params.map(p => (p.default ? `${p.name} = ${p.default.$cstNode?.text ?? ''}` : p.name)).join(', ')})`;
}

function fence(lines: readonly string[]): string {
    return `\`\`\`text\n${lines.join('\n')}\n\`\`\``;
}

function describe(tensor: StatementResult['tensor']): string {
    return `${formatShape(tensor.shape)}${tensor.rf && tensor.rf.length > 0 ? ` · rf ${formatRfAxes(tensor.rf)}` : ''}`;
}

function recordSummary(record: LayerRecord): string {
    const lines = [`→ \`${formatShape(record.output.shape)}\` · ${formatExact(record.params)} params · ${formatCount(record.macs)} MACs (${formatExact(record.macs)})`];
    if (record.output.rf && record.output.rf.length > 0) lines.push(`rf ${formatRfAxes(record.output.rf)}`);
    return lines.join('  \n');
}

function siteLabel(record: LayerRecord, file: string): string {
    if (!record.callSite) return '**at this call**';
    const loc = record.callSite.calleeLoc;
    const where = loc.file === file ? `line ${loc.start.line + 1}` : `${loc.file.slice(loc.file.lastIndexOf('/') + 1)}:${loc.start.line + 1}`;
    return `**via \`${record.blockPath.join(' → ')}\` called on ${where}**`;
}

function formatBytes(bytes: number): string {
    if (bytes >= 1 << 30) return `${(bytes / (1 << 30)).toFixed(2)} GiB`;
    if (bytes >= 1 << 20) return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
    if (bytes >= 1 << 10) return `${(bytes / (1 << 10)).toFixed(1)} KiB`;
    return `${bytes} B`;
}
