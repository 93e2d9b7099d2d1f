/**
 * Gradient checks in the Test Explorer: an item per network (found in the workspace's .conv
 * files), under it an item per layer and under that an item per checked tensor (filled in by the
 * first check). Running any item runs the network's gradient check; a failure carries its message
 * at the layer's line. Checks run from the command or a code lens are recorded here too.
 */
import * as vscode from 'vscode';
import type { TensorCheck } from '../src/engine/gradcheck.js';
import type { JobResult } from './engine/protocol.js';
import { networksInText } from './text.js';
import { fmtNumber } from './report/model.js';

export type GradcheckResult = Extract<JobResult, { kind: 'gradcheck' }>;

/** Runs a network's check (with progress); undefined when cancelled. */
export type CheckRunner = (uri: vscode.Uri, network: string, token: vscode.CancellationToken) => Promise<GradcheckResult | undefined>;

export class GradcheckTests implements vscode.Disposable {
    readonly controller: vscode.TestController;
    private readonly disposables: vscode.Disposable[] = [];

    constructor(private readonly check: CheckRunner) {
        this.controller = vscode.tests.createTestController('convscope.gradcheck', 'Convscope gradient checks');
        this.controller.resolveHandler = async item => {
            if (!item) await this.discover();
        };
        this.controller.refreshHandler = () => this.discover();
        this.controller.createRunProfile('Gradient check', vscode.TestRunProfileKind.Run, (request, token) => this.runRequest(request, token), true);
        const update = (doc: vscode.TextDocument) => {
            if (doc.languageId === 'conv' && doc.uri.scheme === 'file') this.updateFile(doc.uri, doc.getText());
        };
        vscode.workspace.textDocuments.forEach(update);
        this.disposables.push(
            vscode.workspace.onDidOpenTextDocument(update),
            vscode.workspace.onDidChangeTextDocument(e => update(e.document)),
            vscode.workspace.onDidDeleteFiles(e => e.files.forEach(uri => this.updateFile(uri, ''))),
        );
    }

    /** Every network of the workspace's .conv files. */
    private async discover(): Promise<void> {
        const files = await vscode.workspace.findFiles('**/*.conv', '**/node_modules/**', 2000);
        for (const uri of files) {
            const open = vscode.workspace.textDocuments.find(d => d.uri.toString() === uri.toString());
            const text = open ? open.getText() : new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
            this.updateFile(uri, text);
        }
    }

    private updateFile(uri: vscode.Uri, text: string): void {
        const prefix = `${uri.toString()}#`;
        const found = new Set<string>();
        for (const n of networksInText(text)) {
            const item = this.networkItem(uri, n.name);
            item.range = new vscode.Range(n.line, 0, n.line, 0);
            found.add(item.id);
        }
        this.controller.items.forEach(item => {
            if (item.id.startsWith(prefix) && !found.has(item.id)) this.controller.items.delete(item.id);
        });
    }

    private networkItem(uri: vscode.Uri, name: string): vscode.TestItem {
        const id = `${uri.toString()}#${name}`;
        let item = this.controller.items.get(id);
        if (!item) {
            item = this.controller.createTestItem(id, name, uri);
            item.description = vscode.workspace.asRelativePath(uri);
            this.controller.items.add(item);
        }
        return item;
    }

    private async runRequest(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
        const networks = new Map<string, vscode.TestItem>();
        const include = request.include ?? collect(this.controller.items);
        for (const item of include) {
            let top = item;
            while (top.parent) top = top.parent;
            networks.set(top.id, top);
        }
        const run = this.controller.createTestRun(request);
        try {
            for (const item of networks.values()) {
                if (token.isCancellationRequested) {
                    run.skipped(item);
                    continue;
                }
                run.started(item);
                const name = item.id.slice(item.id.lastIndexOf('#') + 1);
                try {
                    const result = await this.check(item.uri!, name, token);
                    if (result) this.record(run, item, result);
                    else run.skipped(item);
                } catch (err) {
                    run.errored(item, new vscode.TestMessage(err instanceof Error ? err.message : String(err)));
                }
            }
        } finally {
            run.end();
        }
    }

