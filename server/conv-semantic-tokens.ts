/**
 * Semantic tokens: what a word means, beyond what the TextMate grammar can see. Layers are
 * `function` + `defaultLibrary` (the registry's torch.nn functions), blocks `class` (user modules,
 * like an nn.Module subclass), networks `namespace`, block/network parameters `parameter`, tensor
 * names `variable`, symbolic batch names in input shapes `typeParameter`, argument names
 * `property`, and keywords, numbers, strings and operators. The legend is the standard LSP one.
 */
import type { AstNode } from 'langium';
import { AbstractSemanticTokenProvider, type SemanticTokenAcceptor } from 'langium/lsp';
import { SemanticTokenModifiers, SemanticTokenTypes } from 'vscode-languageserver';
import * as ast from '../language/generated/ast.js';
import { getLayer } from '../src/layers/index.js';

export class ConvSemanticTokenProvider extends AbstractSemanticTokenProvider {
    protected override highlightElement(node: AstNode, acceptor: SemanticTokenAcceptor): void {
        const declaration = SemanticTokenModifiers.declaration;
        if (ast.isImport(node)) {
            acceptor({ node, keyword: 'import', type: SemanticTokenTypes.keyword });
            acceptor({ node, property: 'path', type: SemanticTokenTypes.string });
        } else if (ast.isNetwork(node)) {
            acceptor({ node, keyword: 'network', type: SemanticTokenTypes.keyword });
            acceptor({ node, property: 'name', type: SemanticTokenTypes.namespace, modifier: declaration });
        } else if (ast.isBlock(node)) {
            acceptor({ node, keyword: 'block', type: SemanticTokenTypes.keyword });
            acceptor({ node, property: 'name', type: SemanticTokenTypes.class, modifier: declaration });
        } else if (ast.isParam(node)) {
            acceptor({ node, property: 'name', type: SemanticTokenTypes.parameter, modifier: declaration });
        } else if (ast.isInputDecl(node)) {
            acceptor({ node, keyword: 'input', type: SemanticTokenTypes.keyword });
            acceptor({ node, property: 'name', type: SemanticTokenTypes.variable, modifier: [declaration, SemanticTokenModifiers.readonly] });
        } else if (ast.isChain(node)) {
            if (node.name) acceptor({ node, property: 'name', type: SemanticTokenTypes.variable, modifier: declaration });
            for (let i = 0; i < node.calls.length - 1 + (node.source ? 1 : 0); i++) acceptor({ node, keyword: '->', index: i, type: SemanticTokenTypes.operator });
        } else if (ast.isCall(node)) {
            if (getLayer(node.callee?.$refText ?? '')) acceptor({ node, property: 'callee', type: SemanticTokenTypes.function, modifier: SemanticTokenModifiers.defaultLibrary });
            else if (node.callee?.ref) acceptor({ node, property: 'callee', type: SemanticTokenTypes.class });
        } else if (ast.isArgument(node)) {
            if (node.name) acceptor({ node, property: 'name', type: SemanticTokenTypes.property });
        } else if (ast.isSymbolRef(node)) {
            const target = node.binding.ref;
            if (ast.isParam(target)) acceptor({ node, property: 'binding', type: SemanticTokenTypes.parameter });
            else if (target) acceptor({ node, property: 'binding', type: SemanticTokenTypes.variable });
            else if (isInsideInputShape(node)) acceptor({ node, property: 'binding', type: SemanticTokenTypes.typeParameter });
        } else if (ast.isInputRef(node)) {
            acceptor({ node, keyword: 'input', type: SemanticTokenTypes.keyword });
        } else if (ast.isNumberLit(node)) {
            acceptor({ node, property: 'value', type: SemanticTokenTypes.number });
        } else if (ast.isStringLit(node)) {
            acceptor({ node, property: 'value', type: SemanticTokenTypes.string });
        } else if (ast.isBoolLit(node) || ast.isNoneLit(node)) {
            if (node.$cstNode) acceptor({ cst: node.$cstNode, type: SemanticTokenTypes.keyword });
        } else if (ast.isBinaryExpr(node)) {
            acceptor({ node, property: 'op', type: SemanticTokenTypes.operator });
        } else if (ast.isNegExpr(node)) {
            acceptor({ node, keyword: '-', type: SemanticTokenTypes.operator });
        }
    }
}

/** A name written directly as a dimension of `input x: [...]` (an unbound one is a symbolic batch). */
function isInsideInputShape(node: ast.SymbolRef): boolean {
    return ast.isInputDecl(node.$container);
}
