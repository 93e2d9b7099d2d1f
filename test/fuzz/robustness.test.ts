/**
 * Bad input of every kind gets diagnostics, never a crash or a hung server (DESIGN.md §6).
 * Property-based: token soups, mutations of the examples and of a valid ResNet-like program,
 * and hand-picked adversarial programs go through parse, link, validation, analysis, inlay
 * hints, hover, completion and the other registered LSP features (see harness.ts).
 *
 * Runs are seeded so a failure reproduces: FUZZ_SEED overrides the seed, FUZZ_SCALE multiplies
 * the number of runs (e.g. FUZZ_SCALE=10 for a longer local session), FUZZ_NO_SHRINK=1 skips
 * shrinking, FUZZ_TIMING=<ms> logs every request slower than that.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { layers } from '../../src/layers/index.js';
import { addLibraryDocument, exercise, typeInto, type TextEdit } from './harness.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20240607);
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const runs = (n: number): number => Math.max(1, Math.round(n * SCALE));
/** Per-property test timeout: generous, since the budget that matters is per request (harness.ts). */
const TIMEOUT = 60_000 * SCALE;
/** FUZZ_NO_SHRINK=1 reports the first failing input as found (shrinking slow documents takes minutes). */
const params = (n: number): fc.Parameters<unknown> => ({ seed: SEED, numRuns: runs(n), endOnFailure: process.env.FUZZ_NO_SHRINK === '1' });

const EXAMPLES = join(dirname(fileURLToPath(import.meta.url)), '../../examples');

/** A valid program in the shape of a ResNet: stem, identity and downsampling residual blocks, head. */
const RESNET = `// ResNet-ish
network TinyResNet(classes = 10, width = 16) {
    input image: [N, 3, 32, 32]
    conv2d(width, kernel_size=3, padding=1, bias=false) -> batch_norm2d() -> relu()
    stem = max_pool2d(kernel_size=2)
    a = Basic(width)
    b = Down(width * 2) -> Basic(width * 2)
    c = b -> Down(width * 4, stride=2)
    adaptive_avg_pool2d(1) -> flatten() -> linear(classes)
}

block Basic(channels) {
    main = conv2d(channels, kernel_size=3, padding=1, bias=false)
        -> batch_norm2d() -> relu()
        -> conv2d(channels, kernel_size=(3, 3), padding=(1, 1), bias=false) -> batch_norm2d()
    add(main, input) -> relu()
}

/* the shortcut projects with a strided 1x1 conv */
block Down(channels, stride = 2) {
    main = conv2d(channels, kernel_size=3, stride=stride, padding=1) -> relu()
    skip = input -> conv2d(channels, kernel_size=1, stride=stride)
    both = add(main, skip) -> relu()
    pooled = input -> avg_pool2d(kernel_size=stride)
    concat(both, pooled, dim=1) -> conv2d(channels // 2 + channels // 2, kernel_size=1)
}
`;

const SHORT = `network S(c = 8) {
    input x: [N, 3, 16, 16]
    y = conv2d(c * 2, kernel_size=3, padding='same') -> relu()
    z = y -> identity()
    add(y, z) // tail
}
block B(k) { conv2d(k // 2, kernel_size=(1, 1)) }
`;

const LAYER_NAMES = [...new Set([...layers.keys(), 'conv2d', 'conv1d', 'conv3d', 'conv_transpose2d', 'max_pool2d', 'avg_pool2d', 'adaptive_avg_pool2d', 'batch_norm2d', 'relu', 'linear', 'flatten', 'add', 'concat', 'mul', 'softmax', 'upsample', 'dropout', 'group_norm'])];
const ARG_NAMES = ['kernel_size', 'stride', 'padding', 'dilation', 'groups', 'bias', 'output_padding', 'ceil_mode', 'dim', 'in_channels', 'padding_mode', 'scale_factor', 'mode', 'p'];
const KEYWORDS = ['network', 'block', 'input', 'import', 'true', 'false', 'None', 'none'];
const PUNCTUATION = ['->', '=', '(', ')', '[', ']', '{', '}', ',', ':', ';', '+', '-', '*', '//', '/*', '*/', '/', '.', '"', "'", '\\', '#', '@', '>'];
const NUMBERS = ['0', '1', '3', '64', '224', '-1', '-0', '00', '007', '1.5', '.5', '3.', '1e3', '1e-3', '2E+2', '1e30', '1e308', '1e309', '999999999999', '9007199254740993', '123456789012345678901234567890', '0.0'];
const STRINGS = ["'same'", "'valid'", '"same"', "'zeros'", "'reflect'", "'nearest'", "''", "'unterminated", '"a\\"b"', "'\\u{1F600}'", "'é'"];
const IDENTIFIERS = ['x', 'y', 'N', 'main', 'skip', 'channels', 'classes', 'Basic', 'Down', 'Net', '_', 'a1', 'conv2d_', 'input2', 'relu', 'kernel_size'];
const ODD = ['é', 'λ', '💥', '\u200b', '\t', '\r', '\r\n', '\u2028', '\0', 'ℕ', '×'];

