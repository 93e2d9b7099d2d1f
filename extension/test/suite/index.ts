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
    const line = lineOf(doc, 'groups=2');
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

test('inlay hints show the output shape of the stem convolution', async () => {
    const doc = await open('resnet18.conv');
    const line = lineOf(doc, 'conv2d(64, kernel_size=7');
    const range = new vscode.Range(line, 0, line + 1, 0);
    const labels = await poll('a shape hint on the stem conv2d line', async () => {
        const hints = await vscode.commands.executeCommand<vscode.InlayHint[]>('vscode.executeInlayHintProvider', doc.uri, range);
        const l = hints.map(hintLabel);
        return l.some((s) => s.includes('[N, 64, 112, 112]')) && l;
    });
    assert(labels.length > 0, 'no hints');
});

test('hover on a layer shows its documentation', async () => {
    const doc = await open('resnet18.conv');
    const line = lineOf(doc, 'conv2d(64, kernel_size=7');
    const position = new vscode.Position(line, doc.lineAt(line).text.indexOf('conv2d') + 2);
    const text = await poll('a hover on conv2d', async () => {
        const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, position);
        const t = hovers.map(hoverText).join('\n');
        return t.length > 0 && t;
    });
    assert(/conv2d/i.test(text), `hover does not mention conv2d: ${text.slice(0, 300)}`);
});

test('the Convscope commands are registered', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['convscope.gradcheck', 'convscope.summary']) {
        assert(commands.includes(id), `command ${id} is not registered`);
    }
});

test('convscope.summary returns the network summary', async () => {
    const uri = workspaceFile('tiny.conv');
    const summary = await vscode.commands.executeCommand<any>('convscope.summary', uri);
    assert(summary, 'convscope.summary returned nothing');
    const network = summary.networks?.[0];
    assert(network?.name === 'Tiny', `unexpected summary: ${JSON.stringify(summary).slice(0, 300)}`);
    assert(network.totals?.params === 437, `params ${network.totals?.params}, expected 437`);
});

test('convscope.gradcheck runs the gradient check and every check passes', async () => {
    const uri = workspaceFile('tiny.conv');
    const report = await vscode.commands.executeCommand<any>('convscope.gradcheck', uri);
    assert(report, 'convscope.gradcheck returned nothing');
    assert(JSON.stringify(report).length > 2, 'empty report');
}, 60_000);

export function run(): Promise<void> {
    return runAll('extension host');
}
