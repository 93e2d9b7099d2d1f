/**
 * Relinking after a change. Langium's default relinks every document that has an unresolved
 * reference whenever any document changes; in .conv files every registry layer call
 * (`conv2d(...)`) is such a reference (callee=[Block:ID] only resolves to blocks), so every open
 * file would be relinked and revalidated on each keystroke. A .conv document's references can
 * only resolve into the document itself and the files it imports, directly or transitively
 * (block names, see ConvScopeProvider; statement names are local to their network or block), so
 * a document is relinked only when one of those files changed, was deleted or (for an import
 * that was missing) appeared, or when Langium's index says it refers to a changed document.
 */
import { DefaultDocumentBuilder, DocumentState, type Cancellation, type FileSystemProvider, type LangiumDocument, type LangiumDocuments, type MaybePromise } from 'langium';
import type { LangiumSharedServices } from 'langium/lsp';
import type * as ast from '../language/generated/ast.js';
import { importedUris, resolveImport } from './conv-analysis.js';

export class ConvDocumentBuilder extends DefaultDocumentBuilder {
    private readonly documents: LangiumDocuments;
    private readonly files: FileSystemProvider;

    constructor(services: LangiumSharedServices) {
        super(services);
        this.documents = services.workspace.LangiumDocuments;
        this.files = services.workspace.FileSystemProvider;
    }

    /**
     * Imports outside the workspace folders (or with no folder open at all) are read from disk
     * and built with the documents that import them, so `import "blocks.conv"` resolves wherever
     * the file is. This runs right after parsing, when the imports of changed files are known.
     */
    protected override async runCancelable(documents: LangiumDocument[], targetState: DocumentState, cancelToken: Cancellation.CancellationToken, callback: (document: LangiumDocument) => MaybePromise<unknown>): Promise<void> {
        if (targetState === DocumentState.IndexedContent) await this.loadImports(documents);
        return super.runCancelable(documents, targetState, cancelToken, callback);
    }

    private async loadImports(documents: LangiumDocument[]): Promise<void> {
        const queue = [...documents];
        const building = new Set(documents.map(d => d.uri.toString()));
        while (queue.length > 0) {
            const doc = queue.pop()! as LangiumDocument<ast.Model>;
            for (const imp of doc.parseResult?.value?.imports ?? []) {
                if (!imp.path) continue;
                const uri = resolveImport(doc.uri, imp.path);
                const key = uri.toString();
                if (building.has(key) || this.documents.hasDocument(uri)) continue;
                building.add(key);
                if (uri.scheme !== 'file' || !(await this.exists(uri))) continue;
                const loaded = await this.documents.getOrCreateDocument(uri);
                documents.push(loaded);
                queue.push(loaded);
            }
        }
    }

    private async exists(uri: LangiumDocument['uri']): Promise<boolean> {
        try {
            return (await this.files.stat(uri)).isFile;
        } catch {
            return false;
        }
    }

    protected override shouldRelink(document: LangiumDocument, changedUris: Set<string>): boolean {
        for (const uri of importedUris(document as LangiumDocument<ast.Model>, this.documents)) {
            if (changedUris.has(uri)) return true;
        }
        return this.indexManager.isAffected(document, changedUris);
    }
}
