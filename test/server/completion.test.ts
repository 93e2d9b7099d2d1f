/** Completion: layers and blocks where a call goes, argument names and values, names in scope. */
import { describe, expect, it } from 'vitest';
import { expectCompletion } from 'langium/test';
import { CompletionItemKind, InsertTextFormat, type CompletionItem } from 'vscode-languageserver';
import { layers } from '../../src/layers/index.js';
import { Conv, folder, marked, net } from './support.js';

async function complete(text: string, path?: string): Promise<CompletionItem[]> {
    const { doc, cursors } = await marked(text, path);
    const list = await Conv.lsp.CompletionProvider!.getCompletion(doc, { textDocument: { uri: doc.uri.toString() }, position: cursors[0]! });
    return list?.items ?? [];
}

const labels = (items: CompletionItem[]) => items.map(i => i.label);
const withBlock = (body: string) => `${net(body)}block Down(channels, stride = 2) {\n    conv2d(channels, kernel_size=3, stride=stride)\n}\n`;

describe('completion of callees', () => {
    it('offers every layer and the blocks at the start of a statement', async () => {
        const items = labels(await complete(withBlock('    <|>')));
        expect(items).toEqual(expect.arrayContaining([...layers.keys(), 'Down']));
    });

    it('offers layers and blocks after ->, and no tensor names', async () => {
        const items = labels(await complete(withBlock('    y = conv2d(8, kernel_size=3) -> <|>')));
        expect(items).toEqual(expect.arrayContaining(['conv2d', 'relu', 'Down']));
        expect(items).not.toContain('x');
        expect(items).not.toContain('input');
    });

    it('offers conv1d, conv2d, conv3d and the transposed convolutions for a half-typed conv', async () => {
        // In the order the items sort (expectCompletion sorts by sortText, which localeCompare orders).
        const expected = [...layers.keys()].filter(name => name.startsWith('conv')).sort((a, b) => a.localeCompare(b));
        expect(expected).toEqual(expect.arrayContaining(['conv1d', 'conv2d', 'conv3d', 'conv_transpose2d']));
        await expectCompletion(Conv)({ text: net('    conv<|>'), index: 0, expectedItems: expected, disposeAfterCheck: true });
    });

    it('inserts a layer as a snippet with its required arguments as placeholders, documented with signature and doc', async () => {
        const item = (await complete(net('    conv2<|>'))).find(i => i.label === 'conv2d');
        expect(item?.insertTextFormat).toBe(InsertTextFormat.Snippet);
        expect(item?.textEdit?.newText).toBe('conv2d(${1:out_channels}, kernel_size=${2:kernel_size})$0');
        expect(item?.detail).toBe('torch.nn.Conv2d');
        expect(item?.kind).toBe(CompletionItemKind.Function);
        const doc = item?.documentation;
        expect(typeof doc === 'object' && doc.value).toContain('conv2d(out_channels, kernel_size, stride=1');
        expect(typeof doc === 'object' && doc.value).toContain('2-D convolution');
    });

    it('inserts only the name when the parentheses are already there', async () => {
        const item = (await complete(net('    conv2<|>(8, kernel_size=3)'))).find(i => i.label === 'conv2d');
        expect(item?.textEdit?.newText).toBe('conv2d');
    });

    it('offers a block with a snippet of its required parameters', async () => {
        const item = (await complete(withBlock('    Do<|>'))).find(i => i.label === 'Down');
        expect(item?.textEdit?.newText).toBe('Down(${1:channels})$0');
        expect(item?.detail).toBe('block Down(channels, stride = 2)');
    });

    it('offers blocks of imported files', async () => {
        const dir = folder();
        await marked('block Lib(c) {\n    conv2d(c, kernel_size=1)\n}\n', `${dir}/lib.conv`);
        const items = labels(await complete(`import "lib.conv"\n${net('    <|>')}`, `${dir}/main.conv`));
        expect(items).toContain('Lib');
    });

    it('does not offer blocks of files that are not imported', async () => {
        const dir = folder();
        await marked('block Elsewhere {\n    relu()\n}\n', `${dir}/lib.conv`);
        const items = labels(await complete(net('    <|>'), `${dir}/main.conv`));
        expect(items).not.toContain('Elsewhere');
    });
});

