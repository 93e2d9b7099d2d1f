/** Code actions: padding that keeps the size, flatten() before linear, "did you mean" — applied and checked. */
import { describe, expect, it } from 'vitest';
import type { LangiumDocument } from 'langium';
import { CodeActionKind, type CodeAction, type Diagnostic, type Range } from 'vscode-languageserver';
import { applyEdits, Conv, describeDiagnostics, folder, marked, net, withCode } from './support.js';

async function actionsFor(doc: LangiumDocument, diagnostics: Diagnostic[], range?: Range): Promise<CodeAction[]> {
    const at = range ?? diagnostics[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const result = await Conv.lsp.CodeActionProvider!.getCodeActions(doc, { textDocument: { uri: doc.uri.toString() }, range: at, context: { diagnostics } });
    return (result ?? []).filter((a): a is CodeAction => 'title' in a && !('command' in a && typeof a.command === 'string'));
}

/** The quick fixes for the diagnostics with `code` (as a client sends them: all of them at once). */
async function quickFixes(text: string, code: string, path?: string) {
    const { doc } = await marked(text, path);
    const diagnostics = withCode(doc, code);
    expect(diagnostics.length, `no '${code}' in ${describeDiagnostics(doc)}`).toBeGreaterThan(0);
    return { doc, actions: await actionsFor(doc, diagnostics) };
}

function apply(doc: LangiumDocument, action: CodeAction | undefined): string {
    const edits = action?.edit?.changes?.[doc.uri.toString()];
    expect(edits, `no edit for ${doc.uri.toString()} in ${JSON.stringify(action)}`).toBeDefined();
    return applyEdits(doc.textDocument.getText(), edits!);
}

describe('padding quick fix', () => {
    it('sets padding=P = (k−1)/2 to keep the size when the output would be below 1', async () => {
        const { doc, actions } = await quickFixes(net('    conv2d(8, kernel_size=7)', '[N, 3, 4, 4]'), 'output-too-small');
        expect(actions.map(a => a.title)).toEqual(['Set padding=3 to keep 4×4']);
        expect(actions[0]?.kind).toBe(CodeActionKind.QuickFix);
        expect(actions[0]?.diagnostics?.length).toBe(withCode(doc, 'output-too-small').length);
        expect(apply(doc, actions[0])).toBe(net('    conv2d(8, kernel_size=7, padding=3)', '[N, 3, 4, 4]'));
    });

    it('uses d(k−1)/2 for a dilated kernel and replaces padding that was given', async () => {
        const { doc, actions } = await quickFixes(net('    conv2d(8, kernel_size=3, dilation=3, padding=0)', '[N, 3, 5, 5]'), 'output-too-small');
        expect(actions.map(a => a.title)).toEqual(['Set padding=3 to keep 5×5']);
        expect(apply(doc, actions[0])).toBe(net('    conv2d(8, kernel_size=3, dilation=3, padding=3)', '[N, 3, 5, 5]'));
    });

    it('pads so every input row and column is covered when a stride leaves some out', async () => {
        const { doc, actions } = await quickFixes(net('    conv2d(8, kernel_size=3, stride=2)', '[N, 3, 224, 224]'), 'uncovered-input');
        expect(actions.map(a => a.title)).toEqual(['Set padding=1 to cover every input row and column (output 112×112)']);
        const fixed = apply(doc, actions[0]);
        expect(fixed).toBe(net('    conv2d(8, kernel_size=3, stride=2, padding=1)', '[N, 3, 224, 224]'));
        const { doc: after } = await marked(fixed);
        expect(after.diagnostics).toEqual([]);
    });

    it('replaces a padding given positionally', async () => {
        const { doc, actions } = await quickFixes(net('    conv2d(8, 5, 1, 0)', '[N, 3, 3, 3]'), 'output-too-small');
        expect(apply(doc, actions[0])).toBe(net('    conv2d(8, 5, 1, 2)', '[N, 3, 3, 3]'));
    });

    it('is not offered for an even kernel, which no symmetric padding keeps', async () => {
        const { actions } = await quickFixes(net('    conv2d(8, kernel_size=6)', '[N, 3, 4, 4]'), 'output-too-small');
        expect(actions).toEqual([]);
    });

    it('edits the block when the problem is reported at its call site', async () => {
        const { doc, actions } = await quickFixes(`${net('    B()', '[N, 3, 4, 4]')}block B {\n    conv2d(8, kernel_size=5)\n}\n`, 'output-too-small');
        expect(actions.map(a => a.title)).toEqual(['Set padding=2 to keep 4×4']);
        expect(apply(doc, actions[0])).toBe(`${net('    B()', '[N, 3, 4, 4]')}block B {\n    conv2d(8, kernel_size=5, padding=2)\n}\n`);
    });

    it('edits the imported file when the block lives there', async () => {
        const dir = folder();
        const lib = await marked('block B {\n    conv2d(8, kernel_size=5)\n}\n', `${dir}/blocks.conv`);
        const { actions } = await quickFixes(`import "blocks.conv"\n${net('    B()', '[N, 3, 4, 4]')}`, 'output-too-small', `${dir}/main.conv`);
        expect(apply(lib.doc, actions[0])).toBe('block B {\n    conv2d(8, kernel_size=5, padding=2)\n}\n');
    });
});

describe('padding refactor', () => {
    it('offers padding=1 on a 3×3 conv that shrinks 56×56', async () => {
        const { doc, cursors } = await marked(net('    con<|>v2d(64, kernel_size=3)', '[N, 64, 56, 56]'));
        const actions = await actionsFor(doc, [], { start: cursors[0]!, end: cursors[0]! });
        expect(actions.map(a => [a.title, a.kind])).toEqual([['Set padding=1 to keep 56×56', CodeActionKind.RefactorRewrite]]);
        expect(apply(doc, actions[0])).toBe(net('    conv2d(64, kernel_size=3, padding=1)', '[N, 64, 56, 56]'));
    });

    it('works for stride-1 pooling and per-axis kernels', async () => {
        const { doc, cursors } = await marked(net('    max_pool2d(kernel_size=(3, 5), stride=1<|>)', '[N, 8, 16, 16]'));
        const actions = await actionsFor(doc, [], { start: cursors[0]!, end: cursors[0]! });
        expect(actions.map(a => a.title)).toEqual(['Set padding=(1, 2) to keep 16×16']);
        expect(apply(doc, actions[0])).toBe(net('    max_pool2d(kernel_size=(3, 5), stride=1, padding=(1, 2))', '[N, 8, 16, 16]'));
    });

    it('is not offered where the size is already kept, on strided calls, or off a call', async () => {
        const { doc, cursors } = await marked(net('    con<|>v2d(8, kernel_size=3, padding=1)\n    co<|>nv2d(8, kernel_size=3, stride=2)\n    <|>y = relu()', '[N, 3, 16, 16]'));
        for (const position of cursors) expect(await actionsFor(doc, [], { start: position, end: position })).toEqual([]);
    });

    it('respects a request for quick fixes only', async () => {
        const { doc, cursors } = await marked(net('    con<|>v2d(64, kernel_size=3)', '[N, 64, 56, 56]'));
        const result = await Conv.lsp.CodeActionProvider!.getCodeActions(doc, { textDocument: { uri: doc.uri.toString() }, range: { start: cursors[0]!, end: cursors[0]! }, context: { diagnostics: [], only: [CodeActionKind.QuickFix] } });
        expect(result).toEqual([]);
    });
});

describe('flatten quick fix', () => {
    it('inserts flatten() before a linear on a spatial tensor', async () => {
        const { doc, actions } = await quickFixes(net('    linear(10)', '[N, 3, 8, 8]'), 'linear-on-spatial');
        expect(actions.map(a => a.title)).toEqual(['Insert flatten() before linear']);
        const fixed = apply(doc, actions[0]);
        expect(fixed).toBe(net('    flatten() -> linear(10)', '[N, 3, 8, 8]'));
        expect((await marked(fixed)).doc.diagnostics).toEqual([]);
    });

    it('inserts it after a source tensor too', async () => {
        const { doc, actions } = await quickFixes(net('    y = relu()\n    z = y -> linear(10)', '[N, 3, 8, 8]'), 'linear-on-spatial');
        expect(apply(doc, actions[0])).toBe(net('    y = relu()\n    z = y -> flatten() -> linear(10)', '[N, 3, 8, 8]'));
    });

    it('fixes an in_features mismatch when flattening gives exactly in_features', async () => {
        const { doc, actions } = await quickFixes(net('    linear(10, in_features=400)', '[N, 16, 5, 5]'), 'in-features-mismatch');
        expect(actions.map(a => a.title)).toEqual(['Insert flatten() before linear ([N, 16, 5, 5] → [N, 400])']);
        expect(apply(doc, actions[0])).toBe(net('    flatten() -> linear(10, in_features=400)', '[N, 16, 5, 5]'));
    });

    it('is not offered when flattening would not match in_features', async () => {
        const { actions } = await quickFixes(net('    linear(10, in_features=100)', '[N, 16, 5, 5]'), 'in-features-mismatch');
        expect(actions).toEqual([]);
    });
});

describe('did-you-mean quick fixes', () => {
    it('replace an unknown layer with each suggestion, the closest preferred', async () => {
        const { doc, actions } = await quickFixes(net('    conv2dd(8, kernel_size=3)'), 'unknown-layer');
        expect(actions[0]?.title).toBe("Did you mean 'conv2d'?");
        expect(actions[0]?.isPreferred).toBe(true);
        expect(actions.slice(1).every(a => !a.isPreferred)).toBe(true);
        expect(apply(doc, actions[0])).toBe(net('    conv2d(8, kernel_size=3)'));
    });

    it('replace an unknown argument name', async () => {
        const { doc, actions } = await quickFixes(net('    conv2d(8, kernal_size=3)'), 'unknown-argument');
        expect(actions.map(a => a.title)).toEqual(["Did you mean 'kernel_size'?"]);
        expect(apply(doc, actions[0])).toBe(net('    conv2d(8, kernel_size=3)'));
    });

    it('replace an undefined name', async () => {
        const { doc, actions } = await quickFixes(net('    main = conv2d(8, kernel_size=3)\n    mian -> relu()'), 'undefined-name');
        expect(actions.map(a => a.title)).toEqual(["Did you mean 'main'?"]);
        expect(apply(doc, actions[0])).toBe(net('    main = conv2d(8, kernel_size=3)\n    main -> relu()'));
    });

    it('offer nothing when there is no suggestion', async () => {
        const { actions } = await quickFixes(net('    zzzzzz(8)'), 'unknown-layer');
        expect(actions).toEqual([]);
    });
});
