/**
 * Finding things for the editor features: the AST node under the cursor, the declaration and
 * statements around it, and the analysis results (layer records, statement results) of a call or
 * statement. Results of a block declared in a file without networks come from the files that
 * import it, so a block library still shows numbers.
 */
import { AstUtils, CstUtils, type AstNode, type CstNode, type LangiumDocument } from 'langium';
import * as ast from '../language/generated/ast.js';
import type { LayerRecord, StatementResult } from '../src/analysis/analyze.js';
import type { Call, Stmt } from '../src/program.js';
import type { Shape } from '../src/layers/types.js';
import type { DocumentAnalysis } from './conv-analysis.js';
import type { ConvServices } from './conv-module.js';

/** Words the grammar reserves; never valid as names. */
export const KEYWORDS: ReadonlySet<string> = new Set(['network', 'block', 'input', 'import', 'true', 'false', 'None', 'none']);

export const IDENTIFIER = /^[_a-zA-Z]\w*$/;

export function isIdentifier(name: string): boolean {
    return IDENTIFIER.test(name) && !KEYWORDS.has(name);
}

/** The leaf under `offset` (or just before it, so the end of a word counts). */
export function leafAt(document: LangiumDocument, offset: number): CstNode | undefined {
    const root = document.parseResult.value.$cstNode;
    if (!root) return undefined;
    const at = CstUtils.findLeafNodeAtOffset(root, offset);
    const here = at && !at.hidden && offset >= at.offset && offset < at.end ? at : undefined;
    if (here && /^\w/.test(here.text)) return here;
    // At the end of a word (`kernel_size|=`), the word counts.
    const before = offset > 0 ? CstUtils.findLeafNodeAtOffset(root, offset - 1) : undefined;
    if (before && !before.hidden && before.end === offset && /\w$/.test(before.text)) return before;
    return here;
}

export function containerDeclaration(node: AstNode | undefined): ast.Declaration | undefined {
    return node ? AstUtils.getContainerOfType(node, ast.isDeclaration) : undefined;
}

/** The declaration whose text contains `offset` (also while the statement under it does not parse). */
export function declarationAt(model: ast.Model, offset: number): ast.Declaration | undefined {
    return model.declarations.find(d => d.$cstNode && d.$cstNode.offset <= offset && offset <= d.$cstNode.end);
}

/** Whether `leaf` is the text of `property` of its AST node. */
export function isProperty(leaf: CstNode, property: string): boolean {
    const assignment = AstUtils.getContainerOfType(leaf.grammarSource, (n): n is { $type: 'Assignment'; feature: string } & AstNode => n.$type === 'Assignment');
    return assignment?.feature === property;
}

/** IR of a call node, and its records in `analysis` or, failing that, in the files importing it. */
export class ResultFinder {
    constructor(private readonly services: ConvServices) {}

    analysis(document: LangiumDocument): DocumentAnalysis {
        return this.services.analysis.Analyzer.analyze(document as LangiumDocument<ast.Model>);
    }

    /** This document's analysis, then those of the loaded documents that import it. */
    *analyses(document: LangiumDocument): Iterable<DocumentAnalysis> {
        for (const doc of this.withImporters(document)) yield this.analysis(doc);
    }

    /** `document`, then every loaded document that imports it (directly or not). */
    *withImporters(document: LangiumDocument): Iterable<LangiumDocument> {
        yield document;
        const uri = document.uri.toString();
        for (const other of this.services.shared.workspace.LangiumDocuments.all) {
            if (other === document || other.textDocument.languageId !== document.textDocument.languageId) continue;
            const model = other.parseResult.value as ast.Model;
            if (!ast.isModel(model) || model.imports.length === 0) continue;
            const closure = this.services.analysis.Analyzer.importClosure(other as LangiumDocument<ast.Model>);
            if (closure.found.some(d => d.uri.toString() === uri)) yield other;
        }
    }

    callOf(document: LangiumDocument, node: ast.Call): Call | undefined {
        return this.analysis(document).converted.callOf.get(node);
    }

    stmtOf(document: LangiumDocument, node: ast.Statement): Stmt | undefined {
        return this.analysis(document).converted.stmtOf.get(node);
    }

    records(document: LangiumDocument, node: ast.Call): LayerRecord[] {
        const call = this.callOf(document, node);
        if (!call) return [];
        for (const a of this.analyses(document)) {
            const records = a.analysis.calls.get(call);
            if (records && records.length > 0) return [...records];
        }
        return [];
    }

    results(document: LangiumDocument, node: ast.Statement): StatementResult[] {
        const stmt = this.stmtOf(document, node);
        if (!stmt) return [];
        for (const a of this.analyses(document)) {
            const results = a.analysis.statements.get(stmt);
            if (results && results.length > 0) return [...results];
        }
        return [];
    }

    /**
     * What flows into a call: its records' inputs when it ran, otherwise the previous call's
     * output, the chain's source, or the previous statement's result.
     */
    inputsOf(document: LangiumDocument, node: ast.Call, depth = 0): Shape[] {
        const shapes = (list: readonly Shape[]) => distinctBy(list, s => s.join(','));
        const records = this.records(document, node);
        if (records.length > 0) return shapes(records.map(r => r.inputs[0]!.shape));
        const chain = node.$container;
        const index = chain.calls.indexOf(node);
        if (index > 0) return shapes(this.records(document, chain.calls[index - 1]!).map(r => r.output.shape));
        const owner = chain.$container;
        if (chain.source) {
            if (ast.isInputRef(chain.source)) return ast.isBlock(owner) ? this.blockInputs(owner, depth) : [];
            const target = chain.source.binding.ref;
            if (target && (ast.isChain(target) || ast.isInputDecl(target))) return shapes(this.results(document, target).map(r => r.tensor.shape));
            return [];
        }
        const at = owner.body.indexOf(chain);
        const previous = at > 0 ? owner.body[at - 1] : undefined;
        if (previous) return shapes(this.results(document, previous).map(r => r.tensor.shape));
        return ast.isBlock(owner) ? this.blockInputs(owner, depth) : [];
    }

    /** What a block is called with, at every call site in its file and the files importing it. */
    blockInputs(block: ast.Block, depth = 0): Shape[] {
        const document = block.$container.$document;
        if (!document || depth > 16) return [];
        const found: Shape[] = [];
        for (const doc of this.withImporters(document)) {
            for (const node of AstUtils.streamAllContents(doc.parseResult.value)) {
                if (ast.isCall(node) && node.callee?.ref === block) found.push(...this.inputsOf(doc, node, depth + 1));
            }
        }
        return distinctBy(found, s => s.join(','));
    }
}

export function distinctBy<T>(items: readonly T[], key: (item: T) => string): T[] {
    const seen = new Set<string>();
    const out: T[] = [];
    for (const item of items) {
        const k = key(item);
        if (seen.has(k)) continue;
        seen.add(k);
        out.push(item);
    }
    return out;
}

/** The CST node of a reference's text (the callee of a call, the name of a symbol reference). */
export function refNode(node: ast.Call | ast.SymbolRef): CstNode | undefined {
    return ast.isCall(node) ? node.callee?.$refNode : node.binding?.$refNode;
}