describe('completion of arguments', () => {
    it('offers the argument names not given yet, with defaults and docs', async () => {
        const items = await complete(net('    conv2d(8, kernel_size=3, <|>)'));
        const names = labels(items).filter(l => l.endsWith('='));
        expect(names).toEqual(['stride=', 'padding=', 'dilation=', 'groups=', 'bias=', 'padding_mode=', 'in_channels=']);
        const stride = items.find(i => i.label === 'stride=');
        expect(stride?.detail).toBe('default 1');
        expect(typeof stride?.documentation === 'object' && stride.documentation.value).toBe('Step between windows.');
    });

    it('leaves out arguments given positionally and ones given later in the call', async () => {
        const names = labels(await complete(net('    conv2d(8, 3, <|>, bias=false)'))).filter(l => l.endsWith('='));
        expect(names).not.toContain('out_channels=');
        expect(names).not.toContain('kernel_size=');
        expect(names).not.toContain('bias=');
        expect(names).toContain('stride=');
    });

    it('marks a required argument and offers it first', async () => {
        const items = await complete(net('    conv2d(8, <|>)'));
        const args = items.filter(i => String(i.label).endsWith('=')).sort((a, b) => (a.sortText ?? '').localeCompare(b.sortText ?? ''));
        expect(args[0]?.label).toBe('kernel_size=');
        expect(args[0]?.detail).toBe('required');
    });

    it('completes a half-typed argument name', async () => {
        const items = labels(await complete(net('    conv2d(8, ker<|>)')));
        expect(items).toEqual(['kernel_size=']);
    });

    it("offers a block's parameters inside its call", async () => {
        const names = labels(await complete(withBlock('    Down(64, <|>)'))).filter(l => l.endsWith('='));
        expect(names).toEqual(['stride=']);
    });

    it("offers 'same' and 'valid' after padding=", async () => {
        const items = labels(await complete(net('    conv2d(8, kernel_size=3, padding=<|>)')));
        expect(items).toEqual(expect.arrayContaining(["'same'", "'valid'"]));
        expect(items).not.toContain('true');
    });

    it('offers the padding modes after padding_mode=, the default marked', async () => {
        const items = await complete(net('    conv2d(8, kernel_size=3, padding_mode=<|>)'));
        expect(labels(items).slice(0, 4)).toEqual(["'zeros'", "'reflect'", "'replicate'", "'circular'"]);
        expect(items.find(i => i.label === "'zeros'")?.detail).toBe('padding_mode (default)');
    });

    it('offers true and false after bias=, and None where an argument may be None', async () => {
        expect(labels(await complete(net('    conv2d(8, kernel_size=3, bias=<|>)')))).toEqual(expect.arrayContaining(['true', 'false']));
        expect(labels(await complete(net('    conv2d(8, kernel_size=3, in_channels=<|>)')))).toContain('None');
    });
});

describe('completion of names', () => {
    it('offers earlier statements, inputs and parameters where an expression goes, with their shapes', async () => {
        const items = await complete(`network T(width = 8) {\n    input x: [N, 3, 8, 8]\n    a = conv2d(width, kernel_size=3)\n    b = x -> conv2d(width, kernel_size=1)\n    add(<|>)\n    later = relu()\n}`);
        expect(labels(items)).toEqual(expect.arrayContaining(['width', 'x', 'a', 'b']));
        expect(labels(items)).not.toContain('later');
        expect(items.find(i => i.label === 'a')?.detail).toBe('[N, 8, 6, 6]');
        expect(items.find(i => i.label === 'width')?.detail).toBe('parameter = 8');
    });

    it('offers names as the source of a statement', async () => {
        const items = labels(await complete(net('    y = conv2d(8, kernel_size=3)\n    <|>')));
        expect(items).toEqual(expect.arrayContaining(['x', 'y', 'conv2d']));
    });

    it("offers 'input' and the block's parameters inside a block", async () => {
        const items = labels(await complete('block B(channels) {\n    main = conv2d(channels, kernel_size=3)\n    add(main, <|>)\n}'));
        expect(items).toEqual(expect.arrayContaining(['input', 'main', 'channels']));
    });

    it("does not offer 'input' as a tensor in a network", async () => {
        const items = labels(await complete(net('    y = conv2d(8, kernel_size=3)\n    add(y, <|>)')));
        expect(items).toContain('x');
        expect(items).not.toContain('input');
    });

    it('offers the parameters in an argument value', async () => {
        const items = labels(await complete('block B(channels) {\n    conv2d(channels * 2, kernel_size=<|>)\n}'));
        expect(items).toContain('channels');
    });
});
