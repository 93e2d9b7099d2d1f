/** Which network a command is about: given, under the cursor, the only one, or picked from a list. */
import * as vscode from 'vscode';
import { networksInText, type NetworkAt } from './text.js';

export type { NetworkAt };

/** The file's networks, from the language server's outline (networks are classes, inputs fields), else read from the text. */
export async function networksOf(document: vscode.TextDocument): Promise<NetworkAt[]> {
    let symbols: Array<vscode.DocumentSymbol | vscode.SymbolInformation> | undefined;
    try {
        symbols = await vscode.commands.executeCommand<Array<vscode.DocumentSymbol | vscode.SymbolInformation>>('vscode.executeDocumentSymbolProvider', document.uri);
    } catch {
        symbols = undefined;
    }
    const fromSymbols = (symbols ?? []).filter((s): s is vscode.DocumentSymbol => 'children' in s && s.kind === vscode.SymbolKind.Class).map(s => ({
        name: s.name,
        line: s.range.start.line,
        endLine: s.range.end.line,
        inputs: s.children.filter(c => c.kind === vscode.SymbolKind.Field).map(c => c.name),
    }));
    return fromSymbols.length > 0 ? fromSymbols : networksInText(document.getText());
}

/** The network under the cursor, the only network, or the user's pick; undefined when dismissed. */
export async function pickNetwork(document: vscode.TextDocument, position: vscode.Position | undefined, purpose: string): Promise<NetworkAt | undefined> {
    const networks = await networksOf(document);
    if (networks.length === 0) throw new Error(`${vscode.workspace.asRelativePath(document.uri)} declares no network (only blocks)`);
    if (position) {
        const here = networks.find(n => position.line >= n.line && position.line <= n.endLine);
        if (here) return here;
    }
    if (networks.length === 1) return networks[0];
    const picked = await vscode.window.showQuickPick(networks.map(n => ({ label: n.name, description: `line ${n.line + 1}`, network: n })), {
        title: `Convscope: ${purpose}`,
        placeHolder: 'Which network?',
    });
    return picked?.network;
}
