/**
 * One analysis per document version, shared by every feature (diagnostics, hints, hover, code
 * actions, summary). Imports are followed through Langium's documents; an analysis is reused
 * while the document and everything it imports are unchanged.
 */
import { UriUtils, type LangiumDocument, type LangiumDocuments } from 'langium';
import type { URI } from 'vscode-uri';
import type { LangiumSharedServices } from 'langium/lsp';
import type * as ast from '../language/generated/ast.js';
import { analyzeProgram, type FileAnalysis } from '../src/analysis/analyze.js';
import type { GraphDecl, Program } from '../src/program.js';
import { convertDocument, type Converted } from './to-program.js';

export interface DocumentAnalysis {
    readonly document: LangiumDocument<ast.Model>;
    readonly converted: Converted;
    readonly analysis: FileAnalysis;
    /** Imports that could not be found: the import node and the URI tried. */
    readonly missingImports: ReadonlyArray<{ readonly node: ast.Import; readonly uri: URI }>;
}

interface Cached {
    readonly key: string;
    readonly result: DocumentAnalysis;
}

export class ConvAnalysisService {
    private readonly documents: LangiumDocuments;
    private readonly cache = new Map<string, Cached>();
    private readonly conversions = new WeakMap<LangiumDocument, { root: ast.Model; converted: Converted }>();

    constructor(shared: { workspace: { LangiumDocuments: LangiumDocuments } } | LangiumSharedServices) {
        this.documents = shared.workspace.LangiumDocuments;
    }

    /** The analysis of `document` at its current version. */
    analyze(document: LangiumDocument<ast.Model>): DocumentAnalysis {
        const imported = this.importClosure(document);
        const key = [document, ...imported.found].map(d => `${d.uri.toString()}@${d.textDocument.version}#${d.parseResult.value.$cstNode?.text.length ?? 0}`).join('|');
        const uri = document.uri.toString();
        const cached = this.cache.get(uri);
        if (cached && cached.key === key && cached.result.document === document) return cached.result;
        let result: DocumentAnalysis;
        try {
            const converted = this.convert(document);
            const blocks = new Map<string, GraphDecl>();
            for (const g of converted.graphs) if (g.kind === 'block' && !blocks.has(g.name)) blocks.set(g.name, g);
            for (const doc of imported.found) {
                for (const g of this.convert(doc).graphs) if (g.kind === 'block' && !blocks.has(g.name)) blocks.set(g.name, g);
            }
            const program: Program = { file: uri, graphs: converted.graphs, blocks };
            result = { document, converted, analysis: analyzeProgram(program), missingImports: imported.missing };
        } catch (err) {
            // A pathological file (an expression tens of thousands of terms long) can exhaust the
            // stack; it gets one diagnostic instead of taking the server down.
            if (!(err instanceof RangeError)) throw err;
            const converted: Converted = { graphs: [], stmtOf: new Map(), callOf: new Map(), graphOf: new Map() };
            const program: Program = { file: uri, graphs: [], blocks: new Map() };
            const empty = analyzeProgram(program);
            const at = { file: uri, start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
            result = { document, converted, analysis: { ...empty, issues: [{ severity: 'error', code: 'too-complex', message: `this file is too deeply nested to analyse (${err.message}): split long expressions`, loc: at, related: [] }] }, missingImports: imported.missing };
        }
        this.cache.set(uri, { key, result });
        return result;
    }

    forget(uri: URI): void {
        this.cache.delete(uri.toString());
    }

    private convert(document: LangiumDocument<ast.Model>): Converted {
        // Keyed on the parsed AST, which is replaced whenever the document is reparsed (a file
        // changed on disk keeps its text document version).
        const root = document.parseResult.value;
        const known = this.conversions.get(document);
        if (known && known.root === root) return known.converted;
        const converted = convertDocument(document);
        this.conversions.set(document, { root, converted });
        return converted;
    }

    /** Every document imported, directly or not, in breadth-first order. */
    importClosure(document: LangiumDocument<ast.Model>): { found: LangiumDocument<ast.Model>[]; missing: Array<{ node: ast.Import; uri: URI }> } {
        const found: LangiumDocument<ast.Model>[] = [];
        const missing: Array<{ node: ast.Import; uri: URI }> = [];
        const seen = new Set<string>([document.uri.toString()]);
        const queue: LangiumDocument<ast.Model>[] = [document];
        while (queue.length > 0) {
            const doc = queue.shift()!;
            for (const imp of doc.parseResult.value.imports) {
                if (!imp.path) continue;
                const uri = resolveImport(doc.uri, imp.path);
                const key = uri.toString();
                if (seen.has(key)) continue;
                seen.add(key);
                const target = this.documents.getDocument(uri) as LangiumDocument<ast.Model> | undefined;
                if (!target) {
                    if (doc === document) missing.push({ node: imp, uri });
                    continue;
                }
                found.push(target);
                queue.push(target);
            }
        }
        return { found, missing };
    }
}

/**
 * The URIs (as strings) of every file `document` imports, directly or not, whether or not a
 * document exists for them (a missing import may appear later). Follows the imports of the
 * documents as they were last parsed.
 */
export function importedUris(document: LangiumDocument<ast.Model>, documents: LangiumDocuments): Set<string> {
    const start = document.uri.toString();
    const seen = new Set<string>([start]);
    const queue: LangiumDocument<ast.Model>[] = [document];
    while (queue.length > 0) {
        const doc = queue.pop()!;
        const imports = doc.parseResult?.value?.imports;
        if (!imports) continue; // not parsed yet
        for (const imp of imports) {
            if (!imp.path) continue;
            const uri = resolveImport(doc.uri, imp.path);
            const key = uri.toString();
            if (seen.has(key)) continue;
            seen.add(key);
            const target = documents.getDocument(uri) as LangiumDocument<ast.Model> | undefined;
            if (target) queue.push(target);
        }
    }
    seen.delete(start);
    return seen;
}

export function resolveImport(from: URI, path: string): URI {
    return UriUtils.resolvePath(UriUtils.dirname(from), path);
}
