/** Inlay hints: shape and receptive field after every statement, configurable through the client's settings. */
import { afterEach, describe, expect, it } from 'vitest';
import type { InlayHint } from 'vscode-languageserver';
import { Conv, marked, net } from './support.js';

async function hints(text: string): Promise<Array<{ line: number; label: string }>> {
    const { doc } = await marked(text);
    const end = doc.textDocument.positionAt(doc.textDocument.getText().length);
    const result: InlayHint[] = (await Conv.lsp.InlayHintProvider!.getInlayHints(doc, { textDocument: { uri: doc.uri.toString() }, range: { start: { line: 0, character: 0 }, end } })) ?? [];
    return result.map(h => ({ line: h.position.line, label: String(h.label).trim() }));
}

function configure(settings: unknown): void {
    Conv.shared.workspace.ConfigurationProvider.updateConfiguration({ settings: { convscope: settings } });
}

describe('inlay hints', () => {
    afterEach(() => configure({}));

    it('show the shape, receptive field and jump after a statement', async () => {
        expect(await hints(net('    conv2d(64, kernel_size=7, stride=2, padding=3)', '[N, 3, 224, 224]'))).toEqual([
            { line: 1, label: '[N, 3, 224, 224] · rf 1 · j 1' },
            { line: 2, label: '[N, 64, 112, 112] · rf 7 · j 2' },
        ]);
    });

    it('sit at the end of a statement that continues over several lines', async () => {
        const result = await hints(net('    conv2d(64, kernel_size=3, padding=1)\n        -> relu()\n        -> max_pool2d(kernel_size=2)', '[N, 3, 32, 32]'));
        expect(result.at(-1)).toEqual({ line: 4, label: '[N, 64, 16, 16] · rf 4 · j 2' });
    });

    it('show each distinct result of a statement inside a block called twice', async () => {
        const result = await hints(`${net('    B()\n    B()', '[N, 3, 32, 32]')}block B {\n    conv2d(8, kernel_size=3)\n}\n`);
        expect(result.find(h => h.line === 6)?.label).toBe('[N, 8, 30, 30] · rf 3 · j 1  |  [N, 8, 28, 28] · rf 5 · j 1');
    });

    it('follow the convscope.inlayHints settings', async () => {
        const text = net('    conv2d(8, kernel_size=3)', '[N, 3, 10, 10]');
        configure({ inlayHints: { rf: false, params: true } });
        expect((await hints(text)).at(-1)?.label).toBe('[N, 8, 8, 8] · 224 params');
        configure({ inlayHints: { shape: false, rf: true } });
        expect((await hints(text)).at(-1)?.label).toBe('rf 3 · j 1');
    });

    it('show nothing for a statement that could not be evaluated', async () => {
        const result = await hints(net('    conv2d(8, kernel_size=40)', '[N, 3, 10, 10]'));
        expect(result.map(h => h.line)).toEqual([1]);
    });
});
