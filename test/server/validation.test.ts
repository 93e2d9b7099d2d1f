/**
 * Diagnostics of DESIGN §3: each with its message and the exact range it points at (the range
 * markers `<|…|>` in the text), and errors inside blocks lifted to the call site.
 */
import { describe, expect, it } from 'vitest';
import { DiagnosticSeverity } from 'vscode-languageserver';
import { describeDiagnostics, folder, marked, net, only, textAt, withCode, document } from './support.js';

/** The diagnostics with `code` all point at the marked range; returns their messages. */
async function at(text: string, code: string): Promise<{ messages: string[]; severity: number | undefined }> {
    const { doc, ranges } = await marked(text);
    const found = withCode(doc, code);
    expect(found.length, `no '${code}' in ${describeDiagnostics(doc)}`).toBeGreaterThan(0);
    for (const d of found) expect(d.range, `'${code}' points at '${textAt(doc, d.range)}'`).toEqual(ranges[0]);
    return { messages: found.map(d => String(d.message)), severity: found[0]!.severity };
}

describe('errors', () => {
    it('reports an output below 1 on the kernel_size argument', async () => {
        const { messages, severity } = await at(net('    conv2d(8, <|kernel_size=7|>)', '[N, 3, 4, 4]'), 'output-too-small');
        expect(severity).toBe(DiagnosticSeverity.Error);
        expect(messages).toEqual(['conv2d: no output along H and W: the padded input 4×4 is smaller than the kernel 7×7; use a smaller kernel_size or more padding']);
    });

    it('reports channels not divisible by groups on the groups argument', async () => {
        const { messages } = await at(net('    conv2d(8, kernel_size=3, <|groups=3|>)', '[N, 4, 8, 8]'), 'groups-not-divisible');
        expect(messages).toEqual(['conv2d: input channels 4 and out_channels 8 are not divisible by groups=3']);
    });

    it('reports an add of mismatched shapes on the input that does not fit', async () => {
        const { messages } = await at(net(`    a = conv2d(8, kernel_size=3)
    b = x -> conv2d(8, kernel_size=1)
    add(a, <|b|>)`, '[N, 3, 8, 8]'), 'merge-shape-mismatch');
        expect(messages[0]).toMatch(/^add: input 1 \[N, 8, 8, 8\] does not broadcast with input 0 \[N, 8, 6, 6\]/);
    });

    it('reports a concat whose inputs differ outside the concatenated axis', async () => {
        const { messages } = await at(net(`    a = conv2d(8, kernel_size=3)
    b = x -> conv2d(8, kernel_size=1)
    concat(a, <|b|>, dim=1)`, '[N, 3, 8, 8]'), 'merge-shape-mismatch');
        expect(messages).toEqual(['concat: input 1 [N, 8, 8, 8] differs from input 0 [N, 8, 6, 6] on axis 2 (8 vs 6): only dim 1 may differ when concatenating along it']);
    });

    it('reports pooling padding above half the kernel on the padding argument', async () => {
        const { messages } = await at(net('    max_pool2d(kernel_size=2, <|padding=2|>)', '[N, 3, 8, 8]'), 'pool-padding-too-large');
        expect(messages[0]).toMatch(/^max_pool2d: padding 2 .*more than half the kernel 2: pooling allows at most ⌊2\/2⌋ = 1/);
    });

    it('reports an output_padding that is not smaller than the stride on that argument', async () => {
        const { messages } = await at(net('    conv_transpose2d(8, kernel_size=3, stride=2, <|output_padding=2|>)', '[N, 3, 8, 8]'), 'output-padding-too-large');
        expect(messages[0]).toMatch(/^conv_transpose2d: output_padding 2 .*must be smaller than the stride 2 or the dilation 1: use at most 1/);
    });

    it("reports padding='same' with a stride on the padding argument", async () => {
        const { messages } = await at(net("    conv2d(8, kernel_size=3, stride=2, <|padding='same'|>)", '[N, 3, 8, 8]'), 'same-padding-strided');
        expect(messages).toEqual(["conv2d: padding='same' needs stride 1, got stride=(2, 2): give the padding explicitly"]);
    });

    it('reports a tuple with the wrong number of elements for the rank', async () => {
        const { messages } = await at(net('    conv2d(8, <|kernel_size=(3, 3, 3)|>)'), 'tuple-rank');
        expect(messages).toEqual(['conv2d: kernel_size has 3 elements but this layer has 2 spatial axes: give 2 (one per axis) or a single integer']);
    });

    it("reports an unknown layer on the callee with \"did you mean 'conv2d'\"", async () => {
        const { messages } = await at(net('    <|conv2dd|>(8, kernel_size=3)'), 'unknown-layer');
        expect(messages).toHaveLength(1);
        expect(messages[0]).toMatch(/^unknown layer or block 'conv2dd' — did you mean 'conv2d'/);
    });

    it('reports an unknown argument on its name with a suggestion', async () => {
        const { messages } = await at(net('    conv2d(8, <|kernal_size|>=3)'), 'unknown-argument');
        expect(messages).toEqual(["conv2d has no argument 'kernal_size' — did you mean 'kernel_size'?"]);
    });

    it('reports a missing required argument on the callee', async () => {
        const { messages } = await at(net('    <|conv2d|>(8)'), 'missing-argument');
        expect(messages).toEqual(["conv2d needs 'kernel_size'"]);
    });

    it('reports an undefined name on the name, with a suggestion', async () => {
        const { messages } = await at(net(`    main = conv2d(8, kernel_size=3)
    <|mian|> -> relu()`), 'undefined-name');
        expect(messages).toEqual(["'mian' is not defined — did you mean 'main'?"]);
    });

    it('reports a name used before its definition', async () => {
        const { messages } = await at(net(`    <|later|> -> relu()
    later = conv2d(8, kernel_size=3)`), 'used-before-definition');
        expect(messages).toEqual(["'later' is used before it is defined on line 4: statements can only refer to earlier ones"]);
    });

    it('reports names that form a cycle', async () => {
        const { messages } = await at(net(`    a = <|b|> -> relu()
    b = a -> relu()`), 'cyclic-name');
        expect(messages).toEqual(["'b' is defined on line 4 from this statement's result: the names form a cycle"]);
    });

    it('reports a block called with too many arguments on the extra one', async () => {
        const { messages } = await at(`${net('    B(8, <|9|>)')}block B(channels) {\n    conv2d(channels, kernel_size=3)\n}\n`, 'block-arguments');
        expect(messages).toEqual(['block B takes 1 positional argument (channels), got one more']);
    });

    it('reports a block called with an unknown keyword on that keyword', async () => {
        const { doc } = await marked(`${net('    B(chanels=3)')}block B(channels) {\n    conv2d(channels, kernel_size=3)\n}\n`);
        const messages = withCode(doc, 'block-arguments').map(d => `${textAt(doc, d.range)}: ${d.message}`);
        // The misspelt keyword is the missing argument: it is reported once, not also as missing.
        expect(messages).toEqual(["chanels: block B has no argument 'chanels' — did you mean 'channels'?"]);
    });

    it('reports linear on a last axis other than the declared in_features on that argument', async () => {
        const { messages } = await at(net('    flatten() -> linear(10, <|in_features=100|>)', '[N, 3, 8, 8]'), 'in-features-mismatch');
        expect(messages).toEqual(['linear: was declared for in_features=100 but the input [N, 192] has 192 features on its last axis: set in_features=192 or change what comes before']);
    });

    it('reports a network parameter without a default, a network without input and a duplicate name', async () => {
        const { doc } = await marked(`network A(<|c|>) {\n    conv2d(c, kernel_size=3)\n}\nnetwork <|B|> {\n    input x: [N, 3, 8, 8]\n    y = relu()\n    <|y|> = relu()\n}\n`);
        expect(only(doc, 'missing-default').message).toBe("network parameter 'c' needs a default value (c = ...) so the network can be analysed");
        const noInput = withCode(doc, 'missing-input').map(d => textAt(doc, d.range));
        expect(noInput).toEqual(['A']);
        expect(textAt(doc, only(doc, 'duplicate-name').range)).toBe('y');
        expect(only(doc, 'duplicate-name').message).toBe("'y' is already defined on line 6: choose another name");
    });

    it('reports an import that cannot be found on its path', async () => {
        const { doc, ranges } = await marked(`import <|"nowhere.conv"|>\n${net('    relu()')}`, `${folder()}/main.conv`);
        const d = only(doc, 'missing-import');
        expect(d.range).toEqual(ranges[0]);
        expect(d.message).toMatch(/^cannot find 'nowhere.conv' \(looked for \/test\/server\d+\/nowhere.conv\)/);
    });
});