const token = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...LAYER_NAMES) },
    { weight: 3, arbitrary: fc.constantFrom(...PUNCTUATION) },
    { weight: 2, arbitrary: fc.constantFrom(...KEYWORDS) },
    { weight: 2, arbitrary: fc.constantFrom(...NUMBERS) },
    { weight: 2, arbitrary: fc.constantFrom(...IDENTIFIERS) },
    { weight: 1, arbitrary: fc.constantFrom(...ARG_NAMES) },
    { weight: 1, arbitrary: fc.constantFrom(...STRINGS) },
    { weight: 1, arbitrary: fc.constantFrom(...ODD) },
    { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
);
const separator = fc.constantFrom('', ' ', ' ', '\n', '\n    ', '\t');

/** Text made of the language's tokens in random order. */
const tokenSoup = fc.array(fc.tuple(token, separator), { maxLength: 80 }).map(parts => parts.map(([t, s]) => t + s).join(''));

/** Token soup inside a plausible frame: a body (past the declaration header) or a parameter list. */
const framedSoup = fc.tuple(tokenSoup, fc.constantFrom('network', 'block'), fc.constantFrom('body', 'body+input', 'params')).map(([soup, kind, where]) =>
    where === 'params'
        ? `${kind} Net(${soup}) {\n    input x: [N, 3, 32, 32]\n    conv2d(8, kernel_size=3)\n}\n`
        : `${kind} Net(c = 4) {\n    ${where === 'body+input' ? 'input x: [N, 3, 32, 32]\n    ' : ''}${soup}\n}\n`);

/** Statements built from the grammar with random (often wrong) layers, arguments and values. */
const value: fc.Arbitrary<string> = fc.letrec<{ value: string }>(tie => ({
    value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constantFrom(...NUMBERS, ...STRINGS, 'true', 'false', 'None', 'input', 'x', 'c', 'N', 'y'),
        fc.tuple(tie('value'), fc.constantFrom('+', '-', '*', '//'), tie('value')).map(([a, op, b]) => `${a} ${op} ${b}`),
        fc.array(tie('value'), { maxLength: 4 }).map(items => `(${items.join(', ')}${items.length === 1 ? ',' : ''})`),
        fc.array(tie('value'), { maxLength: 4 }).map(items => `[${items.join(', ')}]`),
        tie('value').map(v => `-${v}`),
        tie('value').map(v => `(${v})`),
    ),
})).value;
const argument = fc.tuple(fc.option(fc.constantFrom(...ARG_NAMES), { nil: undefined }), value).map(([name, v]) => (name ? `${name}=${v}` : v));
const call = fc.tuple(fc.constantFrom(...LAYER_NAMES, 'Blk', 'Net', 'nope'), fc.array(argument, { maxLength: 4 })).map(([callee, args]) => `${callee}(${args.join(', ')})`);
const statement = fc.oneof(
    fc.tuple(fc.option(fc.constantFrom('y', 'z', 'x', 'input', 'c'), { nil: undefined }), fc.option(fc.constantFrom('x', 'y', 'z', 'input'), { nil: undefined }), fc.array(call, { minLength: 1, maxLength: 4 }))
        .map(([name, source, calls]) => `${name ? `${name} = ` : ''}${source ? `${source} -> ` : ''}${calls.join(' -> ')}`),
    fc.tuple(fc.constantFrom('x', 'y', 'img'), fc.array(value, { maxLength: 6 })).map(([name, dims]) => `input ${name}: [${dims.join(', ')}]`),
);
const grammarProgram = fc.tuple(fc.array(statement, { maxLength: 8 }), fc.array(statement, { maxLength: 5 }), fc.constantFrom('', '(k)', '(k = 3, c = 8)', '(c)'))
    .map(([net, blk, blockParams]) => `network Net(c = 8) {\n    input x: [N, 3, 32, 32]\n    ${net.join('\n    ')}\n}\nblock Blk${blockParams} {\n    ${blk.join('\n    ')}\n}\n`);

