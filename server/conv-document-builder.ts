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
import { DefaultDocumentBuilder, type LangiumDocument, type LangiumDocuments } from 'langium';
import type { LangiumSharedServices } from 'langium/lsp';
import type * as ast from '../language/generated/ast.js';
import { importedUris } from './conv-analysis.js';

export class ConvDocumentBuilder extends DefaultDocumentBuilder {
    private readonly documents: LangiumDocuments;

    constructor(services: LangiumSharedServices) {
        super(services);
        this.documents = services.workspace.LangiumDocuments;
    }

    protected override shouldRelink(document: LangiumDocument, changedUris: Set<string>): boolean {
        for (const uri of importedUris(document as LangiumDocument<ast.Model>, this.documents)) {
            if (changedUris.has(uri)) return true;
        }
        return this.indexManager.isAffected(document, changedUris);
    }
}
