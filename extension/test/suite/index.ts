// The extension-host suite: asserts through the `vscode` API what the extension contributes.
// Bundled by scripts/e2e/build-suite.mjs into out/test/suite/index.cjs; runs inside code-server
// (npm run test:e2e) and under @vscode/test-electron in a desktop VS Code (npm run test:vscode).
// The workspace is a copy of examples/ and test/e2e/workspace/ (scripts/e2e/lib/workspace.ts).
import * as vscode from 'vscode';
import { assert, poll, runAll, test } from './harness.js';

function workspaceFile(name: string): vscode.Uri {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert(folder, 'the test workspace is not open');
    return vscode.Uri.joinPath(folder.uri, name);
}

async function open(name: string): Promise<vscode.TextDocument> {
    const doc = await vscode.workspace.openTextDocument(workspaceFile(name));
    await vscode.window.showTextDocument(doc);
    return doc;
}

function lineOf(doc: vscode.TextDocument, text: string): number {
    for (let i = 0; i < doc.lineCount; i++) if (doc.lineAt(i).text.includes(text)) return i;
    throw new Error(`no line containing "${text}" in ${doc.uri.path}`);
}

/** The report the extension's panel shows now (its API: activate() returns { panel }). */
async function shownReport(): Promise<{ kind: string; network: string; verdict?: { text: string } } | undefined> {
    const ext = vscode.extensions.all.find((e) => e.packageJSON?.name === 'convscope' && e.packageJSON?.contributes?.languages);
    assert(ext, 'the Convscope extension is not installed');
    const api = ext.isActive ? ext.exports : await ext.activate();
    return api?.panel?.current;
}

function hintLabel(hint: vscode.InlayHint): string {
    return typeof hint.label === 'string' ? hint.label : hint.label.map((p) => p.value).join('');
}

function hoverText(hover: vscode.Hover): string {
    return hover.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')).join('\n');
}

test('the conv language is registered for .conv files', async () => {
    const languages = await vscode.languages.getLanguages();
    assert(languages.includes('conv'), `languages do not include "conv": ${languages.filter((l) => l.startsWith('c')).join(', ')}`);
    const doc = await open('resnet18.conv');
    assert(doc.languageId === 'conv', `resnet18.conv opened as "${doc.languageId}"`);
});

test('an erroneous document gets an error diagnostic on the offending line', async () => {
    const doc = await open('groups_error.conv');
    const line = lineOf(doc, 'conv2d(8, kernel_size=3, groups=2)');
    const diagnostics = await poll('diagnostics for groups_error.conv', () => {
        const d = vscode.languages.getDiagnostics(doc.uri);
        return d.length > 0 && d;
    });
    const errors = diagnostics.filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert(errors.length === 1, `expected 1 error, got ${JSON.stringify(diagnostics.map((d) => d.message))}`);
    const [error] = errors;
    assert(error && /divisible by groups/.test(error.message), `unexpected message: ${error?.message}`);
    assert(error.range.start.line === line, `error on line ${error.range.start.line + 1}, expected ${line + 1}`);
});

test('a valid document has no error diagnostics', async () => {
    const doc = await open('resnet18.conv');
    // Wait until the server has analysed it (an inlay hint appears), then read diagnostics.
    await poll('inlay hints for resnet18.conv', async () => {
        const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, new vscode.Range(0, 0, doc.lineCount, 0));
        return hints.length > 0;
    });
    const errors = vscode.languages.getDiagnostics(doc.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert(errors.length === 0, `unexpected errors: ${errors.map((d) => d.message).join('; ')}`);
});

test('inlay hints show the output shapes of the stem', async () => {
    const doc = await open('resnet18.conv');
    // The stem statement (conv2d -> batch_norm2d -> relu over two lines) ends in [N, 64, 112, 112]; the max pool halves it.
    const expected = [
        [lineOf(doc, '-> batch_norm2d() -> relu()'), '[N, 64, 112, 112]'],
        [lineOf(doc, 'stem = max_pool2d('), '[N, 64, 56, 56]'],
    ] as const;
    await poll('shape hints on the stem lines', async () => {
        const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, new vscode.Range(0, 0, doc.lineCount, 0));
        return expected.every(([line, shape]) => hints.some((h) => h.position.line === line && hintLabel(h).includes(shape)));
    });
});

