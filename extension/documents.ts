/**
 * The texts a job needs: the file and, transitively, every file it imports, read through
 * vscode.workspace (an open editor's text, unsaved edits included, else the file on disk).
 * Imports resolve as the language server resolves them (relative to the importing file).
 */
import * as vscode from 'vscode';
import { Utils, URI } from 'vscode-uri';
import type { DocumentText } from './engine/protocol.js';
import { importsOf } from './text.js';


async function readText(uri: vscode.Uri): Promise<string | undefined> {
    const open = vscode.workspace.textDocuments.find(d => d.uri.toString() === uri.toString());
    if (open) return open.getText();
    try {
        return new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
    } catch {
        return undefined;
    }
}

export async function collectDocuments(root: vscode.Uri): Promise<DocumentText[]> {
    const out: DocumentText[] = [];
    const seen = new Set<string>();
    const queue = [root];
    while (queue.length > 0) {
        const uri = queue.shift()!;
        if (seen.has(uri.toString())) continue;
        seen.add(uri.toString());
        const text = await readText(uri);
        if (text === undefined) continue;
        out.push({ uri: uri.toString(), text });
        for (const path of importsOf(text)) {
            queue.push(vscode.Uri.parse(Utils.resolvePath(Utils.dirname(URI.parse(uri.toString())), path).toString()));
        }
    }
    return out;
}
