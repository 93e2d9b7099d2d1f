/** Go-to-definition, find references and rename: statement names, inputs, parameters and blocks, across imports. */
import { describe, expect, it } from 'vitest';
import { expectFindReferences, expectGoToDefinition } from 'langium/test';
import type { LangiumDocument } from 'langium';
import type { Position, WorkspaceEdit } from 'vscode-languageserver';
import { applyEdits, Conv, folder, marked } from './support.js';

const body = `network T(width = 8) {
    input <|x|>: [N, 3, 8, 8]
    <|main|> = conv2d(<|width|>, kernel_size=3)
    add(<|main|>, x -> conv2d(width, kernel_size=3))
}`;

async function rename(doc: LangiumDocument, position: Position, newName: string): Promise<WorkspaceEdit | undefined> {
    return Conv.lsp.RenameProvider!.rename(doc, { textDocument: { uri: doc.uri.toString() }, position, newName });
}

/** Applies a workspace edit to the documents it names, returning their new texts by URI. */
function applied(edit: WorkspaceEdit | undefined, docs: LangiumDocument[]): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [uri, edits] of Object.entries(edit?.changes ?? {})) {
        const doc = docs.find(d => d.uri.toString() === uri);
        if (doc) out[uri] = applyEdits(doc.textDocument.getText(), edits);
    }
    return out;
}

describe('go to definition', () => {
    it('jumps from a tensor name to the statement that defines it', async () => {
        await expectGoToDefinition(Conv)({ text: 'network T {\n    input x: [N, 3, 8, 8]\n    <|y|> = conv2d(8, kernel_size=3)\n    add(<|>y, x -> conv2d(8, kernel_size=3))\n}', index: 0, rangeIndex: 0, disposeAfterCheck: true });
    });

    it('jumps from a parameter use to the parameter', async () => {
        await expectGoToDefinition(Conv)({ text: 'block B(<|channels|>) {\n    conv2d(chan<|>nels, kernel_size=3)\n}', index: 0, rangeIndex: 0, disposeAfterCheck: true });
    });

    it('jumps from a source name to the input declaration', async () => {
        await expectGoToDefinition(Conv)({ text: 'network T {\n    input <|image|>: [N, 3, 8, 8]\n    y = ima<|>ge -> relu()\n}', index: 0, rangeIndex: 0, disposeAfterCheck: true });
    });

    it('jumps from a block call to the block', async () => {
        await expectGoToDefinition(Conv)({ text: 'network T {\n    input x: [N, 3, 8, 8]\n    Do<|>wn(8)\n}\nblock <|Down|>(c) {\n    conv2d(c, kernel_size=3)\n}', index: 0, rangeIndex: 0, disposeAfterCheck: true });
    });

    it('jumps from a block call to the block in an imported file', async () => {
        const dir = folder();
        const lib = await marked('// library\nblock <|Down|>(c) {\n    conv2d(c, kernel_size=3)\n}\n', `${dir}/blocks.conv`);
        const main = await marked('import "blocks.conv"\nnetwork T {\n    input x: [N, 3, 8, 8]\n    Do<|>wn(8)\n}\n', `${dir}/main.conv`);
        const links = await Conv.lsp.DefinitionProvider!.getDefinition(main.doc, { textDocument: { uri: main.doc.uri.toString() }, position: main.cursors[0]! });
        expect(links?.map(l => [l.targetUri, l.targetSelectionRange])).toEqual([[lib.doc.uri.toString(), lib.ranges[0]]]);
    });

    it("finds nothing for a layer or for 'input' in a block", async () => {
        const { doc, cursors } = await marked('block B {\n    y = con<|>v2d(8, kernel_size=3)\n    add(y, inp<|>ut)\n}');
        for (const position of cursors) {
            const links = await Conv.lsp.DefinitionProvider!.getDefinition(doc, { textDocument: { uri: doc.uri.toString() }, position });
            expect(links ?? []).toEqual([]);
        }
    });
});

describe('find references', () => {
    it('finds every use of a statement name, with its declaration', async () => {
        await expectFindReferences(Conv)({ text: body.replace('<|x|>', 'x').replace('<|width|>', 'width').replace('<|main|> =', '<|<|>main|> ='), includeDeclaration: true, disposeAfterCheck: true });
    });

    it('finds every use of a parameter, without its declaration', async () => {
        await expectFindReferences(Conv)({ text: 'block B(<|>c) {\n    conv2d(<|c|> * 2, kernel_size=<|c|>)\n}', includeDeclaration: false, disposeAfterCheck: true });
    });

    it('finds the calls of a block in the files that import it', async () => {
        const dir = folder();
        const lib = await marked('block Down(c) {\n    conv2d(c, kernel_size=3)\n}\n', `${dir}/blocks.conv`);
        const main = await marked('import "blocks.conv"\nnetwork T {\n    input x: [N, 3, 8, 8]\n    <|Down|>(8) -> <|Down|>(4)\n}\n', `${dir}/main.conv`);
        const refs = await Conv.lsp.ReferencesProvider!.findReferences(lib.doc, { textDocument: { uri: lib.doc.uri.toString() }, position: { line: 0, character: 8 }, context: { includeDeclaration: false } });
        expect(refs.map(r => [r.uri, r.range])).toEqual(main.ranges.map(range => [main.doc.uri.toString(), range]));
    });
});

