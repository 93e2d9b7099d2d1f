/** Every editor feature answers on broken text, at every position, without throwing. */
import { describe, expect, it } from 'vitest';
import type { LangiumDocument } from 'langium';
import { Conv, document } from './support.js';

const broken = [
    'network Broken {\n    input x: [N, 3, 8\n    conv2d(8, kernel_size=) -> -> relu(\n}\nblock {\n',
    'network A(c = ) {\n    input x: [N, 3, 8, 8]\n    y = x -> conv2d(c // , padding=(1,\n    add(y, \n}',
    'block B(k) {\n    conv2d(8, kernel_size=k)\n    add(input, \n}\nnetwork N { input x: [N, 3, 4, 4] B(3) B(\n',
    'import "missing.conv"\nnetwork T {\n    input x: [N, 3, 8, 8]\n    conv2d(8, kernel_size=9) -> linear(4, in_features=3)\n    /* unterminated',
];

async function everything(doc: LangiumDocument, offset: number): Promise<void> {
    const textDocument = { uri: doc.uri.toString() };
    const position = doc.textDocument.positionAt(offset);
    const range = { start: position, end: position };
    const lsp = Conv.lsp;
    await lsp.HoverProvider!.getHoverContent(doc, { textDocument, position });
    await lsp.CompletionProvider!.getCompletion(doc, { textDocument, position });
    await lsp.CodeActionProvider!.getCodeActions(doc, { textDocument, range, context: { diagnostics: doc.diagnostics ?? [] } });
    await lsp.RenameProvider!.prepareRename(doc, { textDocument, position });
    await lsp.DefinitionProvider!.getDefinition(doc, { textDocument, position });
}

describe('robustness', () => {
    it.each(broken.map((text, i) => [i, text] as const))('answers every request on broken text #%i', async (_i, text) => {
        const doc = await document(text);
        const textDocument = { uri: doc.uri.toString() };
        const whole = { start: { line: 0, character: 0 }, end: doc.textDocument.positionAt(text.length) };
        const lsp = Conv.lsp;
        expect(Array.isArray(await lsp.DocumentSymbolProvider!.getSymbols(doc, { textDocument }))).toBe(true);
        expect(Array.isArray(await lsp.FoldingRangeProvider!.getFoldingRanges(doc, { textDocument }))).toBe(true);
        expect(Array.isArray(await lsp.Formatter!.formatDocument(doc, { textDocument, options: { tabSize: 4, insertSpaces: true } }))).toBe(true);
        expect(Array.isArray(await lsp.CodeLensProvider!.provideCodeLens(doc, { textDocument }))).toBe(true);
        expect(Array.isArray(await lsp.InlayHintProvider!.getInlayHints(doc, { textDocument, range: whole }))).toBe(true);
        expect((await lsp.SemanticTokenProvider!.semanticHighlight(doc, { textDocument })).data).toBeDefined();
        for (let offset = 0; offset <= text.length; offset++) await everything(doc, offset);
    });
});