test('hover on a layer shows its documentation, output shape and parameters', async () => {
    const doc = await open('resnet18.conv');
    const line = lineOf(doc, 'conv2d(64, kernel_size=7');
    const position = new vscode.Position(line, doc.lineAt(line).text.indexOf('conv2d') + 2);
    const text = await poll('a hover on conv2d', async () => {
        const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, position);
        const t = hovers.map(hoverText).join('\n');
        return t.length > 0 && t;
    });
    // The layer's signature and PyTorch counterpart, then this call's output shape and parameters.
    for (const part of ['torch.nn.Conv2d', '[N, 64, 112, 112]', '9,408 params']) {
        assert(text.includes(part), `hover does not show "${part}": ${text.slice(0, 600)}`);
    }
});

test('the Convscope commands are registered', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['convscope.run', 'convscope.gradcheck', 'convscope.showSummary', 'convscope.exportPyTorch']) {
        assert(commands.includes(id), `command ${id} is not registered`);
    }
});

test('convscope.showSummary returns the network summary', async () => {
    const summary = await vscode.commands.executeCommand<any>('convscope.showSummary', workspaceFile('tiny.conv'), 'Tiny');
    assert(summary, 'convscope.showSummary returned nothing');
    assert(summary.network === 'Tiny', `summary of ${summary.network}, expected Tiny`);
    // conv2d(4, 3x3) on 3 channels: 4*3*9 + 4 = 112; linear(64 -> 5): 64*5 + 5 = 325.
    assert(summary.totals?.params === 437, `params ${summary.totals?.params}, expected 437`);
    const shapes = (summary.outputs as { shape: unknown[] }[]).map((o) => JSON.stringify(o.shape));
    assert(shapes.includes(JSON.stringify([2, 5])), `outputs ${shapes.join(', ')}, expected [2,5]`);
}, 60_000);

test('convscope.gradcheck returns a report where every check passed, and shows it', async () => {
    const report = await vscode.commands.executeCommand<any>('convscope.gradcheck', workspaceFile('tiny.conv'), 'Tiny');
    assert(report, 'convscope.gradcheck returned nothing');
    assert(report.network === 'Tiny', `report of ${report.network}, expected Tiny`);
    const checks = report.checks as { status: string }[];
    assert(checks.length > 0, 'no checks in the report');
    const notPassed = checks.filter((c) => c.status !== 'passed');
    assert(report.passed === true && notPassed.length === 0, `checks not passed: ${JSON.stringify(notPassed).slice(0, 500)}`);
    const view = await shownReport();
    assert(view?.kind === 'gradcheck' && view.network === 'Tiny', `the panel shows ${view?.kind} of ${view?.network}`);
    assert(view.verdict?.text === `All ${checks.length} checks passed`, `the panel's verdict: "${view.verdict?.text}"`);
}, 60_000);

test('convscope.run returns forward and backward statistics for every layer, and shows them', async () => {
    const report = await vscode.commands.executeCommand<any>('convscope.run', workspaceFile('tiny.conv'), 'Tiny');
    assert(report, 'convscope.run returned nothing');
    assert(report.network === 'Tiny' && Number.isFinite(report.loss), `report of ${report.network}, loss ${report.loss}`);
    assert(JSON.stringify(report.output.shape) === '[2,5]', `output shape ${JSON.stringify(report.output.shape)}, expected [2,5]`);
    const ops = (report.layers as { op: string; gradient: { norm: number | null } }[]).map((l) => l.op);
    assert(JSON.stringify(ops) === JSON.stringify(['conv2d', 'tanh', 'avg_pool2d', 'flatten', 'linear']), `layers ${ops.join(', ')}`);
    const noGradient = (report.layers as { op: string; gradient: { norm: number | null } }[]).filter((l) => !(Number(l.gradient.norm) > 0));
    assert(noGradient.length === 0, `layers without a gradient: ${noGradient.map((l) => l.op).join(', ')}`);
    const view = await shownReport();
    assert(view?.kind === 'run' && view.network === 'Tiny', `the panel shows ${view?.kind} of ${view?.network}`);
}, 60_000);

export function run(): Promise<void> {
    return runAll('extension host');
}