/** A random edit of a text: delete, insert, duplicate, swap spans, or replace a character. */
type Mutation =
    | { kind: 'delete'; at: number; length: number }
    | { kind: 'insert'; at: number; text: string }
    | { kind: 'duplicate'; at: number; length: number; to: number }
    | { kind: 'swap'; a: number; b: number; length: number }
    | { kind: 'replace'; at: number; char: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(token, fc.string({ maxLength: 6 })) }),
    fc.record({ kind: fc.constant('duplicate' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 120 }), to: fc.nat() }),
    fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat(), length: fc.integer({ min: 1, max: 60 }) }),
    fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), char: fc.constantFrom(...'(){}[],=->/*\'"\n 0x'.split('')) }),
);

function mutate(text: string, m: Mutation): string {
    const n = text.length;
    if (n === 0) return m.kind === 'insert' ? m.text : text;
    switch (m.kind) {
        case 'delete': {
            const at = m.at % n;
            return text.slice(0, at) + text.slice(at + m.length);
        }
        case 'insert': {
            const at = m.at % (n + 1);
            return text.slice(0, at) + m.text + text.slice(at);
        }
        case 'duplicate': {
            const at = m.at % n;
            const span = text.slice(at, at + m.length);
            const to = m.to % (n + 1);
            return text.slice(0, to) + span + text.slice(to);
        }
        case 'swap': {
            let a = m.a % n;
            let b = m.b % n;
            if (a > b) [a, b] = [b, a];
            const length = Math.min(m.length, b - a);
            if (length <= 0) return text;
            const first = text.slice(a, a + length);
            const second = text.slice(b, b + length);
            return text.slice(0, a) + second + text.slice(a + length, b) + first + text.slice(b + second.length);
        }
        case 'replace': {
            const at = m.at % n;
            return text.slice(0, at) + m.char + text.slice(at + 1);
        }
    }
}

const offsets = fc.array(fc.nat({ max: 100_000 }), { minLength: 1, maxLength: 3 });

/** Offsets for a fixed document: start, end, and a spread across it (not every character: too slow). */
function spreadOffsets(text: string, count = 8): number[] {
    const out = new Set<number>([0, text.length]);
    for (let i = 1; i < count; i++) out.add(Math.floor((text.length * i) / count));
    return [...out];
}

function readExamples(): Array<{ name: string; text: string }> {
    try {
        return readdirSync(EXAMPLES)
            .filter(f => f.endsWith('.conv'))
            .sort()
            .map(name => ({ name, text: readFileSync(join(EXAMPLES, name), 'utf8') }));
    } catch {
        return [];
    }
}

const examples = readExamples();
const corpus = [{ name: 'builtin-resnet.conv', text: RESNET }, { name: 'short.conv', text: SHORT }, ...examples];

beforeAll(async () => {
    // Examples import each other ("resnet_blocks.conv"); keep them all in the fuzz workspace.
    for (const { name, text } of examples) await addLibraryDocument(`lib/${name}`, text);
});

