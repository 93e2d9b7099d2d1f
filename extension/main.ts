/** The VS Code extension's entry point: the language client, the commands, the report and the Test Explorer. */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node.js';
import { createLanguageClient } from './client.js';
import { Commands } from './commands.js';
import { EngineService } from './engine-service.js';
import { GradcheckTests } from './gradcheck-tests.js';
import { ReportPanel } from './report-panel.js';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<{ readonly commands: Commands; readonly panel: ReportPanel }> {
    const output = vscode.window.createOutputChannel('Convscope');
    const panel = new ReportPanel(context.extensionUri);
    const engine = new EngineService(context.asAbsolutePath('out/engine/worker.cjs'));
    let commands: Commands | undefined;
    const tests = new GradcheckTests((uri, network, token) => commands!.checkFromTests(uri, network, token));
    commands = new Commands(engine, panel, tests, output);
    context.subscriptions.push(output, panel, tests, engine, ...commands.register());
    client = createLanguageClient(context);
    await client.start();
    return { commands, panel };
}

export async function deactivate(): Promise<void> {
    await client?.stop();
}