describe('rename', () => {
    it('renames a statement name and every use of it', async () => {
        const { doc, cursors } = await marked('network T {\n    input x: [N, 3, 8, 8]\n    ma<|>in = conv2d(8, kernel_size=3)\n    add(main, x -> conv2d(8, kernel_size=3)) -> relu()\n    y = main -> relu()\n}');
        const texts = applied(await rename(doc, cursors[0]!, 'trunk'), [doc]);
        expect(texts[doc.uri.toString()]).toBe('network T {\n    input x: [N, 3, 8, 8]\n    trunk = conv2d(8, kernel_size=3)\n    add(trunk, x -> conv2d(8, kernel_size=3)) -> relu()\n    y = trunk -> relu()\n}');
    });

    it('renames an input from one of its uses', async () => {
        const { doc, cursors } = await marked('network T {\n    input x: [N, 3, 8, 8]\n    y = <|>x -> relu()\n}');
        const texts = applied(await rename(doc, cursors[0]!, 'image'), [doc]);
        expect(texts[doc.uri.toString()]).toBe('network T {\n    input image: [N, 3, 8, 8]\n    y = image -> relu()\n}');
    });

    it('renames a parameter, also where the input shape uses it', async () => {
        const { doc, cursors } = await marked('network G(lat<|>ent = 100) {\n    input z: [N, latent, 1, 1]\n    conv_transpose2d(latent, kernel_size=4)\n}');
        const texts = applied(await rename(doc, cursors[0]!, 'nz'), [doc]);
        expect(texts[doc.uri.toString()]).toBe('network G(nz = 100) {\n    input z: [N, nz, 1, 1]\n    conv_transpose2d(nz, kernel_size=4)\n}');
    });

    it('renames a block declared in an imported file, updating the call sites of the importing file', async () => {
        const dir = folder();
        const lib = await marked('block Do<|>wn(c) {\n    conv2d(c, kernel_size=3)\n}\n', `${dir}/blocks.conv`);
        const main = await marked('import "blocks.conv"\nnetwork T {\n    input x: [N, 3, 8, 8]\n    Down(8) -> Down(4)\n}\n', `${dir}/main.conv`);
        const texts = applied(await rename(lib.doc, lib.cursors[0]!, 'Reduce'), [lib.doc, main.doc]);
        expect(texts[lib.doc.uri.toString()]).toBe('block Reduce(c) {\n    conv2d(c, kernel_size=3)\n}\n');
        expect(texts[main.doc.uri.toString()]).toBe('import "blocks.conv"\nnetwork T {\n    input x: [N, 3, 8, 8]\n    Reduce(8) -> Reduce(4)\n}\n');
    });

    it('renames an imported block from a call site, updating the declaring file', async () => {
        const dir = folder();
        const lib = await marked('block Down(c) {\n    conv2d(c, kernel_size=3)\n}\n', `${dir}/blocks.conv`);
        const main = await marked('import "blocks.conv"\nnetwork T {\n    input x: [N, 3, 8, 8]\n    Do<|>wn(8)\n}\n', `${dir}/main.conv`);
        const edit = await rename(main.doc, main.cursors[0]!, 'Reduce');
        expect(Object.keys(edit?.changes ?? {}).sort()).toEqual([lib.doc.uri.toString(), main.doc.uri.toString()].sort());
    });

    it('rejects names that are not identifiers or are keywords', async () => {
        const { doc, cursors } = await marked('network T {\n    input x: [N, 3, 8, 8]\n    ma<|>in = relu()\n}');
        await expect(rename(doc, cursors[0]!, '2nd')).rejects.toThrow("'2nd' is not a valid name");
        await expect(rename(doc, cursors[0]!, 'my-name')).rejects.toThrow('is not a valid name');
        await expect(rename(doc, cursors[0]!, 'network')).rejects.toThrow("'network' is a keyword");
        await expect(rename(doc, cursors[0]!, 'None')).rejects.toThrow("'None' is a keyword");
    });

    it('rejects a name already taken in the same network, and a block named like a layer', async () => {
        const { doc, cursors } = await marked('network T {\n    input x: [N, 3, 8, 8]\n    ma<|>in = relu()\n}\nblock B<|>lock {\n    relu()\n}');
        await expect(rename(doc, cursors[0]!, 'x')).rejects.toThrow("'x' is already defined in T");
        await expect(rename(doc, cursors[1]!, 'conv2d')).rejects.toThrow("'conv2d' is a layer");
        await expect(rename(doc, cursors[1]!, 'T')).rejects.toThrow("'T' is already declared in this file");
    });

    it('refuses to rename layers and keyword arguments', async () => {
        const { doc, cursors } = await marked('network T {\n    input x: [N, 3, 8, 8]\n    con<|>v2d(8, kernel<|>_size=3)\n}');
        for (const position of cursors) {
            expect(await Conv.lsp.RenameProvider!.prepareRename(doc, { textDocument: { uri: doc.uri.toString() }, position })).toBeUndefined();
            await expect(rename(doc, position, 'other')).rejects.toThrow('only networks, blocks, parameters, inputs and named statements can be renamed');
        }
    });

    it('prepares a rename on a name with the range of that name', async () => {
        const { doc, cursors, ranges } = await marked('network T {\n    input x: [N, 3, 8, 8]\n    <|main|> = relu()\n    y = ma<|>in -> relu()\n}');
        const range = await Conv.lsp.RenameProvider!.prepareRename(doc, { textDocument: { uri: doc.uri.toString() }, position: cursors[0]! });
        expect(range).toEqual({ start: { line: 3, character: 8 }, end: { line: 3, character: 12 } });
        expect(ranges[0]).toEqual({ start: { line: 2, character: 4 }, end: { line: 2, character: 8 } });
    });
});
