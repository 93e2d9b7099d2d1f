/**
 * Protocol smoke test: the bundled server (`node out/server/main.cjs --stdio`) as any LSP editor
 * sees it — initialize, didOpen, publishDiagnostics, inlay hints, hover, completion, rename,
 * didChange, shutdown and exit — over JSON-RPC on stdio. Builds the bundle first when it is
 * missing or older than the sources.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompletionItem, CompletionList, Hover, InlayHint, InitializeResult, Range, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { ensureServerBundle, LspClient } from '../../scripts/bench/lsp-client.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const URI = 'file:///protocol-test/tiny_resnet.conv';

const TEXT = `// A tiny ResNet for the protocol test.
network TinyResNet(classes = 10) {
    input image: [N, 3, 32, 32]
    conv2d(16, kernel_size=3, padding=1, bias=false)
    stem = batch_norm2d() -> relu()
    Basic(16)
    features = Basic(16) -> max_pool2d(kernel_size=2)
    adaptive_avg_pool2d(1) -> flatten() -> linear(classes)
}

block Basic(channels) {
    main = conv2d(channels, kernel_size=3, padding=1, bias=false)
        -> batch_norm2d() -> relu()
        -> conv2d(channels, kernel_size=3, padding=1, bias=false) -> batch_norm2d()
    add(main, input) -> relu()
}
`;

/** LSP position of the first occurrence of `needle` (plus `delta` characters). */
function positionOf(text: string, needle: string, delta = 0): { line: number; character: number } {
    const offset = text.indexOf(needle);
    if (offset < 0) throw new Error(`'${needle}' not in the document`);
    const before = text.slice(0, offset + delta).split('\n');
    return { line: before.length - 1, character: before[before.length - 1]!.length };
}

const labelText = (hint: InlayHint): string => (typeof hint.label === 'string' ? hint.label : hint.label.map(p => p.value).join(''));
const wholeDocument = (text: string): Range => ({ start: { line: 0, character: 0 }, end: { line: text.split('\n').length, character: 0 } });

describe('the bundled server over stdio', () => {
    let client: LspClient;
    let init: InitializeResult;

    beforeAll(async () => {
        ensureServerBundle(ROOT);
        client = LspClient.start({ root: ROOT });
        init = await client.initialize();
    }, 120_000);

    afterAll(() => client?.kill());

    it('announces inlay hints, hover, completion and rename', () => {
        const caps = init.capabilities;
        expect(caps.inlayHintProvider).toBeTruthy();
        expect(caps.hoverProvider).toBeTruthy();
        expect(caps.completionProvider).toBeTruthy();
        expect(caps.renameProvider).toBeTruthy();
        expect(caps.textDocumentSync).toBeTruthy();
    });

    it('publishes diagnostics for an opened document: none for a valid ResNet', async () => {
        const from = client.received.length;
        await client.open(URI, TEXT);
        const { diagnostics } = await client.waitForDiagnostics(URI, { from });
        expect(diagnostics.filter(d => d.severity === 1 || d.severity === 2).map(d => (typeof d.message === 'string' ? d.message : d.message.value))).toEqual([]);
    });

    it('shows the output shape of a statement as an inlay hint at its end', async () => {
        const hints = await client.request<InlayHint[] | null>('textDocument/inlayHint', { textDocument: { uri: URI }, range: wholeDocument(TEXT) });
        expect(hints).not.toBeNull();
        const stemConv = positionOf(TEXT, 'bias=false)\n    stem', 'bias=false)'.length);
        const onStem = hints!.filter(h => h.position.line === stemConv.line);
        expect(onStem.map(labelText).join(' ')).toContain('[N, 16, 32, 32]');
        const head = hints!.find(h => h.position.line === positionOf(TEXT, 'linear(classes)').line);
        expect(head && labelText(head)).toContain('[N, 10]');
    });

    it('answers hover on a layer call', async () => {
        const hover = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri: URI }, position: positionOf(TEXT, 'conv2d(16', 2) });
        expect(hover).not.toBeNull();
        const contents = hover!.contents;
        const text = typeof contents === 'string' ? contents : Array.isArray(contents) ? contents.map(c => (typeof c === 'string' ? c : c.value)).join('\n') : contents.value;
        expect(text).toContain('conv2d');
    });

    it('completes layer and block names at the start of a statement', async () => {
        const position = positionOf(TEXT, '    Basic(16)\n', 4);
        const result = await client.request<CompletionList | CompletionItem[] | null>('textDocument/completion', { textDocument: { uri: URI }, position });
        const items = Array.isArray(result) ? result : result?.items ?? [];
        const labels = items.map(i => i.label);
        expect(labels).toContain('conv2d');
        expect(labels).toContain('Basic');
    });

    it('renames a tensor name at its definition and every use', async () => {
        const position = positionOf(TEXT, 'main = ', 1);
        const prepared = await client.request<Range | { range: Range } | null>('textDocument/prepareRename', { textDocument: { uri: URI }, position });
        expect(prepared).not.toBeNull();
        const edit = await client.request<WorkspaceEdit | null>('textDocument/rename', { textDocument: { uri: URI }, position, newName: 'body' });
        const edits = edit?.changes?.[URI] ?? edit?.documentChanges?.flatMap(c => ('edits' in c && c.textDocument.uri === URI ? c.edits : [])) ?? [];
        const lines = edits.map(e => e.range.start.line).sort((a, b) => a - b);
        expect(lines).toEqual([positionOf(TEXT, 'main = ').line, positionOf(TEXT, 'add(main').line]);
        expect(edits.every(e => 'newText' in e && e.newText === 'body')).toBe(true);
    });

    it('reports an error after an edit breaks the document, and clears it after the fix', async () => {
        const at = positionOf(TEXT, 'kernel_size=2)', 'kernel_size='.length);
        let from = client.received.length;
        await client.change(URI, 2, [{ range: { start: at, end: at }, text: '0' }]); // kernel_size=02: still 2
        await client.waitForDiagnostics(URI, { from });
        from = client.received.length;
        await client.change(URI, 3, [{ range: { start: at, end: { line: at.line, character: at.character + 2 } }, text: '99' }]);
        const broken = await client.waitForDiagnostics(URI, { from });
        const errors = broken.diagnostics.filter(d => d.severity === 1);
        expect(errors.length).toBeGreaterThan(0);
        expect(errors[0]!.range.start.line).toBe(at.line);
        from = client.received.length;
        await client.change(URI, 4, [{ range: { start: at, end: { line: at.line, character: at.character + 2 } }, text: '2' }]);
        const fixed = await client.waitForDiagnostics(URI, { from });
        expect(fixed.diagnostics.filter(d => d.severity === 1)).toEqual([]);
    });

    it('keeps answering after syntax errors', async () => {
        const uri = 'file:///protocol-test/broken.conv';
        const broken = 'network Broken {\n    input x: [N, 3, 8\n    conv2d(8, kernel_size=) -> -> relu(\n}\nblock {\n';
        const from = client.received.length;
        await client.open(uri, broken);
        const { diagnostics } = await client.waitForDiagnostics(uri, { from });
        expect(diagnostics.length).toBeGreaterThan(0);
        const hints = await client.request<InlayHint[] | null>('textDocument/inlayHint', { textDocument: { uri }, range: wholeDocument(broken) });
        expect(Array.isArray(hints) || hints === null).toBe(true);
        await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 6 } });
        await client.request('textDocument/completion', { textDocument: { uri }, position: { line: 2, character: 26 } });
        await client.close(uri);
    });

    it('shuts down and exits with code 0', async () => {
        expect(await client.stop()).toBe(0);
    });
});
