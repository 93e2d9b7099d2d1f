/** The language client: starts the bundled language server (out/server/main.cjs) over IPC for `.conv` files. */
import type * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node.js';

export function createLanguageClient(context: vscode.ExtensionContext): LanguageClient {
    const module = context.asAbsolutePath('out/server/main.cjs');
    const serverOptions: ServerOptions = {
        run: { module, transport: TransportKind.ipc },
        debug: { module, transport: TransportKind.ipc },
    };
    const clientOptions: LanguageClientOptions = {
        documentSelector: [{ language: 'conv', scheme: 'file' }, { language: 'conv', scheme: 'untitled' }],
        // The server adds Run / Gradient check code lenses for clients that have those commands.
        initializationOptions: { convscope: { engineLenses: true } },
    };
    return new LanguageClient('convscope', 'Convscope Language Server', serverOptions, clientOptions);
}
