/** Outline: networks and blocks, with their parameters, inputs and named statements; shapes in `detail`. */
import { GrammarUtils, type AstNode, type LangiumDocument, type MaybePromise } from 'langium';
import type { DocumentSymbolProvider } from 'langium/lsp';
import { SymbolKind, type CancellationToken, type DocumentSymbol, type DocumentSymbolParams } from 'vscode-languageserver';
import * as ast from '../language/generated/ast.js';
import { formatShape } from '../src/shape/dims.js';
import type { ConvServices } from './conv-module.js';
import { ResultFinder } from './conv-nodes.js';
import { describeStatement, formatCount } from './describe.js';

export class ConvDocumentSymbolProvider implements DocumentSymbolProvider {
    private readonly finder: ResultFinder;

    constructor(services: ConvServices) {
        this.finder = new ResultFinder(services);
    }

    getSymbols(document: LangiumDocument, _params: DocumentSymbolParams, _token?: CancellationToken): MaybePromise<DocumentSymbol[]> {
        const model = document.parseResult.value as ast.Model;
        const { analysis } = this.finder.analysis(document);
        const symbols: DocumentSymbol[] = [];
        for (const decl of model.declarations) {
            if (!decl.name) continue;
            const children: DocumentSymbol[] = [];
            for (const p of decl.params) {
                const s = symbol(p, p.name, SymbolKind.TypeParameter, p.default ? `= ${p.default.$cstNode?.text ?? ''}` : 'parameter');
                if (s) children.push(s);
            }
            for (const stmt of decl.body) {
                if (!stmt.name) continue;
                const ir = this.finder.stmtOf(document, stmt);
                const shape = ir ? describeStatement(analysis, ir, { shape: true, rf: false }) : undefined;
                const s = symbol(stmt, stmt.name, ast.isInputDecl(stmt) ? SymbolKind.Field : SymbolKind.Variable, shape ?? (ast.isInputDecl(stmt) ? 'input' : undefined));
                if (s) children.push(s);
            }
            let detail: string | undefined;
            if (ast.isNetwork(decl)) {
                const net = analysis.networks.find(n => n.graph.name === decl.name);
                if (net) detail = `${formatCount(net.totals.params)} params · ${formatCount(net.totals.macs)} MACs${net.outputs.length > 0 ? ` → ${net.outputs.map(o => formatShape(o.tensor.shape)).join(', ')}` : ''}`;
            } else {
                detail = `block(${decl.params.map(p => p.name).join(', ')})`;
            }
            const s = symbol(decl, decl.name, ast.isNetwork(decl) ? SymbolKind.Class : SymbolKind.Function, detail, children);
            if (s) symbols.push(s);
        }
        return symbols;
    }
}

function symbol(node: AstNode, name: string | undefined, kind: SymbolKind, detail: string | undefined, children?: DocumentSymbol[]): DocumentSymbol | undefined {
    const cst = node.$cstNode;
    if (!cst || !name) return undefined;
    const nameNode = GrammarUtils.findNodeForProperty(cst, 'name') ?? cst;
    return { name, kind, detail, range: cst.range, selectionRange: nameNode.range, ...(children && children.length > 0 ? { children } : {}) };
}