describe('the language server survives random input', () => {
    it('answers every request for the built-in ResNet-like program without errors in it', async () => {
        const result = await exercise(RESNET, { offsets: spreadOffsets(RESNET, 40), path: 'builtin.conv' });
        expect(result.errors).toEqual([]);
        expect(result.hints).toBeGreaterThan(10);
    });

    it('survives soups of the language tokens', async () => {
        await fc.assert(fc.asyncProperty(tokenSoup, offsets, async (text, at) => void (await exercise(text, { offsets: at }))), params(250));
    }, TIMEOUT);

    it('survives token soups inside a network or block body or parameter list', async () => {
        await fc.assert(fc.asyncProperty(framedSoup, offsets, async (text, at) => void (await exercise(text, { offsets: at }))), params(200));
    }, TIMEOUT);

    it('survives grammatical programs with random layers, arguments and values', async () => {
        await fc.assert(fc.asyncProperty(grammarProgram, offsets, async (text, at) => void (await exercise(text, { offsets: at }))), params(250));
    }, TIMEOUT);

    it('survives random edits of the examples and of the ResNet-like program', async () => {
        const source = fc.constantFrom(...corpus);
        await fc.assert(
            fc.asyncProperty(source, fc.array(mutation, { minLength: 1, maxLength: 4 }), offsets, async (doc, edits, at) => {
                const text = edits.reduce(mutate, doc.text);
                // Same folder as the library copies, so `import "resnet_blocks.conv"` resolves.
                await exercise(text, { offsets: at, path: `lib/mutated-${doc.name}` });
            }),
            params(250),
        );
    }, TIMEOUT);

    it('survives every truncation of a short program', async () => {
        for (let end = 0; end <= SHORT.length; end++) {
            const text = SHORT.slice(0, end);
            await exercise(text, { offsets: [end, Math.floor(end / 2)] });
        }
    });

    it('keeps diagnostics and hints current while the ResNet-like program is typed and erased', async () => {
        const step = 23;
        const edits: TextEdit[] = [];
        for (let at = 0; at < RESNET.length; at += step) edits.push({ start: at, end: at, text: RESNET.slice(at, at + step) });
        for (let at = RESNET.length; at > 0; at -= 2 * step) edits.push({ start: Math.max(0, at - 2 * step), end: at, text: '' });
        await typeInto('', edits);
    }, TIMEOUT);

    it('keeps diagnostics and hints current through random edit sequences', async () => {
        const edit: fc.Arbitrary<TextEdit> = fc.record({ start: fc.nat({ max: 3_000 }), length: fc.nat({ max: 12 }), text: fc.oneof(token, fc.constantFrom('', '', '1', '\n', ' ')) })
            .map(({ start, length, text }) => ({ start, end: start + length, text }));
        const source = fc.constantFrom(RESNET, SHORT, ...examples.filter(e => !e.text.includes('import')).map(e => e.text));
        await fc.assert(fc.asyncProperty(source, fc.array(edit, { minLength: 1, maxLength: 6 }), async (text, edits) => typeInto(text, edits)), params(40));
    }, TIMEOUT);

    it.each(examples.map(e => [e.name, e.text] as const))('answers every request on the example %s', async (name, text) => {
        await exercise(text, { offsets: spreadOffsets(text, 12), path: `lib/copy-of-${name}` });
    });
});

/** Programs chosen to break things: depth, recursion, extreme numbers, odd ranks, size. */
function blockTower(depth: number): string {
    const blocks = Array.from({ length: depth }, (_, i) => `block B${i}(c) {\n    ${i + 1 < depth ? `B${i + 1}(c)` : 'conv2d(c, kernel_size=1)'} -> relu()\n}`);
    return `network Deep {\n    input x: [N, 3, 8, 8]\n    B0(4)\n}\n${blocks.join('\n')}\n`;
}

function nested(depth: number, open: string, close: string, inner: string): string {
    return open.repeat(depth) + inner + close.repeat(depth);
}