    /** Records a check run elsewhere (the command, a code lens) in the Test Explorer. */
    publish(uri: vscode.Uri, result: GradcheckResult): void {
        const item = this.networkItem(uri, result.gradcheck.network);
        const run = this.controller.createTestRun(new vscode.TestRunRequest([item]), `Gradient check of ${result.gradcheck.network}`, true);
        run.started(item);
        this.record(run, item, result);
        run.end();
    }

    private record(run: vscode.TestRun, network: vscode.TestItem, result: GradcheckResult): void {
        const { summary, gradcheck, text } = result;
        const layerInfo = new Map(summary.layers.map(l => [l.key, l]));
        const layers = new Map<string, { item: vscode.TestItem; checks: Array<{ item: vscode.TestItem; check: TensorCheck }> }>();
        for (const check of gradcheck.checks) {
            let layer = layers.get(check.layer);
            if (!layer) {
                const info = layerInfo.get(check.layer);
                const uri = vscode.Uri.parse(info?.uri ?? summary.uri);
                const item = this.controller.createTestItem(`${network.id}/${check.layer}`, check.layer, uri);
                item.description = info ? `${info.op}${info.where ? ` · ${info.where}` : ''}` : check.op;
                item.range = new vscode.Range(check.line - 1, 0, check.line - 1, 0);
                layer = { item, checks: [] };
                layers.set(check.layer, layer);
            }
            const item = this.controller.createTestItem(`${layer.item.id}/${check.scope}:${check.tensor}`, check.tensor, layer.item.uri);
            item.description = check.scope === 'layer' ? 'layer alone' : 'end to end';
            item.range = layer.item.range;
            layer.checks.push({ item, check });
        }
        network.children.replace([...layers.values()].map(l => l.item));
        for (const layer of layers.values()) layer.item.children.replace(layer.checks.map(c => c.item));

        run.appendOutput(text.replace(/\r?\n/g, '\r\n') + '\r\n');
        let networkFailures = 0;
        for (const layer of layers.values()) {
            const failures: vscode.TestMessage[] = [];
            for (const { item, check } of layer.checks) {
                if (check.status === 'passed') run.passed(item);
                else if (check.status === 'skipped') run.skipped(item);
                else {
                    const message = failureMessage(check, item.uri!);
                    run.failed(item, message);
                    failures.push(message);
                }
            }
            if (failures.length > 0) run.failed(layer.item, failures);
            else if (layer.checks.every(c => c.check.status === 'skipped')) run.skipped(layer.item);
            else run.passed(layer.item);
            networkFailures += failures.length;
        }
        if (networkFailures > 0) {
            const message = new vscode.TestMessage(`${networkFailures} of ${gradcheck.checks.length} checks failed`);
            message.location = new vscode.Location(network.uri!, network.range ?? new vscode.Range(0, 0, 0, 0));
            run.failed(network, message, result.seconds * 1000);
        } else run.passed(network, result.seconds * 1000);
    }

    dispose(): void {
        this.disposables.forEach(d => d.dispose());
        this.controller.dispose();
    }
}

function collect(items: vscode.TestItemCollection): vscode.TestItem[] {
    const out: vscode.TestItem[] = [];
    items.forEach(item => out.push(item));
    return out;
}

function failureMessage(check: TensorCheck, uri: vscode.Uri): vscode.TestMessage {
    const where = check.worstIndex.length ? ` at [${check.worstIndex.join(', ')}]` : '';
    const message = new vscode.TestMessage(
        `${check.scope === 'layer' ? 'layer alone' : 'end to end'}: ∂L/∂${check.tensor} of ${check.layer} disagrees with central differences — `
        + `max abs error ${fmtNumber(check.maxAbsError)}, max rel error ${fmtNumber(check.maxRelError)}${where}`
        + `${check.note ? ` (${check.note})` : ''}`,
    );
    message.location = new vscode.Location(uri, new vscode.Position(check.line - 1, 0));
    return message;
}
