/** Every syntax form of DESIGN §1 parses into the AST the analysis expects. */
import { describe, expect, it } from 'vitest';
import * as ast from '../../language/generated/ast.js';
import { document } from './support.js';

async function parse(text: string): Promise<ast.Model> {
    const doc = await document(text);
    const { lexerErrors, parserErrors } = doc.parseResult;
    expect(lexerErrors.map(e => e.message), 'lexer errors').toEqual([]);
    expect(parserErrors.map(e => e.message), 'parser errors').toEqual([]);
    return doc.parseResult.value;
}

function chains(decl: ast.Declaration | undefined): ast.Chain[] {
    return (decl?.body ?? []).filter(ast.isChain);
}

/** An expression back to a fully parenthesised string, so precedence is visible. */
function show(e: ast.Expression | undefined): string {
    if (!e) return '?';
    switch (e.$type) {
        case 'NumberLit': return String(e.value);
        case 'BoolLit': return String(e.value === true);
        case 'StringLit': return `'${e.value}'`;
        case 'NoneLit': return 'None';
        case 'InputRef': return 'input';
        case 'SymbolRef': return e.binding.$refText;
        case 'ParenExpr': return e.comma || e.items.length !== 1 ? `tuple(${e.items.map(show).join(', ')})` : `(${show(e.items[0])})`;
        case 'ListExpr': return `[${e.items.map(show).join(', ')}]`;
        case 'BinaryExpr': return `(${show(e.left)} ${e.op} ${show(e.right)})`;
        case 'NegExpr': return `-${show(e.operand)}`;
    }
}

