/**
 * Diagnostics: the core analysis' issues, placed on the offending argument's range, plus the
 * few checks that belong to the file itself (imports that cannot be found, duplicate
 * declarations). Langium's own linking errors are replaced by the analysis' messages, which
 * know about layers, symbolic batches and "did you mean".
 */
import { DefaultDocumentValidator, type LangiumDocument, type ValidationAcceptor, type ValidationChecks, type ValidationOptions } from 'langium';
import type { Diagnostic } from 'vscode-languageserver-types';
import type * as ast from '../language/generated/ast.js';
import type { ConvAstType } from '../language/generated/ast.js';
import type { ConvServices } from './conv-module.js';
import type { Severity } from '../src/layers/types.js';

export class ConvDocumentValidator extends DefaultDocumentValidator {
    protected override processLinkingErrors(_document: LangiumDocument, _diagnostics: Diagnostic[], _options: ValidationOptions): void {
        // Unresolved names and layers are reported by the analysis (see ConvValidator).
    }
}

const SEVERITY: Record<Severity, 'error' | 'warning' | 'info'> = { error: 'error', warning: 'warning', information: 'info' };

export class ConvValidator {
    constructor(private readonly services: ConvServices) {}

    checkModel(model: ast.Model, accept: ValidationAcceptor): void {
        const document = model.$document as LangiumDocument<ast.Model> | undefined;
        if (!document) return;
        const { analysis, missingImports } = this.services.analysis.Analyzer.analyze(document);
        for (const { node, uri } of missingImports) {
            accept('error', `cannot find '${node.path}' (looked for ${uri.path}): imports are relative to this file`, { node, property: 'path', code: 'missing-import' });
        }
        const names = new Map<string, ast.Declaration>();
        for (const d of model.declarations) {
            if (!d.name) continue;
            const earlier = names.get(d.name);
            if (earlier) accept('error', `'${d.name}' is already declared on line ${(earlier.$cstNode?.range.start.line ?? 0) + 1}`, { node: d, property: 'name', code: 'duplicate-name' });
            else names.set(d.name, d);
        }
        const file = document.uri.toString();
        for (const issue of analysis.issues) {
            if (issue.loc.file !== file) continue;
            accept(SEVERITY[issue.severity], issue.message, {
                node: model,
                range: { start: issue.loc.start, end: issue.loc.end },
                code: issue.code,
                relatedInformation: issue.related.map(r => ({ location: { uri: r.loc.file, range: { start: r.loc.start, end: r.loc.end } }, message: r.message })),
            });
        }
    }
}

export function registerValidationChecks(services: ConvServices): void {
    const validator = new ConvValidator(services);
    const checks: ValidationChecks<ConvAstType> = {
        Model: validator.checkModel.bind(validator),
    };
    services.validation.ValidationRegistry.register(checks, validator);
}
