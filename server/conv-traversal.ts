/**
 * Faster versions of the whole-document passes of Langium's build (local symbols, linking,
 * reference index, validation). Langium walks the AST with lazy streams and awaits
 * `interruptAndCheck` once per node, which for a file of thousands of statements costs more than
 * the work itself. These walk it with plain recursion — the same nodes and references, in the
 * same order (pre-order; a node's references in property order) — and check for cancellation
 * every few hundred nodes.
 */
import {
    DefaultLinker, DefaultReferenceDescriptionProvider, DefaultScopeComputation, interruptAndCheck, isAstNode, isMultiReference, isReference, MultiMap,
    type AstNode, type LangiumDocument, type LocalSymbols, type ReferenceDescription, type ReferenceInfo, type ValidationAcceptor, type ValidationOptions, Cancellation,
} from 'langium';
import { ConvDocumentValidator } from './conv-validator.js';

type CancellationToken = Cancellation.CancellationToken;

/** How many nodes between two cancellation checks. */
const CHECK_EVERY = 256;

/** Every AST node under `root` (root included, unless `skipRoot`), pre-order, as streamAst visits them. */
export function allNodes(root: AstNode, skipRoot = false): AstNode[] {
    const out: AstNode[] = [];
    const visit = (node: AstNode): void => {
        out.push(node);
        for (const key in node) {
            if (key.charCodeAt(0) === 36 /* $ */) continue;
            const value = (node as unknown as Record<string, unknown>)[key];
            if (Array.isArray(value)) {
                for (const item of value) if (isAstNode(item)) visit(item);
            } else if (isAstNode(value)) visit(value);
        }
    };
    visit(root);
    if (skipRoot) out.shift();
    return out;
}

/** Every cross-reference under `root`, as streamAst + streamReferences list them. */
export function allReferences(root: AstNode): ReferenceInfo[] {
    const out: ReferenceInfo[] = [];
    for (const node of allNodes(root)) {
        for (const property in node) {
            if (property.charCodeAt(0) === 36) continue;
            const value = (node as unknown as Record<string, unknown>)[property];
            if (isReference(value) || isMultiReference(value)) out.push({ reference: value, container: node, property });
            else if (Array.isArray(value)) {
                for (let index = 0; index < value.length; index++) {
                    const element: unknown = value[index];
                    if (isReference(element) || isMultiReference(element)) out.push({ reference: element, container: node, property, index });
                }
            }
        }
    }
    return out;
}

export class ConvScopeComputation extends DefaultScopeComputation {
    override async collectLocalSymbols(document: LangiumDocument, cancelToken: CancellationToken = Cancellation.CancellationToken.None): Promise<LocalSymbols> {
        const symbols = new MultiMap<AstNode, ReturnType<typeof this.descriptions.createDescription>>();
        const nodes = allNodes(document.parseResult.value, true);
        for (let i = 0; i < nodes.length; i++) {
            if (i % CHECK_EVERY === 0) await interruptAndCheck(cancelToken);
            this.addLocalSymbol(nodes[i]!, document, symbols);
        }
        return symbols;
    }
}

export class ConvLinker extends DefaultLinker {
    override async link(document: LangiumDocument, cancelToken: CancellationToken = Cancellation.CancellationToken.None): Promise<void> {
        const refs = allReferences(document.parseResult.value);
        for (let i = 0; i < refs.length; i++) {
            if (i % CHECK_EVERY === 0) await interruptAndCheck(cancelToken);
            this.doLink(refs[i]!, document);
        }
    }
}

export class ConvReferenceDescriptionProvider extends DefaultReferenceDescriptionProvider {
    override async createDescriptions(document: LangiumDocument, cancelToken: CancellationToken = Cancellation.CancellationToken.None): Promise<ReferenceDescription[]> {
        const descr: ReferenceDescription[] = [];
        const refs = allReferences(document.parseResult.value);
        for (let i = 0; i < refs.length; i++) {
            if (i % CHECK_EVERY === 0) await interruptAndCheck(cancelToken);
            const refInfo = refs[i]!;
            if (!refInfo.reference.error) descr.push(...this.createInfoDescriptions(refInfo));
        }
        return descr;
    }
}

/** The validator's AST pass without a stream and an await per node (checks are looked up once per node type). */
export class FastAstValidator extends ConvDocumentValidator {
    protected override async validateAstNodes(rootNode: AstNode, options: ValidationOptions, acceptor: ValidationAcceptor, cancelToken: CancellationToken = Cancellation.CancellationToken.None): Promise<void> {
        if (this.profiler?.isActive('validating')) return super.validateAstNodes(rootNode, options, acceptor, cancelToken);
        // The nodes to validate, in streamAst's order, pruned where validateSingleNodeOptions says so.
        const nodes: AstNode[] = [];
        const visit = (node: AstNode): void => {
            const nodeOptions = this.validateSingleNodeOptions(node, options);
            if (nodeOptions.validateNode) nodes.push(node);
            if (!nodeOptions.validateChildren) return;
            for (const key in node) {
                if (key.charCodeAt(0) === 36) continue;
                const value = (node as unknown as Record<string, unknown>)[key];
                if (Array.isArray(value)) {
                    for (const item of value) if (isAstNode(item)) visit(item);
                } else if (isAstNode(value)) visit(value);
            }
        };
        visit(rootNode);
        const checksOf = new Map<string, ReturnType<typeof this.validationRegistry.getChecks> extends { toArray(): infer A } ? A : never>();
        for (let i = 0; i < nodes.length; i++) {
            if (i % CHECK_EVERY === 0) await interruptAndCheck(cancelToken);
            const node = nodes[i]!;
            let checks = checksOf.get(node.$type);
            if (!checks) checksOf.set(node.$type, (checks = this.validationRegistry.getChecks(node.$type, options.categories).toArray()));
            for (const check of checks) await check(node, acceptor, cancelToken);
        }
    }
}