describe('warnings and information', () => {
    it('warns about input rows no window covers, on the stride, saying how many', async () => {
        const { messages, severity } = await at(net('    conv2d(8, kernel_size=3, <|stride=2|>)', '[N, 3, 224, 224]'), 'uncovered-input');
        expect(severity).toBe(DiagnosticSeverity.Warning);
        expect(messages[0]).toMatch(/^conv2d: the last 1 (input )?row.* never covered by any window: \(224 \+ 0 − 2 − 1\) = 221 leaves 1 after dividing by stride 2; pad by 1 more/);
    });

    it('keeps the ResNet stem (7×7/2, padding 3 on 224) free of problems', async () => {
        const doc = await document(net('    conv2d(64, kernel_size=7, stride=2, padding=3, bias=false)', '[N, 3, 224, 224]'));
        expect(doc.diagnostics).toEqual([]);
    });

    it('warns when merged branches look at misaligned receptive-field centres', async () => {
        const { messages, severity } = await at(net(`    a = conv2d(8, kernel_size=3, padding=1)
    b = x -> conv2d(8, kernel_size=2, padding='same')
    <|add|>(a, b)`, '[N, 3, 8, 8]'), 'misaligned-merge');
        expect(severity).toBe(DiagnosticSeverity.Warning);
        expect(messages[0]).toMatch(/^add: the inputs' receptive-field centres are misaligned on axis H, W/);
    });

    it('informs when the kernel is smaller than the stride (the ResNet 1×1/2 shortcut)', async () => {
        const { messages, severity } = await at(net('    conv2d(8, kernel_size=1, <|stride=2|>)', '[N, 3, 8, 8]'), 'kernel-smaller-than-stride');
        expect(severity).toBe(DiagnosticSeverity.Information);
        expect(messages[0]).toMatch(/^conv2d: kernel 1 is smaller than stride 2.*: 4 (input )?rows .*never seen and the receptive field has holes/);
    });

    it('informs once when the receptive field grows larger than the input', async () => {
        const { messages, severity } = await at(net('    conv2d(8, kernel_size=5, padding=2) -> <|conv2d|>(8, kernel_size=5, padding=2) -> conv2d(8, kernel_size=3, padding=1)', '[N, 3, 8, 8]'), 'rf-exceeds-input');
        expect(severity).toBe(DiagnosticSeverity.Information);
        expect(messages).toEqual(['conv2d: the receptive field (9×9) is now larger than the input (8×8): outputs see padding beyond the image']);
    });
});

describe('errors inside blocks', () => {
    it('are reported at the call site, with related information pointing into the block', async () => {
        const { doc, ranges } = await marked(`${net('    <|B|>(8)', '[N, 3, 8, 8]')}block B(channels) {\n    conv2d(channels, kernel_size=3, <|groups=5|>)\n}\n`);
        const found = withCode(doc, 'groups-not-divisible');
        expect(found.length).toBeGreaterThan(0);
        expect(found[0]?.message).toMatch(/^in B: conv2d: input channels 3 and out_channels \d+ are not divisible by groups=5|^in B: conv2d: input channels 3 are not divisible by groups=5/);
        for (const d of found) {
            expect(d.range).toEqual(ranges[0]);
            expect(d.relatedInformation?.[0]?.location).toEqual({ uri: doc.uri.toString(), range: ranges[1] });
            expect(d.relatedInformation?.[0]?.message).toMatch(/^conv2d: .* not divisible by groups=5/);
        }
    });

    it('are reported at the call site of a block from an imported file, pointing into that file', async () => {
        const dir = folder();
        const lib = await marked(`block B(channels) {\n    conv2d(channels, <|kernel_size=9|>)\n}\n`, `${dir}/blocks.conv`);
        const main = await marked(`import "blocks.conv"\n${net('    <|B|>(8)', '[N, 3, 4, 4]')}`, `${dir}/main.conv`);
        const d = withCode(main.doc, 'output-too-small')[0];
        expect(d?.range).toEqual(main.ranges[0]);
        expect(d?.message).toMatch(/^in B: conv2d: no output along H and W: the padded input 4×4 is smaller than the kernel 9×9/);
        expect(d?.relatedInformation?.[0]?.location).toEqual({ uri: lib.doc.uri.toString(), range: lib.ranges[0] });
        expect(lib.doc.diagnostics).toEqual([]);
    });

    it('follow nested blocks, naming the path of calls', async () => {
        const { doc } = await marked(`${net('    <|Outer|>(8)', '[N, 3, 8, 8]')}block Outer(c) {\n    Inner(c)\n}\nblock Inner(c) {\n    conv2d(c, kernel_size=3, groups=5)\n}\n`);
        const d = withCode(doc, 'groups-not-divisible')[0];
        expect(d?.message).toMatch(/^in Outer → Inner: conv2d:/);
        expect(d?.relatedInformation?.map(r => r.message)).toEqual([expect.stringMatching(/^conv2d:/), 'called from here']);
    });
});

describe('after a failed statement', () => {
    it('still checks the arguments of the statements that continue from it, but not their shapes', async () => {
        const { doc } = await marked('network A {\n    input x: [N, 3, 8, 8]\n    conv2d(4, kernal_size=3)\n    conv2d(4, kernel_size=<|(3, 3, 3)|>)\n    conv2d(4, kernel_size=3, groups=3)\n}\n');
        const messages = (doc.diagnostics ?? []).map(d => d.message);
        expect(messages).toEqual([
            "conv2d has no argument 'kernal_size' — did you mean 'kernel_size'?",
            expect.stringMatching(/^conv2d: kernel_size has 3 elements but this layer has 2 spatial axes/),
        ]);
    });
});
