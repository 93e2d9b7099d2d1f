/**
 * Diagnostics from the new-user review, through the language server: a name in an input
 * dimension other than the batch, Python's True / False.
 */
import { describe, expect, it } from 'vitest';
import { DiagnosticSeverity } from 'vscode-languageserver';
import { describeDiagnostics, marked, net, textAt, withCode } from './support.js';

async function at(text: string, code: string) {
    const { doc, ranges } = await marked(text);
    const found = withCode(doc, code);
    expect(found.length, `no '${code}' in ${describeDiagnostics(doc)}`).toBeGreaterThan(0);
    for (const d of found) expect(d.range, `'${code}' points at '${textAt(doc, d.range)}'`).toEqual(ranges[0]);
    return { doc, messages: found.map(d => String(d.message)), severity: found[0]!.severity };
}

describe('names in input dimensions', () => {
    it('reports a name in a dimension other than the first on that dimension', async () => {
        const { doc, messages, severity } = await at('network Net {\n    input x: [N, 3, <|H|>, 32]\n    conv2d(8, kernel_size=3)\n}\n', 'symbolic-dim');
        expect(severity).toBe(DiagnosticSeverity.Error);
        expect(messages).toEqual(['only the batch (first) dimension may be a name: make H a network parameter (network Net(H = 224) { ... })']);
        // no follow-up errors from the layers that read the input
        expect((doc.diagnostics ?? []).filter(d => d.severity === DiagnosticSeverity.Error)).toHaveLength(1);
    });

    it('reports each named dimension, and keeps the parameters already declared in the hint', async () => {
        const { doc } = await marked('network Net(c = 3) {\n    input x: [N, c, H, W]\n    conv2d(8, kernel_size=3)\n}\n');
        const found = withCode(doc, 'symbolic-dim').map(d => [textAt(doc, d.range), String(d.message)]);
        expect(found).toEqual([
            ['H', 'only the batch (first) dimension may be a name: make H a network parameter (network Net(..., H = 224) { ... })'],
            ['W', 'only the batch (first) dimension may be a name: make W a network parameter (network Net(..., W = 224) { ... })'],
        ]);
    });

    it('accepts network parameters in any dimension and a name as the batch', async () => {
        const { doc } = await marked('network G(latent = 100, size = 8) {\n    input z: [B, latent, size, size]\n    conv2d(8, kernel_size=3)\n}\n');
        expect((doc.diagnostics ?? []).filter(d => d.severity === DiagnosticSeverity.Error), describeDiagnostics(doc)).toEqual([]);
    });
});

describe("Python's True and False", () => {
    it.each([['False', 'false'], ['True', 'true']])("'%s' is not defined suggests %s", async (written, lower) => {
        const { messages } = await at(net(`    conv2d(8, kernel_size=3, bias=<|${written}|>)`), 'undefined-name');
        expect(messages[0]).toBe(`'${written}' is not defined — did you mean ${lower}? (booleans are written true / false)`);
    });

    it('None and none are values', async () => {
        const { doc } = await marked(net('    max_pool2d(2, stride=None) -> max_pool2d(2, stride=none)'));
        expect((doc.diagnostics ?? []).filter(d => d.severity === DiagnosticSeverity.Error), describeDiagnostics(doc)).toEqual([]);
    });
});
