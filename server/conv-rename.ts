/**
 * Rename: Langium's (every reference, across the files that import the declaration), restricted
 * to what can be renamed — networks, blocks, parameters, inputs and named statements, not layer
 * names or keyword arguments — and refusing names that are not identifiers, are keywords, are
 * already taken in the same scope, or (for blocks) would be hidden by a layer of that name.
 */
import { CstUtils, type AstNode, type LangiumDocument } from 'langium';
import { DefaultRenameProvider } from 'langium/lsp';
import { ErrorCodes, ResponseError, type CancellationToken, type PrepareRenameParams, type Range, type RenameParams, type WorkspaceEdit } from 'vscode-languageserver';
import * as ast from '../language/generated/ast.js';
import { getLayer } from '../src/layers/index.js';
import type { ConvServices } from './conv-module.js';
import { IDENTIFIER, KEYWORDS } from './conv-nodes.js';

type Renameable = ast.Declaration | ast.Binding;

export class ConvRenameProvider extends DefaultRenameProvider {
    constructor(private readonly services: ConvServices) {
        super(services);
    }

    override async rename(document: LangiumDocument, params: RenameParams, token?: CancellationToken): Promise<WorkspaceEdit | undefined> {
        const target = this.targetAt(document, params.position);
        if (!target) throw new ResponseError(ErrorCodes.InvalidRequest, 'only networks, blocks, parameters, inputs and named statements can be renamed');
        const problem = this.checkName(target, params.newName);
        if (problem) throw new ResponseError(ErrorCodes.InvalidParams, problem);
        return super.rename(document, params, token);
    }

    override prepareRename(document: LangiumDocument, params: PrepareRenameParams, token?: CancellationToken): Promise<Range | undefined> | Range | undefined {
        return this.targetAt(document, params.position) ? super.prepareRename(document, params, token) : undefined;
    }

    /** Why `name` cannot be the new name of `target`, or undefined when it can. */
    checkName(target: Renameable, name: string): string | undefined {
        if (!IDENTIFIER.test(name)) return `'${name}' is not a valid name: use letters, digits and _, not starting with a digit`;
        if (KEYWORDS.has(name)) return `'${name}' is a keyword`;
        if (name === target.name) return undefined;
        if (ast.isBlock(target) && getLayer(name)) return `'${name}' is a layer: a block of that name would never be called`;
        if (ast.isNetwork(target) || ast.isBlock(target)) {
            const model = target.$container;
            if (model.declarations.some(d => d !== target && d.name === name)) return `'${name}' is already declared in this file`;
            if (ast.isBlock(target) && model.$document) {
                const imported = this.services.analysis.Analyzer.importClosure(model.$document as LangiumDocument<ast.Model>).found;
                if (imported.some(doc => doc.parseResult.value.declarations.some(d => d.name === name && ast.isBlock(d)))) return `a block '${name}' is already imported`;
            }
            return undefined;
        }
        const owner = ast.isParam(target) ? target.$container : target.$container;
        const taken = [...owner.params.map(p => p.name), ...owner.body.flatMap(s => (s.name ? [s.name] : []))];
        if (taken.includes(name)) return `'${name}' is already defined in ${owner.name}`;
        return undefined;
    }

    /** The declaration under the cursor, written there or referenced from there, when renameable. */
    targetAt(document: LangiumDocument, position: { line: number; character: number }): Renameable | undefined {
        const root = document.parseResult.value.$cstNode;
        if (!root) return undefined;
        const leaf = CstUtils.findDeclarationNodeAtOffset(root, document.textDocument.offsetAt(position), this.grammarConfig.nameRegexp);
        if (!leaf) return undefined;
        const declared: AstNode | undefined = this.references.findDeclarations(leaf)[0] ?? (this.isNameNode(leaf) ? leaf.astNode : undefined);
        return declared && (ast.isDeclaration(declared) || ast.isBinding(declared)) ? declared : undefined;
    }
}
