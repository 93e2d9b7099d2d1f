/**
 * Folding: networks and blocks (up to the line before `}`), statements that continue over several
 * lines (`->` chains, calls with one argument per line), block comments and runs of line comments.
 */
import { CstUtils, type LangiumDocument, type MaybePromise } from 'langium';
import type { FoldingRangeProvider } from 'langium/lsp';
import { FoldingRangeKind, type CancellationToken, type FoldingRange, type FoldingRangeParams } from 'vscode-languageserver';
import * as ast from '../language/generated/ast.js';

export class ConvFoldingRangeProvider implements FoldingRangeProvider {
    getFoldingRanges(document: LangiumDocument, _params: FoldingRangeParams, _token?: CancellationToken): MaybePromise<FoldingRange[]> {
        const model = document.parseResult.value as ast.Model;
        const ranges: FoldingRange[] = [];
        for (const decl of model.declarations) {
            const cst = decl.$cstNode;
            if (!cst) continue;
            const { start, end } = cst.range;
            // Keep the closing brace visible.
            const last = document.textDocument.getText().charAt(cst.end - 1) === '}' ? end.line - 1 : end.line;
            if (last > start.line) ranges.push({ startLine: start.line, endLine: last });
            for (const stmt of decl.body) {
                const range = stmt.$cstNode?.range;
                if (range && range.end.line > range.start.line) ranges.push({ startLine: range.start.line, endLine: range.end.line });
            }
        }
        const root = model.$cstNode;
        if (root) {
            let run: { start: number; end: number } | undefined;
            const flush = () => {
                if (run && run.end > run.start) ranges.push({ startLine: run.start, endLine: run.end, kind: FoldingRangeKind.Comment });
                run = undefined;
            };
            for (const leaf of CstUtils.flattenCst(root)) {
                if (!leaf.hidden) {
                    flush();
                    continue;
                }
                const { start, end } = leaf.range;
                if (leaf.tokenType.name === 'ML_COMMENT') {
                    flush();
                    if (end.line > start.line) ranges.push({ startLine: start.line, endLine: end.line, kind: FoldingRangeKind.Comment });
                } else if (leaf.tokenType.name === 'SL_COMMENT') {
                    // Consecutive whole-line comments fold together (a trailing comment starts no run).
                    const lineStart = document.textDocument.offsetAt({ line: start.line, character: 0 });
                    const ownLine = document.textDocument.getText().slice(lineStart, leaf.offset).trim() === '';
                    if (run && ownLine && start.line === run.end + 1) run.end = start.line;
                    else {
                        flush();
                        if (ownLine) run = { start: start.line, end: start.line };
                    }
                }
            }
            flush();
        }
        return ranges;
    }
}
