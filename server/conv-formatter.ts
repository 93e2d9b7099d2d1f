/**
 * Formatting, Langium's way (AbstractFormatter): 4-space bodies, `->` continuation lines one
 * level deeper than their statement, one space around `=` in statements and parameter defaults,
 * none around `=` in keyword arguments, `, ` between arguments, no space inside brackets, one
 * space around binary operators. Line breaks the author chose inside a statement are kept (and
 * re-indented); blank lines are kept up to one. Idempotent: formatting formatted text changes nothing.
 */
import type { AstNode, CstNode } from 'langium';
import type { TextEdit } from 'vscode-languageserver';
import { AbstractFormatter, Formatting, type FormattingAction, type FormattingContext, type NodeFormatter } from 'langium/lsp';
import * as ast from '../language/generated/ast.js';

/** One space when on the same line, else a new line one level deeper. */
const continuation: FormattingAction = Formatting.fit(Formatting.oneSpace(), Formatting.indent());
/** Nothing when on the same line, else a new line one level deeper (first argument after `(`). */
const openContinuation: FormattingAction = Formatting.fit(Formatting.noSpace(), Formatting.indent());
/** A statement of a body: its own line, one blank line kept at most. */
const bodyLine: FormattingAction = Formatting.fit(Formatting.indent(), { options: {}, moves: [{ tabs: 1, lines: 2 }] });
/** After the imports: its own line, one blank line kept at most. */
const topLine: FormattingAction = Formatting.fit(Formatting.newLine(), Formatting.newLines(2));

export class ConvFormatter extends AbstractFormatter {
    /** Comments are re-indented by Langium; also keep at most one blank line above them. */
    protected override createHiddenTextEdits(previous: CstNode | undefined, hidden: CstNode, formatting: FormattingAction | undefined, context: FormattingContext): TextEdit[] {
        const edits = super.createHiddenTextEdits(previous, hidden, formatting, context);
        if (previous && hidden.range.start.line - previous.range.end.line > 2) {
            edits.unshift({ range: { start: previous.range.end, end: { line: hidden.range.start.line, character: 0 } }, newText: '\n\n' });
        }
        return edits;
    }

    protected override format(node: AstNode): void {
        if (ast.isModel(node)) this.model(node);
        else if (ast.isImport(node)) this.getNodeFormatter(node).keyword(';').prepend(Formatting.noSpace());
        else if (ast.isNetwork(node) || ast.isBlock(node)) this.declaration(node);
        else if (ast.isParam(node)) this.getNodeFormatter(node).keyword('=').surround(Formatting.oneSpace());
        else if (ast.isInputDecl(node)) this.input(node);
        else if (ast.isChain(node)) this.chain(node);
        else if (ast.isCall(node)) this.call(node);
        else if (ast.isArgument(node)) this.getNodeFormatter(node).keyword('=').surround(Formatting.noSpace());
        else if (ast.isBinaryExpr(node)) this.getNodeFormatter(node).property('op').surround(Formatting.oneSpace());
        else if (ast.isNegExpr(node)) this.getNodeFormatter(node).keyword('-').append(Formatting.noSpace());
        else if (ast.isParenExpr(node) || ast.isListExpr(node)) this.items(this.getNodeFormatter(node), ast.isParenExpr(node) ? ['(', ')'] : ['[', ']'], node.items);
    }

    private model(node: ast.Model): void {
        const f = this.getNodeFormatter(node);
        const top = [...node.imports, ...node.declarations].sort((a, b) => (a.$cstNode?.offset ?? 0) - (b.$cstNode?.offset ?? 0));
        const text = node.$cstNode?.text ?? '';
        const rootOffset = node.$cstNode?.offset ?? 0;
        top.forEach((child, i) => {
            const region = f.node(child);
            const previous = top[i - 1];
            if (!previous) {
                region.prepend(Formatting.noIndent());
                return;
            }
            // A comment right above a declaration stays attached to it.
            const between = text.slice((previous.$cstNode?.end ?? 0) - rootOffset, (child.$cstNode?.offset ?? 0) - rootOffset);
            const commented = between.trim().length > 0;
            if (ast.isImport(child) && ast.isImport(previous) || commented || ast.isImport(previous)) region.prepend(topLine);
            else region.prepend(Formatting.newLines(2));
        });
    }

    private declaration(node: ast.Network | ast.Block): void {
        const f = this.getNodeFormatter(node);
        f.property('name').prepend(Formatting.oneSpace());
        const open = f.keyword('{');
        const close = f.keyword('}');
        open.prepend(Formatting.oneSpace());
        if (node.params.length > 0 || f.keyword('(').nodes.length > 0) {
            f.keyword('(').prepend(Formatting.noSpace()).append(Formatting.noSpace());
            f.keyword(')').prepend(Formatting.noSpace());
            f.keywords(',').prepend(Formatting.noSpace()).append(Formatting.oneSpace());
        }
        // Statements and the comments between them, one level in.
        f.interior(open, close).prepend(bodyLine);
        close.prepend(node.body.length === 0 ? Formatting.fit(Formatting.noSpace(), Formatting.newLine()) : Formatting.newLine());
    }

    private input(node: ast.InputDecl): void {
        const f = this.getNodeFormatter(node);
        f.property('name').prepend(Formatting.oneSpace());
        f.keyword(':').prepend(Formatting.noSpace()).append(Formatting.oneSpace());
        f.keyword('[').append(Formatting.noSpace());
        f.keyword(']').prepend(Formatting.noSpace());
        f.keywords(',').prepend(Formatting.noSpace()).append(Formatting.oneSpace());
        f.keyword(';').prepend(Formatting.noSpace());
    }

    private chain(node: ast.Chain): void {
        const f = this.getNodeFormatter(node);
        if (node.name !== undefined) f.keyword('=').surround(Formatting.oneSpace());
        f.keywords('->').prepend(continuation).append(Formatting.oneSpace());
        f.keyword(';').prepend(Formatting.noSpace());
    }

    private call(node: ast.Call): void {
        const f = this.getNodeFormatter(node);
        f.keyword('(').prepend(Formatting.noSpace());
        this.items(f, ['(', ')'], node.args);
    }

    /** `(a, b)`: nothing inside the brackets, `, ` between items; items the author put on their own lines stay there. */
    private items(f: NodeFormatter<AstNode>, [open, close]: [string, string], items: readonly AstNode[]): void {
        f.keywords(',').prepend(Formatting.noSpace());
        items.forEach((item, i) => f.node(item).prepend(i === 0 ? openContinuation : continuation));
        if (items.length === 0) f.keyword(open).append(Formatting.noSpace());
        f.keyword(close).prepend(Formatting.fit(Formatting.noSpace(), Formatting.newLine()));
    }
}
