/** Document symbols, folding ranges, semantic tokens and code lens. */
import { describe, expect, it } from 'vitest';
import { expectFoldings, expectSymbols, highlightHelper } from 'langium/test';
import { SemanticTokenModifiers, SemanticTokenTypes, SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import { SHOW_SUMMARY, type ConvCodeLensProvider } from '../../server/conv-code-lens.js';
import { Conv, marked, net } from './support.js';

const resnet = `network Small(classes = 10) {
    input image: [N, 3, 32, 32]
    stem = conv2d(16, kernel_size=3, padding=1)
    Res(16)
    features = adaptive_avg_pool2d(1) -> flatten()
    linear(classes)
}

block Res(channels) {
    main = conv2d(channels, kernel_size=3, padding=1) -> relu()
    add(main, input)
}
`;

describe('document symbols', () => {
    it('list networks and blocks with their parameters, inputs and named statements, shapes in detail', async () => {
        const kinds = new Map(Object.entries(SymbolKind).map(([name, value]) => [value as number, name]));
        const show = (s: DocumentSymbol): string => `${s.name}:${kinds.get(s.kind) ?? s.kind}:${s.detail ?? ''}${s.children ? `{${s.children.map(show).join(', ')}}` : ''}`;
        await expectSymbols(Conv)({
            text: resnet,
            symbolToString: show,
            expectedSymbols: [
                'Small:Class:2938 params · 2.80M MACs → [N, 10]{classes:TypeParameter:= 10, image:Field:[N, 3, 32, 32], stem:Variable:[N, 16, 32, 32], features:Variable:[N, 16]}',
                'Res:Function:block(channels){channels:TypeParameter:parameter, main:Variable:[N, 16, 32, 32]}',
            ],
            disposeAfterCheck: true,
        });
    });

    it("select the declaration's name and span its whole text", async () => {
        const { doc, ranges } = await marked('<|network <|T|> {\n    input x: [N, 3, 8, 8]\n}|>\n');
        const [symbol] = await Conv.lsp.DocumentSymbolProvider!.getSymbols(doc, { textDocument: { uri: doc.uri.toString() } });
        expect(symbol?.range).toEqual(ranges[0]);
        expect(symbol?.selectionRange).toEqual(ranges[1]);
    });
});

describe('folding ranges', () => {
    it('fold networks, blocks, multi-line chains, block comments and runs of line comments', async () => {
        const text = `<|/* header
   comment */|>
<|// one
// two|>
<|network T {
    input x: [N, 3, 8, 8]
    <|conv2d(8, kernel_size=3)
        -> relu()|>
    relu() // trailing
}|>
<|block B {
    relu()
}|>
`;
        await expectFoldings(Conv)({
            text,
            assert: (foldings, expected) => {
                const { output } = { output: text.replace(/<\||\|>/g, '') };
                const lineOf = (offset: number) => output.slice(0, offset).split('\n').length - 1;
                const want = expected.map(([s, e]) => [lineOf(s), lineOf(e)]);
                // Declarations fold up to the line before their closing brace.
                const adjusted = want.map(([s, e]) => (output.split('\n')[e!]?.startsWith('}') ? [s, e! - 1] : [s, e]));
                expect(foldings.map(f => [f.startLine, f.endLine]).sort()).toEqual(adjusted.sort());
                expect(foldings.filter(f => f.kind === 'comment').map(f => f.startLine)).toEqual([0, 2]);
            },
            disposeAfterCheck: true,
        });
    });
});

describe('semantic tokens', () => {
    const highlight = highlightHelper(Conv);
    /** The modifier's bit (the provider's map holds bits, not indices). */
    const modifier = (name: string) => Conv.lsp.SemanticTokenProvider!.tokenModifiers[name] ?? 0;

    it('tell layers, blocks, parameters, tensor names, batch names, keywords, numbers and strings apart', async () => {
        const { tokens, ranges } = await highlight(`<|network|> <|T|>(<|width|> = <|8|>) {
    <|input|> <|x|>: [<|N|>, 3, 8, 8]
    <|y|> = <|conv2d|>(<|width|>, <|padding|>=<|'same'|>, kernel_size=3, bias=<|true|>)
    <|Res|>(<|y|>)
}
<|block|> <|Res|>(<|skip|>) {
    add(<|skip|>, <|input|>)
}`);
        const expected: Array<[string, string, string?]> = [
            ['network', SemanticTokenTypes.keyword], ['T', SemanticTokenTypes.namespace, SemanticTokenModifiers.declaration],
            ['width', SemanticTokenTypes.parameter, SemanticTokenModifiers.declaration], ['8', SemanticTokenTypes.number],
            ['input', SemanticTokenTypes.keyword], ['x', SemanticTokenTypes.variable, SemanticTokenModifiers.declaration], ['N', SemanticTokenTypes.typeParameter],
            ['y', SemanticTokenTypes.variable, SemanticTokenModifiers.declaration], ['conv2d', SemanticTokenTypes.function, SemanticTokenModifiers.defaultLibrary],
            ['width', SemanticTokenTypes.parameter], ['padding', SemanticTokenTypes.property], ["'same'", SemanticTokenTypes.string], ['true', SemanticTokenTypes.keyword],
            ['Res', SemanticTokenTypes.class], ['y', SemanticTokenTypes.variable],
            ['block', SemanticTokenTypes.keyword], ['Res', SemanticTokenTypes.class, SemanticTokenModifiers.declaration], ['skip', SemanticTokenTypes.parameter, SemanticTokenModifiers.declaration],
            ['skip', SemanticTokenTypes.parameter], ['input', SemanticTokenTypes.keyword],
        ];
        expect(ranges).toHaveLength(expected.length);
        ranges.forEach(([start, end], i) => {
            const token = tokens.find(t => t.offset === start && t.offset + t.text.length === end);
            const [text, type, mod] = expected[i]!;
            expect(token?.text, `token ${i}`).toBe(text);
            expect(token?.tokenType, `type of '${text}' (#${i})`).toBe(type);
            if (mod) expect(token!.tokenModifiers & modifier(mod), `modifier ${mod} of '${text}'`).not.toBe(0);
        });
    });

    it('leave an unknown callee alone', async () => {
        const { tokens } = await highlight(net('    conv2dd(8)'));
        expect(tokens.find(t => t.text === 'conv2dd')).toBeUndefined();
    });

    it('register the standard legend with the types they use', () => {
        const legend = Conv.lsp.SemanticTokenProvider!.semanticTokensOptions.legend;
        for (const type of ['function', 'class', 'namespace', 'parameter', 'variable', 'typeParameter', 'property', 'keyword', 'number', 'string', 'operator']) expect(legend.tokenTypes).toContain(type);
        expect(legend.tokenModifiers).toEqual(expect.arrayContaining(['declaration', 'defaultLibrary', 'readonly']));
    });
});

describe('code lens', () => {
    it('sums up every network on its line: params · MACs · output shape, running the summary command', async () => {
        const { doc } = await marked(`${resnet}\nnetwork Tiny {\n    input x: [N, 3, 10, 10]\n    conv2d(8, kernel_size=3)\n}\n`);
        const lenses = (await Conv.lsp.CodeLensProvider!.provideCodeLens(doc, { textDocument: { uri: doc.uri.toString() } })) ?? [];
        expect(lenses.map(l => [l.range.start.line, l.command?.title])).toEqual([
            [0, '2938 params · 2.80M MACs · → [N, 10]'],
            [13, '224 params · 13.8k MACs · → [N, 8, 8, 8]'],
        ]);
        expect(lenses[1]?.command?.command).toBe(SHOW_SUMMARY);
        expect(lenses[1]?.command?.arguments).toEqual(['Tiny', doc.uri.toString()]);
    });

    it('adds Run and Gradient check lenses for a client that runs the engine, none on an incomplete network', async () => {
        const provider = Conv.lsp.CodeLensProvider as ConvCodeLensProvider;
        provider.engineLenses = true;
        try {
            const { doc } = await marked(`network Tiny {\n    input x: [N, 3, 10, 10]\n    conv2d(8, kernel_size=3)\n}\nnetwork Broken {\n    input x: [N, 3, 10, 10]\n    conv2d(8, kernel_size=40)\n}\n`);
            const lenses = (await provider.provideCodeLens(doc, { textDocument: { uri: doc.uri.toString() } })) ?? [];
            expect(lenses.map(l => [l.range.start.line, l.command?.command, l.command?.arguments])).toEqual([
                [0, SHOW_SUMMARY, ['Tiny', doc.uri.toString()]],
                [0, 'convscope.run', [doc.uri.toString(), 'Tiny']],
                [0, 'convscope.gradcheck', [doc.uri.toString(), 'Tiny']],
                [4, SHOW_SUMMARY, ['Broken', doc.uri.toString()]],
            ]);
        } finally {
            provider.engineLenses = false;
        }
    });

    it('says when errors left a network incomplete', async () => {
        const { doc } = await marked(net('    conv2d(8, kernel_size=40)', '[N, 3, 10, 10]'));
        const [lens] = (await Conv.lsp.CodeLensProvider!.provideCodeLens(doc, { textDocument: { uri: doc.uri.toString() } })) ?? [];
        expect(lens?.command?.title).toMatch(/\(incomplete: see problems\)$/);
    });
});
