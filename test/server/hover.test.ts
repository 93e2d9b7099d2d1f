/** Hover: formulas with the numbers substituted, argument docs, block calls, tensor names. */
import { describe, expect, it } from 'vitest';
import type { Hover } from 'vscode-languageserver';
import { expectHover } from 'langium/test';
import { Conv, escapeRegExp, folder, marked, net } from './support.js';

async function hover(text: string, path?: string): Promise<string> {
    const { doc, cursors } = await marked(text, path);
    const result: Hover | undefined = await Conv.lsp.HoverProvider!.getHoverContent(doc, { textDocument: { uri: doc.uri.toString() }, position: cursors[0]! });
    const contents = result?.contents;
    return contents && typeof contents === 'object' && 'value' in contents ? contents.value : '';
}

const stem = net('    con<|>v2d(64, kernel_size=7, stride=2, padding=3, bias=false)', '[N, 3, 224, 224]');

describe('hover on a layer call', () => {
    it('shows the output-size formula with the numbers substituted', async () => {
        await expectHover(Conv)({ text: stem, index: 0, hover: escapeRegExp('H: ⌊(224 + 3 + 3 − 1·(7 − 1) − 1) / 2⌋ + 1 = 112'), disposeAfterCheck: true });
    });

    it("shows the signature with PyTorch's name, the doc, output shape, params, MACs and receptive field", async () => {
        const text = await hover(stem);
        expect(text).toContain('conv2d(out_channels, kernel_size, stride=1, padding=0');
        expect(text).toContain('`torch.nn.Conv2d`');
        expect(text).toContain('2-D convolution');
        expect(text).toContain('→ `[N, 64, 112, 112]`');
        expect(text).toContain('9,408 params');
        expect(text).toContain('118.01M MACs');
        expect(text).toContain('rf H, W: size 7, jump 2, start 0');
    });

    it('shows each distinct result of a layer inside a block called from several sites', async () => {
        const text = await hover(`${net('    B(3)\n    B(5)', '[N, 3, 32, 32]')}block B(k) {\n    con<|>v2d(8, kernel_size=k)\n}\n`);
        expect(text).toContain('H: ⌊(32 + 0 + 0 − 1·(3 − 1) − 1) / 1⌋ + 1 = 30');
        expect(text).toContain('H: ⌊(30 + 0 + 0 − 1·(5 − 1) − 1) / 1⌋ + 1 = 26');
        expect(text).toMatch(/via `B` called on line 3/);
        expect(text).toMatch(/via `B` called on line 4/);
    });

    it('shows at most three distinct results and says how many more there are', async () => {
        const text = await hover(`${net('    B(3)\n    B(3)\n    B(3)\n    B(3)\n    B(3)', '[N, 3, 64, 64]')}block B(k) {\n    con<|>v2d(8, kernel_size=k)\n}\n`);
        expect(text.match(/via `B`/g)).toHaveLength(3);
        expect(text).toContain('…and 2 more distinct results');
    });

    it('shows the numbers of a block in a library file from the network that imports it', async () => {
        const dir = folder();
        const lib = `${dir}/blocks.conv`;
        await marked('block B {\n    conv2d(8, kernel_size=3)\n}\n', lib);
        await marked(`import "blocks.conv"\n${net('    B()', '[N, 3, 10, 10]')}`, `${dir}/main.conv`);
        // Hover in the library, which has no network of its own.
        const text = await hoverIn(lib, { line: 1, character: 6 });
        expect(text).toContain('H: ⌊(10 + 0 + 0 − 1·(3 − 1) − 1) / 1⌋ + 1 = 8');
    });
});

async function hoverIn(uri: string, position: { line: number; character: number }): Promise<string> {
    const doc = Conv.shared.workspace.LangiumDocuments.all.find(d => d.uri.toString() === uri)!;
    const result = await Conv.lsp.HoverProvider!.getHoverContent(doc, { textDocument: { uri }, position });
    const contents = result?.contents;
    return contents && typeof contents === 'object' && 'value' in contents ? contents.value : '';
}

