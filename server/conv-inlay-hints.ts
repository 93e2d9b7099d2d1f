/** Inlay hints: every statement's output shape and receptive field, e.g. `[N, 64, 56, 56] · rf 35 · j 4`. */
import { AstUtils, type AstNode, type LangiumDocument, type MaybePromise } from 'langium';
import type { InlayHintProvider } from 'langium/lsp';
import { InlayHint, InlayHintKind, type CancellationToken, type InlayHintParams } from 'vscode-languageserver';
import type * as ast from '../language/generated/ast.js';
import type { ConvServices } from './conv-module.js';
import { describeStatement } from './describe.js';

export interface HintOptions {
    shape: boolean;
    rf: boolean;
    params: boolean;
}

export class ConvInlayHintProvider implements InlayHintProvider {
    /** What the hints show; the client can change it through settings. */
    options: HintOptions = { shape: true, rf: true, params: false };

    constructor(private readonly services: ConvServices) {}

    getInlayHints(document: LangiumDocument, params: InlayHintParams, _token?: CancellationToken): MaybePromise<InlayHint[] | undefined> {
        const { converted, analysis } = this.services.analysis.Analyzer.analyze(document as LangiumDocument<ast.Model>);
        const hints: InlayHint[] = [];
        const { start, end } = params.range;
        for (const [node, stmt] of converted.stmtOf) {
            const cst = (node as AstNode).$cstNode;
            if (!cst) continue;
            const pos = cst.range.end;
            if (pos.line < start.line || pos.line > end.line) continue;
            const label = describeStatement(analysis, stmt, this.options);
            if (!label) continue;
            hints.push({ position: pos, label: `  ${label}`, kind: InlayHintKind.Type, paddingLeft: true });
        }
        void AstUtils;
        return hints;
    }
}