describe('parsing', () => {
    it('reads a chain of calls joined by arrows, continued on the next lines', async () => {
        const model = await parse(`network A {
    input x: [N, 3, 224, 224]
    conv2d(64, kernel_size=7, stride=2, padding=3, bias=false)
        -> batch_norm2d() -> relu()
}`);
        const [chain] = chains(model.declarations[0]);
        expect(chain?.calls.map(c => c.callee.$refText)).toEqual(['conv2d', 'batch_norm2d', 'relu']);
        expect(chain?.name).toBeUndefined();
        expect(chain?.source).toBeUndefined();
        expect(chain?.calls[0]?.args.map(a => a.name ?? '_')).toEqual(['_', 'kernel_size', 'stride', 'padding', 'bias']);
    });

    it('reads a named statement with a source tensor', async () => {
        const model = await parse(`network A {
    input x: [N, 3, 8, 8]
    stem = x -> max_pool2d(kernel_size=3, stride=2, padding=1)
}`);
        const [chain] = chains(model.declarations[0]);
        expect(chain?.name).toBe('stem');
        expect(ast.isSymbolRef(chain?.source) && chain.source.binding.$refText).toBe('x');
        expect(ast.isSymbolRef(chain?.source) && chain.source.binding.ref?.name).toBe('x');
    });

    it("reads 'input' in a block as a reference to the block's input, as source and as argument", async () => {
        const model = await parse(`block Res(channels) {
    main = conv2d(channels, kernel_size=3, padding=1)
    skip = input -> conv2d(channels, kernel_size=1)
    add(main, input) -> relu()
}`);
        const [, skip, merge] = chains(model.declarations[0]);
        expect(ast.isInputRef(skip?.source)).toBe(true);
        expect(merge?.calls[0]?.args.map(a => a.value.$type)).toEqual(['SymbolRef', 'InputRef']);
    });

    it('reads network and block parameters with and without defaults, and declarations without parentheses', async () => {
        const model = await parse(`network ResNet(classes = 1000, width = 64,) {
    input image: [N, 3, 224, 224]
}
block Down(channels, stride = 2) {
    conv2d(channels, kernel_size=3, stride=stride)
}
network LeNet5 {
    input x: [N, 1, 32, 32]
}
block Stem {
    relu()
}`);
        const [resnet, down, lenet, stem] = model.declarations;
        expect(resnet?.params.map(p => `${p.name}=${show(p.default)}`)).toEqual(['classes=1000', 'width=64']);
        expect(down?.params.map(p => `${p.name}=${show(p.default)}`)).toEqual(['channels=?', 'stride=2']);
        expect([lenet?.name, lenet?.params.length, stem?.name, stem?.params.length]).toEqual(['LeNet5', 0, 'Stem', 0]);
        expect(model.declarations.map(d => d.$type)).toEqual(['Network', 'Block', 'Network', 'Block']);
    });

    it('reads block calls with positional and keyword arguments inside chains', async () => {
        const model = await parse(`network A {
    input x: [N, 3, 8, 8]
    y = x -> Down(64, stride=1) -> relu() -> Down(channels=128)
}
block Down(channels, stride = 2) {
    conv2d(channels, kernel_size=3, stride=stride)
}`);
        const [chain] = chains(model.declarations[0]);
        const [first, , last] = chain?.calls ?? [];
        expect(first?.callee.ref?.name).toBe('Down');
        expect(first?.args.map(a => `${a.name ?? '_'}:${show(a.value)}`)).toEqual(['_:64', 'stride:1']);
        expect(last?.args.map(a => `${a.name ?? '_'}:${show(a.value)}`)).toEqual(['channels:128']);
    });

    it('reads imports, with or without a semicolon', async () => {
        const model = await parse(`import "blocks.conv";\nimport 'more/blocks.conv'\nnetwork A { input x: [N, 3, 8, 8] }`);
        expect(model.imports.map(i => i.path)).toEqual(['blocks.conv', 'more/blocks.conv']);
    });

    it('reads tuples, one-element tuples, booleans, strings in both quotes, None and negative numbers', async () => {
        const model = await parse(`network A {
    input x: [N, 3, 8, 8]
    conv2d(8, kernel_size=(3, 5), stride=(1,), bias=true, padding='same', padding_mode="zeros", in_channels=None)
    flatten(start_dim=1, end_dim=-1)
    y = conv2d(8, 3, bias=false, in_channels=none)
}`);
        const [conv, flat, y] = chains(model.declarations[0]);
        expect(conv?.calls[0]?.args.map(a => show(a.value))).toEqual(['8', 'tuple(3, 5)', 'tuple(1)', 'true', "'same'", "'zeros'", 'None']);
        expect(flat?.calls[0]?.args.map(a => show(a.value))).toEqual(['1', '-1']);
        expect(y?.calls[0]?.args.map(a => show(a.value))).toEqual(['8', '3', 'false', 'None']);
    });

    it('reads + - * and // with the usual precedence, and parentheses that group', async () => {
        const model = await parse(`block B(c) {
    conv2d(c + 2 * c - 1, kernel_size=(c + 1) // 2, stride=-(1 - 2), padding=c // 2 * 2)
}`);
        const args = chains(model.declarations[0])[0]?.calls[0]?.args.map(a => show(a.value));
        expect(args).toEqual(['((c + (2 * c)) - 1)', '(((c + 1)) // 2)', '-((1 - 2))', '((c // 2) * 2)']);
    });

    it('tells floor division from a line comment where // could be either', async () => {
        const model = await parse(`network A(c = 8) {
    input x: [N, 3, 8, 8]
    conv2d(c // 2, kernel_size=3)
    conv2d(64, kernel_size=1) // stem comment (64 // 2)
    conv2d(64,   // out channels
           kernel_size=3)
    conv2d((c + 8) // 2, kernel_size=c//2)
}`);
        const [a, b, c, d] = chains(model.declarations[0]);
        expect(show(a?.calls[0]?.args[0]?.value)).toBe('(c // 2)');
        expect(b?.calls[0]?.args.map(x => show(x.value))).toEqual(['64', '1']);
        expect(c?.calls[0]?.args.map(x => `${x.name ?? '_'}:${show(x.value)}`)).toEqual(['_:64', 'kernel_size:3']);
        expect(d?.calls[0]?.args.map(x => show(x.value))).toEqual(['(((c + 8)) // 2)', '(c // 2)']);
        expect(chains(model.declarations[0])).toHaveLength(4);
    });

    it('skips block comments, also inside calls and across lines', async () => {
        const model = await parse(`/* A file header
   over two lines */
network A /* name */ {
    input x: [N, 3, 8, 8]
    conv2d(8, /* kernel */ kernel_size=3)
    /* relu()
    relu() */
}`);
        const [chain, ...rest] = chains(model.declarations[0]);
        expect(chain?.calls[0]?.args.map(a => a.name ?? '_')).toEqual(['_', 'kernel_size']);
        expect(rest).toEqual([]);
    });

    it('reads several networks and blocks in any order, with input shapes that use parameters', async () => {
        const model = await parse(`block B { relu() }
network G(latent = 100) {
    input z: [N, latent, 1, 1]
    B()
}
block C(k) { conv2d(8, kernel_size=k) }
network D { input x: [N, 3, 64, 64]; C(3); }`);
        expect(model.declarations.map(d => `${d.$type} ${d.name}`)).toEqual(['Block B', 'Network G', 'Block C', 'Network D']);
        const input = model.declarations[1]?.body[0];
        expect(ast.isInputDecl(input) && input.dims.map(show)).toEqual(['N', 'latent', '1', '1']);
        expect(ast.isInputDecl(input) && ast.isSymbolRef(input.dims[1]) && input.dims[1].binding.ref?.$type).toBe('Param');
        expect(model.declarations[3]?.body.map(s => s.$type)).toEqual(['InputDecl', 'Chain']);
    });

    it('reports a syntax error with its position instead of crashing', async () => {
        const doc = await document(`network A {\n    input x: [N, 3, 8, 8]\n    conv2d(8,, 3)\n}`);
        expect(doc.parseResult.parserErrors.length).toBeGreaterThan(0);
        expect(doc.parseResult.parserErrors[0]?.token.startLine).toBe(3);
    });
});
