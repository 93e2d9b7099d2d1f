/**
 * Inlay hints: every statement's output shape and receptive field, e.g. `[N, 64, 56, 56] · rf 35 · j 4`.
 * What they show follows the client's `convscope.inlayHints` settings ({ shape, rf, params }),
 * read through Langium's ConfigurationProvider (section `convscope`, see ConvConfigurationProvider);
 * `options` holds the defaults.
 */
import { DefaultConfigurationProvider, type LangiumDocument } from 'langium';
import type { InlayHintProvider } from 'langium/lsp';
import { InlayHintKind, type CancellationToken, type InlayHint, type InlayHintParams } from 'vscode-languageserver';
import type * as ast from '../language/generated/ast.js';
import type { ConvServices } from './conv-module.js';
import { describeStatement } from './describe.js';

export interface HintOptions {
    shape: boolean;
    rf: boolean;
    params: boolean;
}

/** The settings section the client's `convscope.*` settings arrive in. */
export const SETTINGS_SECTION = 'convscope';

/** Settings for the `conv` language live under `convscope` (the extension's name), not `conv`. */
export class ConvConfigurationProvider extends DefaultConfigurationProvider {
    protected override toSectionName(languageId: string): string {
        return languageId === 'conv' ? SETTINGS_SECTION : languageId;
    }
}

export class ConvInlayHintProvider implements InlayHintProvider {
    /** Defaults, overridden per key by the client's `convscope.inlayHints` settings. */
    options: HintOptions = { shape: true, rf: true, params: false };

    constructor(private readonly services: ConvServices) {
        const shared = services.shared;
        // Hints already shown follow a settings change at once.
        shared.workspace.ConfigurationProvider.onConfigurationSectionUpdate(update => {
            if (update.section !== SETTINGS_SECTION) return;
            const connection = shared.lsp.Connection;
            connection?.languages.inlayHint.refresh().catch(() => undefined);
        });
    }

    /** The options in effect: defaults overridden by the client's settings. */
    async currentOptions(): Promise<HintOptions> {
        const configured: unknown = await this.services.shared.workspace.ConfigurationProvider.getConfiguration(this.services.LanguageMetaData.languageId, 'inlayHints');
        const options = { ...this.options };
        if (configured && typeof configured === 'object') {
            for (const key of ['shape', 'rf', 'params'] as const) {
                const value = (configured as Record<string, unknown>)[key];
                if (typeof value === 'boolean') options[key] = value;
            }
        }
        return options;
    }

    async getInlayHints(document: LangiumDocument, params: InlayHintParams, _token?: CancellationToken): Promise<InlayHint[] | undefined> {
        const options = await this.currentOptions();
        const { converted, analysis } = this.services.analysis.Analyzer.analyze(document as LangiumDocument<ast.Model>);
        const hints: InlayHint[] = [];
        const { start, end } = params.range;
        for (const [node, stmt] of converted.stmtOf) {
            const cst = node.$cstNode;
            if (!cst) continue;
            const pos = cst.range.end;
            if (pos.line < start.line || pos.line > end.line) continue;
            const label = describeStatement(analysis, stmt, options);
            if (!label) continue;
            hints.push({ position: pos, label: `  ${label}`, kind: InlayHintKind.Type, paddingLeft: true });
        }
        return hints;
    }
}