describe('hover on an argument name', () => {
    it('shows its doc, its default and the value it resolved to', async () => {
        const text = await hover(net('    conv2d(64, kernel_size=7, st<|>ride=2, padding=3)', '[N, 3, 224, 224]'));
        expect(text).toContain('`stride` — argument of `conv2d`, default `1`');
        expect(text).toContain('Step between windows');
        expect(text).toContain('Resolved: `(2, 2)`');
    });

    it("resolves 'same' padding and expressions over parameters", async () => {
        const text = await hover(`network T(c = 4) {\n    input x: [N, 3, 8, 8]\n    conv2d(c * 2, kernel_size=c - 1, pad<|>ding='same')\n}`);
        expect(text).toContain("Resolved: `'same'`");
        const kernel = await hover(`network T(c = 4) {\n    input x: [N, 3, 8, 8]\n    conv2d(c * 2, kernel<|>_size=c - 1)\n}`);
        expect(kernel).toContain('Resolved: `(3, 3)`');
    });

    it("of a block call shows the block's parameter", async () => {
        const text = await hover(`${net('    B(k<|>=5)')}block B(k = 3) {\n    conv2d(8, kernel_size=k)\n}\n`);
        expect(text).toContain('`k` — parameter of block `B` (default `3`)');
        expect(text).toContain('Given: `5`');
    });
});

describe('hover on a block call', () => {
    it("shows the block's parameters, the values given and its output shape", async () => {
        const text = await hover(`${net('    y = conv2d(16, kernel_size=3)\n    z = y -> <|>Down(32)', '[N, 3, 34, 34]')}block Down(channels, stride = 2) {\n    conv2d(channels, kernel_size=3, stride=stride, padding=1)\n}\n`);
        expect(text).toContain('block Down(channels, stride = 2)');
        expect(text).toContain('- `channels` = `32`');
        expect(text).toContain('- `stride` = `2` (default)');
        expect(text).toContain('→ `[N, 32, 16, 16] · rf H, W: size 5, jump 2, start 1`');
    });

    it('in the middle of a chain shows what flows on to the next call', async () => {
        const text = await hover(`${net('    <|>B() -> relu()', '[N, 3, 10, 10]')}block B {\n    conv2d(4, kernel_size=3)\n}\n`);
        expect(text).toContain('→ `[N, 4, 8, 8]');
    });
});

describe('hover on names', () => {
    it('shows the shape and receptive field of a referenced statement', async () => {
        const text = await hover(net('    y = conv2d(8, kernel_size=3) -> conv2d(8, kernel_size=3)\n    z = <|>y -> relu()', '[N, 3, 32, 32]'));
        expect(text).toContain('`y` — tensor');
        expect(text).toContain('`[N, 8, 28, 28]` · rf H, W: size 5, jump 1, start 2');
    });

    it('shows the same on the name where the statement defines it', async () => {
        const text = await hover(net('    <|>y = conv2d(8, kernel_size=3, stride=2)', '[N, 3, 33, 33]'));
        expect(text).toContain('`[N, 8, 16, 16]` · rf H, W: size 3, jump 2, start 1');
    });

    it('shows an input declaration with its shape', async () => {
        const text = await hover('network T {\n    input im<|>age: [N, 3, 224, 224]\n    relu()\n}');
        expect(text).toContain('`input image` — network input');
        expect(text).toContain('`[N, 3, 224, 224]` · rf H, W: size 1, jump 1, start 0');
    });

    it('explains a symbolic batch name in an input shape', async () => {
        const text = await hover('network T {\n    input x: [<|>N, 3, 8, 8]\n    relu()\n}');
        expect(text).toContain('a symbolic dimension');
    });

    it('shows a parameter with its default', async () => {
        const text = await hover('network T(classes = 10) {\n    input x: [N, 3, 8, 8]\n    flatten() -> linear(clas<|>ses)\n}');
        expect(text).toBe('`classes` — parameter of network `T`, default `10`');
    });

    it("shows what 'input' is inside a block", async () => {
        const text = await hover(`${net('    B()', '[N, 3, 8, 8]')}block B {\n    y = relu()\n    add(y, in<|>put)\n}\n`);
        expect(text).toContain('`input` — the tensor block `B` is called with: `[N, 3, 8, 8]`');
    });

    it("shows a network's totals on its name", async () => {
        const text = await hover(net('    conv2d(8, kernel_size=3)', '[N, 3, 10, 10]').replace('network T', 'network <|>T'));
        expect(text).toContain('- inputs: `x` `[N, 3, 10, 10]`');
        expect(text).toContain('- output: `[N, 8, 8, 8]`');
        expect(text).toContain('224 params');
    });

    it('shows nothing on punctuation or numbers', async () => {
        expect(await hover(net('    conv2d(8<|>, kernel_size=3)'))).toBe('');
    });
});
