/** Block names resolve to the file's own blocks and those of the files it imports. */
import { DefaultScopeProvider, EMPTY_SCOPE, type LangiumDocument, type ReferenceInfo, type Scope, AstUtils } from 'langium';
import type { LangiumServices } from 'langium/lsp';
import type * as ast from '../language/generated/ast.js';
import type { ConvAnalysisService } from './conv-analysis.js';

export class ConvScopeProvider extends DefaultScopeProvider {
    constructor(services: LangiumServices, private readonly analysis: () => ConvAnalysisService) {
        super(services);
    }

    override getScope(context: ReferenceInfo): Scope {
        if (!AstUtils.findRootNode(context.container).$document) return EMPTY_SCOPE; // a recovery leftover outside any document's AST
        if (context.property === 'callee') {
            const document = AstUtils.getDocument(context.container) as LangiumDocument<ast.Model>;
            const blocks: ast.Block[] = [];
            const own = document.parseResult.value.declarations.filter((d): d is ast.Block => d.$type === 'Block');
            blocks.push(...own);
            for (const doc of this.analysis().importClosure(document).found) {
                blocks.push(...doc.parseResult.value.declarations.filter((d): d is ast.Block => d.$type === 'Block'));
            }
            return this.createScopeForNodes(blocks.filter(b => b.name));
        }
        return super.getScope(context);
    }
}