const ADVERSARIAL: Record<string, string> = {
    'block calls nested 60 deep': blockTower(60),
    'block calls nested 48 deep (the limit)': blockTower(48),
    'block calls nested 200 deep': blockTower(200),
    'a self-recursive block': `network R {\n    input x: [N, 3, 8, 8]\n    Self(3)\n}\nblock Self(c) {\n    conv2d(c, kernel_size=1) -> Self(c)\n}\n`,
    'mutually recursive blocks': `network R {\n    input x: [N, 3, 8, 8]\n    A(3)\n}\nblock A(c) { B(c) }\nblock B(c) { y = input -> C(c)\n add(y, input) }\nblock C(c) { A(c) }\n`,
    'a block whose default refers to itself': `network R {\n    input x: [N, 3, 8, 8]\n    A()\n}\nblock A(c = c) { conv2d(c, kernel_size=1) }\n`,
    'a network calling itself as a block': `network Net {\n    input x: [N, 3, 8, 8]\n    Net()\n}\n`,
    'a name defined from itself': `network R {\n    input x: [N, 3, 8, 8]\n    y = y -> relu()\n    a = b -> relu()\n    b = a -> relu()\n}\n`,
    'huge kernel': `network H {\n    input x: [N, 3, 224, 224]\n    conv2d(64, kernel_size=999999999999)\n}\n`,
    'huge channels': `network H {\n    input x: [N, 3, 8, 8]\n    conv2d(1e30, kernel_size=3) -> conv2d(999999999999, kernel_size=1) -> linear(1e308)\n}\n`,
    'infinite and unsafe integers': `network H(c = 1e309) {\n    input x: [N, 9007199254740993, 8, 8]\n    conv2d(c, kernel_size=1) -> conv2d(9007199254740993 * 9007199254740993, kernel_size=1)\n}\n`,
    'huge input': `network H {\n    input x: [999999999, 999999999, 999999999, 999999999, 999999999]\n    conv3d(999999999, kernel_size=1) -> flatten() -> linear(10)\n}\n`,
    'zero sizes': `network Z {\n    input x: [0, 0, 0, 0]\n    conv2d(0, kernel_size=0, stride=0, padding=0, dilation=0, groups=0)\n    max_pool2d(0)\n    linear(0)\n}\n`,
    'negative sizes': `network Z {\n    input x: [N, -3, -8, 8]\n    conv2d(-1, kernel_size=-3, stride=-1, padding=-2)\n    avg_pool2d(kernel_size=(-1, -1))\n}\n`,
    'floats where ints belong': `network F {\n    input x: [N, 3.5, 8.0, 8]\n    conv2d(1.5, kernel_size=2.5, stride=.5) -> max_pool2d(1e-3)\n}\n`,
    'division by zero in an expression': `network D(c = 0) {\n    input x: [N, 3, 8, 8]\n    conv2d(8 // c, kernel_size=3 // 0) -> conv2d((c - 1) * -1, kernel_size=1)\n}\n`,
    'a 0-d input': `network Z {\n    input x: []\n    conv2d(8, kernel_size=3) -> relu() -> flatten() -> linear(4)\n}\n`,
    'a 1-d input': `network Z {\n    input x: [N]\n    conv2d(8, kernel_size=3) -> batch_norm2d() -> linear(4) -> add(input, input)\n}\n`,
    'a 2-d input into conv1d/2d': `network Z {\n    input x: [N, 16]\n    conv1d(8, kernel_size=3)\n    conv2d(8, kernel_size=3)\n    max_pool2d(2) -> adaptive_avg_pool2d(1)\n}\n`,
    'a 3-d tensor into conv2d': `network Z {\n    input x: [N, 3, 32]\n    conv2d(8, kernel_size=3, padding=1) -> max_pool2d(2) -> conv_transpose2d(4, kernel_size=2, stride=2)\n}\n`,
    'a 6-d tensor into conv3d': `network Z {\n    input x: [N, 2, 3, 4, 5, 6]\n    conv3d(8, kernel_size=1) -> conv2d(8, kernel_size=1) -> flatten() -> linear(2)\n}\n`,
    'symbolic everything': `network S {\n    input x: [N, C, H, W]\n    conv2d(8, kernel_size=3) -> flatten() -> linear(10)\n}\n`,
    'tuples of the wrong length': `network T {\n    input x: [N, 3, 8, 8]\n    conv2d(8, kernel_size=(3, 3, 3, 3), stride=(), padding=(1,), dilation=((1, 1), 1))\n}\n`,
    'names that shadow layers and keywords': `network conv2d(relu = 3) {\n    input relu: [N, 3, 8, 8]\n    conv2d = relu -> conv2d(relu, kernel_size=1)\n    add = conv2d -> relu()\n    add(add, conv2d)\n}\nblock relu(conv2d) { conv2d(conv2d, kernel_size=1) }\nblock add { relu(1) }\n`,
    'duplicate declarations': `network A {\n    input x: [N, 3, 8, 8]\n    input x: [N, 3, 8, 8]\n    y = relu()\n    y = relu()\n}\nnetwork A { }\nblock A { }\nblock B(c, c) { }\n`,
    'unicode identifiers and text': `network Ñet {\n    input ξ: [N, 3, 8, 8]\n    conv2d(8, kernel_size=3) // ✓ größe 💥\n    /* 漢字 */ relu()\n}\n`,
    'a lone surrogate and control characters': `network A {\n    input x: [N, 3, 8, 8]\n    conv2d(8, kernel_size=3) \ud800 \u0000 \u0007\n}\n`,
    'an unterminated block comment': `network A {\n    input x: [N, 3, 8, 8]\n    /* conv2d(8, kernel_size=3)\n}\n`,
    'an unterminated string': `network A {\n    input x: [N, 3, 8, 8]\n    conv2d(8, padding='same)\n}\n`,
    'floor division next to comments': `network A(c = 8) {\n    input x: [N, 3, 8, 8]\n    conv2d(c // 2 // 2, kernel_size=3 // // 2\n    ) // c // 2\n    conv2d((c // 2) // (2), kernel_size=(c//c, c //c)) //\n    //\n}\n`,
    'imports of missing, self and odd paths': `import "nope.conv"\nimport "robust.conv"\nimport ""\nimport "../../../../etc/passwd"\nimport "a\\u0000b"\nnetwork A {\n    input x: [N, 3, 8, 8]\n    Missing(3)\n}\n`,
    'a merge of unrelated shapes': `network M {\n    input a: [N, 3, 8, 8]\n    input b: [N, 5, 4]\n    add(a, b) -> concat(a, b, dim=7) -> mul(a, a, a, dim=-9)\n    concat(dim=1)\n    add()\n}\n`,
    // Found by the fuzzer: recovery leaves a parameter default of the abstract type 'Expression'.
    'a parameter default lost to recovery': `network t(s=*`,
    'a call lost to recovery': `network S {\n input x: [N, 3, 8, 8]\n conv2d(8, stride=(), padding=(1,))\n}`,
    'an operand lost to recovery': `network S {\n input x: [N, 3, 8, 8]\n y = conv2d(1 *\n conv2d(-)\n}`,
    // Found by the fuzzer: recovery leaves CST leaves whose AST node is outside the document's AST.
    'a reference orphaned by recovery': `network Net(c = 4) {\n    conv1d\ttrue+*/conv1d\t\n}\n`,
    'an empty network and block': `network E { }\nblock F { }\nnetwork G() { input x: [N] }\n`,
    'only a header': `network`,
    // Chevrotain's recursive descent overflows the stack at about 118 nested parentheses on the
    // server's main thread (more in vitest's worker threads, which have bigger stacks); see the report.
    'deep parentheses in an argument (100)': `network P {\n    input x: [N, 3, 8, 8]\n    conv2d(${nested(100, '(', ')', '8')}, kernel_size=3)\n}\n`,
    'deep brackets in an input shape (100)': `network P {\n    input x: [N, ${nested(100, '[', ']', '3')}, 8, 8]\n}\n`,
    'unbalanced deep parentheses (100)': `network P {\n    input x: [N, 3, 8, 8]\n    conv2d(${'('.repeat(100)}8, kernel_size=3)\n}\n`,
    'a long negation chain (300)': `network P {\n    input x: [N, 3, 8, 8]\n    conv2d(${'-'.repeat(300)}8, kernel_size=3)\n}\n`,
    'a long arithmetic expression (2,000 terms)': `network P(c = 1) {\n    input x: [N, 3, 8, 8]\n    conv2d(${Array.from({ length: 2000 }, (_, i) => (i % 3 === 0 ? 'c' : String(i % 7 + 1))).join(' + ')}, kernel_size=3)\n}\n`,
    'an extremely long chain (3,000 calls)': `network L {\n    input x: [N, 3, 8, 8]\n    conv2d(8, kernel_size=1)${' -> relu()'.repeat(3000)}\n}\n`,
    'many statements (3,000)': `network L {\n    input x: [N, 3, 8, 8]\n${Array.from({ length: 3000 }, (_, i) => `    s${i} = ${i > 0 ? `s${i - 1} -> ` : ''}conv2d(8, kernel_size=3, padding=1)`).join('\n')}\n}\n`,
    'many networks and blocks (500 each)': Array.from({ length: 500 }, (_, i) => `network N${i} {\n input x: [N, 3, 8, 8]\n K${i}()\n}\nblock K${i} { conv2d(4, kernel_size=1) }`).join('\n'),
    'a wide merge (500 inputs)': `network W {\n    input x: [N, 3, 8, 8]\n${Array.from({ length: 500 }, (_, i) => `    b${i} = x -> conv2d(2, kernel_size=1)`).join('\n')}\n    concat(${Array.from({ length: 500 }, (_, i) => `b${i}`).join(', ')}, dim=1)\n}\n`,
    'a block called 500 times': `network W {\n    input x: [N, 8, 8, 8]\n${'    Res(8)\n'.repeat(500)}}\nblock Res(c) {\n    m = conv2d(c, kernel_size=3, padding=1)\n    add(m, input)\n}\n`,
    'a single very long line': `network L { input x: [N, 3, 8, 8] ${'conv2d(3, kernel_size=1) '.repeat(2000)}}`,
    'CRLF line endings and tabs': RESNET.replace(/\n/g, '\r\n').replace(/    /g, '\t'),
    'old Mac line endings': RESNET.replace(/\n/g, '\r'),
    'unicode line separators': RESNET.replace(/\n/g, '\u2028'),
    'a byte-order mark': `\ufeff${RESNET}`,
};

describe('the language server survives adversarial programs', () => {
    it.each(Object.entries(ADVERSARIAL))('answers every request for %s', async (_name, text) => {
        await exercise(text, { offsets: spreadOffsets(text) });
    });
});
