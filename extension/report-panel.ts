/**
 * The report webview panel: one panel, reused, showing the latest summary, run or gradient-check
 * report. Scripts run only with the page's nonce; resources load only from the extension's media/
 * and out/webview/ folders; a click on a table row reveals that layer's line.
 */
import { randomInt } from 'node:crypto';
import * as vscode from 'vscode';
import { makeNonce, reportHtml } from './report/html.js';
import type { ReportView } from './report/model.js';

export class ReportPanel implements vscode.Disposable {
    private panel: vscode.WebviewPanel | undefined;
    /** The view shown last (for tests and the API). */
    current: ReportView | undefined;

    constructor(private readonly extensionUri: vscode.Uri) {}

    private roots(): vscode.Uri[] {
        return [vscode.Uri.joinPath(this.extensionUri, 'media'), vscode.Uri.joinPath(this.extensionUri, 'out', 'webview')];
    }

    show(view: ReportView): void {
        if (!this.panel) {
            this.panel = vscode.window.createWebviewPanel('convscope.report', view.title, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
                enableScripts: true,
                enableFindWidget: true,
                retainContextWhenHidden: true,
                localResourceRoots: this.roots(),
            });
            this.panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'images', 'conv-file.svg');
            this.panel.webview.onDidReceiveMessage(message => this.onMessage(message));
            this.panel.onDidDispose(() => {
                this.panel = undefined;
            });
        }
        const webview = this.panel.webview;
        this.current = view;
        this.panel.title = view.title;
        webview.html = reportHtml(view, {
            cspSource: webview.cspSource,
            nonce: makeNonce(() => randomInt(0, 2 ** 31) / 2 ** 31),
            scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'out', 'webview', 'report.js')).toString(),
            styleUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'report.css')).toString(),
        });
        this.panel.reveal(this.panel.viewColumn ?? vscode.ViewColumn.Beside, true);
    }

    private async onMessage(message: unknown): Promise<void> {
        const m = message as { type?: string; uri?: string; line?: number };
        if (m.type !== 'reveal' || typeof m.uri !== 'string' || typeof m.line !== 'number') return;
        const line = Math.max(0, m.line - 1);
        const editor = await vscode.window.showTextDocument(vscode.Uri.parse(m.uri), { viewColumn: vscode.ViewColumn.One, preserveFocus: false });
        const range = new vscode.Range(line, 0, line, 0);
        editor.selection = new vscode.Selection(range.start, range.start);
        editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }

    dispose(): void {
        this.panel?.dispose();
    }
}
