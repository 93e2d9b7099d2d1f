/**
 * Block names resolve to the file's own blocks and those of the files it imports; other names
 * (statements, parameters, inputs) to the local symbols of their network or block, as in
 * Langium's default. Scopes are built once per container and document state and looked up by
 * name in a map (Langium's default scans every local symbol of a network per reference, which is
 * quadratic in the size of a network).
 */
import { DefaultScopeProvider, EMPTY_SCOPE, stream, type AstNode, type AstNodeDescription, type LangiumDocument, type LocalSymbols, type ReferenceInfo, type Scope, type Stream, AstUtils } from 'langium';
import type { LangiumServices } from 'langium/lsp';
import type * as ast from '../language/generated/ast.js';
import type { ConvAnalysisService } from './conv-analysis.js';

/**
 * A scope over a fixed list of descriptions with the semantics of Langium's StreamScope (the
 * first element of a name wins; all elements, duplicates included, in order), looked up by map.
 */
export class ListScope implements Scope {
    private readonly byName = new Map<string, AstNodeDescription[]>();

    constructor(private readonly elements: readonly AstNodeDescription[], private readonly outerScope?: Scope) {
        for (const e of elements) {
            const list = this.byName.get(e.name);
            if (list) list.push(e);
            else this.byName.set(e.name, [e]);
        }
    }

    getElement(name: string): AstNodeDescription | undefined {
        return this.byName.get(name)?.[0] ?? this.outerScope?.getElement(name);
    }

    getElements(name: string): Stream<AstNodeDescription> {
        const local = stream(this.byName.get(name) ?? []);
        return this.outerScope ? local.concat(this.outerScope.getElements(name)) : local;
    }

    getAllElements(): Stream<AstNodeDescription> {
        const local = stream(this.elements);
        return this.outerScope ? local.concat(this.outerScope.getAllElements()) : local;
    }
}

interface BlockScope {
    /** The parsed roots the scope was built from: the document's and its imports', in order. */
    readonly roots: readonly AstNode[];
    readonly scope: Scope;
}

export class ConvScopeProvider extends DefaultScopeProvider {
    /** Per local-symbol table (replaced whenever a document's scopes are recomputed): container → reference type → its symbols of that type. */
    private readonly localScopes = new WeakMap<LocalSymbols, Map<AstNode, Map<string, readonly AstNodeDescription[]>>>();
    /** Per document: the scope of block names, valid while neither it nor its imports were reparsed. */
    private readonly blockScopes = new WeakMap<LangiumDocument, BlockScope>();

    constructor(services: LangiumServices, private readonly analysis: () => ConvAnalysisService) {
        super(services);
    }

    override getScope(context: ReferenceInfo): Scope {
        if (!AstUtils.findRootNode(context.container).$document) return EMPTY_SCOPE; // a recovery leftover outside any document's AST
        if (context.property === 'callee') return this.blockScope(AstUtils.getDocument(context.container) as LangiumDocument<ast.Model>);
        return this.localScope(context);
    }

    /** Langium's default scope (local symbols of every enclosing container, then the global scope), cached per container. */
    private localScope(context: ReferenceInfo): Scope {
        const referenceType = this.reflection.getReferenceType(context);
        const localSymbols = AstUtils.getDocument(context.container).localSymbols;
        const levels: Array<readonly AstNodeDescription[]> = [];
        if (localSymbols) {
            let perContainer = this.localScopes.get(localSymbols);
            if (!perContainer) this.localScopes.set(localSymbols, (perContainer = new Map()));
            let node: AstNode | undefined = context.container;
            do {
                if (localSymbols.has(node)) {
                    let byType = perContainer.get(node);
                    if (!byType) perContainer.set(node, (byType = new Map()));
                    let symbols = byType.get(referenceType);
                    if (!symbols) byType.set(referenceType, (symbols = localSymbols.getStream(node).filter(d => this.reflection.isSubtype(d.type, referenceType)).toArray()));
                    if (symbols.length > 0) levels.push(symbols);
                }
                node = node.$container;
            } while (node);
        }
        let result = this.getGlobalScope(referenceType, context);
        for (let i = levels.length - 1; i >= 0; i--) result = this.cachedScope(levels[i]!, result);
        return result;
    }

    /** One ListScope per symbol list and outer scope (the outer scope is the workspace-cached global scope, or another cached level). */
    private readonly listScopes = new WeakMap<readonly AstNodeDescription[], { outer: Scope; scope: Scope }>();

    private cachedScope(symbols: readonly AstNodeDescription[], outer: Scope): Scope {
        const known = this.listScopes.get(symbols);
        if (known && known.outer === outer) return known.scope;
        const scope = new ListScope(symbols, outer);
        this.listScopes.set(symbols, { outer, scope });
        return scope;
    }

    /** The document's own blocks, then those of its imports (breadth first), first of a name wins. */
    private blockScope(document: LangiumDocument<ast.Model>): Scope {
        const docs = [document, ...this.analysis().importClosure(document).found];
        const roots = docs.map(d => d.parseResult.value);
        const known = this.blockScopes.get(document);
        if (known && known.roots.length === roots.length && known.roots.every((r, i) => r === roots[i])) return known.scope;
        const descriptions: AstNodeDescription[] = [];
        for (const root of roots) {
            for (const d of root.declarations) {
                if (d.$type !== 'Block' || !d.name) continue;
                const name = this.nameProvider.getName(d);
                if (name) descriptions.push(this.descriptions.createDescription(d, name));
            }
        }
        const scope = new ListScope(descriptions);
        this.blockScopes.set(document, { roots, scope });
        return scope;
    }
}
