/**
 * A minimal LSP client for the bundled language server (`node out/server/main.cjs --stdio`),
 * shared by the protocol smoke test (test/protocol) and the LSP benchmark (scripts/bench-lsp.mjs).
 * It speaks JSON-RPC through vscode-languageserver-protocol's node connection, records every
 * publishDiagnostics with its arrival time, and can build the bundle when it is missing or older
 * than the sources.
 */
import { spawn, execFileSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
    createProtocolConnection,
    StreamMessageReader,
    StreamMessageWriter,
    type Diagnostic,
    type InitializeResult,
    type ProtocolConnection,
    type PublishDiagnosticsParams,
    type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';

export const SERVER_BUNDLE = 'out/server/main.cjs';

/** Newest modification time of the files under `dir` whose names end in one of `exts`. */
function newest(dir: string, exts: readonly string[]): number {
    let latest = 0;
    if (!existsSync(dir)) return latest;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) latest = Math.max(latest, newest(path, exts));
        else if (exts.some(e => entry.name.endsWith(e))) latest = Math.max(latest, statSync(path).mtimeMs);
    }
    return latest;
}

/**
 * Makes sure `out/server/main.cjs` exists and is at least as new as the grammar and the TypeScript
 * it bundles: runs `npm run langium:generate` when the generated AST is missing or older than the
 * grammar, then `node scripts/build.mjs` when the bundle is missing or stale. Returns what it did.
 */
export function ensureServerBundle(root: string): string[] {
    const done: string[] = [];
    const node = process.execPath;
    const generated = join(root, 'language/generated/ast.ts');
    const grammar = join(root, 'language/conv.langium');
    if (!existsSync(generated) || statSync(generated).mtimeMs < statSync(grammar).mtimeMs) {
        execFileSync(node, ['--require', './polyfill.cjs', './node_modules/langium-cli/bin/langium.js', 'generate', '--mode=production'], { cwd: root, stdio: 'pipe' });
        done.push('langium generate');
    }
    const bundle = join(root, SERVER_BUNDLE);
    const sources = Math.max(...['server', 'src', 'language'].map(d => newest(join(root, d), ['.ts', '.langium'])), statSync(join(root, 'polyfill.cjs')).mtimeMs);
    if (!existsSync(bundle) || statSync(bundle).mtimeMs < sources) {
        execFileSync(node, ['scripts/build.mjs'], { cwd: root, stdio: 'pipe' });
        done.push('node scripts/build.mjs');
    }
    return done;
}

export interface ReceivedDiagnostics {
    readonly uri: string;
    readonly diagnostics: Diagnostic[];
    /** performance.now() when the notification arrived. */
    readonly at: number;
}

export interface StartOptions {
    /** The project root (where out/server/main.cjs lives). */
    readonly root: string;
    /** The server script, relative to root (default out/server/main.cjs). */
    readonly bundle?: string;
    /** Extra node flags, e.g. ['--cpu-prof', '--cpu-prof-dir=out/bench/profiles']. */
    readonly nodeArgs?: readonly string[];
    /** Where the server's stderr goes (default: kept in `stderr`). */
    readonly onStderr?: (text: string) => void;
}

export class LspClient {
    readonly connection: ProtocolConnection;
    readonly received: ReceivedDiagnostics[] = [];
    stderr = '';
    private waiters: Array<{ check: () => boolean }> = [];
    private exited: Promise<number | null>;

    private constructor(readonly child: ChildProcessWithoutNullStreams, options: StartOptions) {
        this.connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
        child.stderr.on('data', (chunk: Buffer) => {
            const text = chunk.toString();
            this.stderr += text;
            options.onStderr?.(text);
        });
        this.exited = new Promise(resolve => child.on('exit', code => resolve(code)));
        this.connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
            this.received.push({ uri: params.uri, diagnostics: params.diagnostics, at: performance.now() });
            this.waiters = this.waiters.filter(w => !w.check());
        });
        // Server-to-client requests (configuration, capability registration, progress): answer politely.
        this.connection.onRequest('workspace/configuration', (params: { items?: unknown[] }) => (params?.items ?? []).map(() => null));
        for (const method of ['client/registerCapability', 'client/unregisterCapability', 'window/workDoneProgress/create', 'window/showMessageRequest', 'workspace/inlayHint/refresh', 'workspace/semanticTokens/refresh', 'workspace/codeLens/refresh', 'workspace/diagnostic/refresh']) {
            this.connection.onRequest(method, () => null);
        }
        this.connection.listen();
    }

    static start(options: StartOptions): LspClient {
        const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.bundle ?? SERVER_BUNDLE, '--stdio'], { cwd: options.root, stdio: 'pipe' });
        return new LspClient(child, options);
    }

    async initialize(rootUri: string | null = null): Promise<InitializeResult> {
        const result = await this.connection.sendRequest<InitializeResult>('initialize', {
            processId: process.pid,
            rootUri,
            workspaceFolders: null,
            capabilities: {
                textDocument: {
                    synchronization: { didSave: false, dynamicRegistration: false },
                    publishDiagnostics: { relatedInformation: true },
                    hover: { contentFormat: ['markdown', 'plaintext'] },
                    completion: { completionItem: { snippetSupport: true } },
                    inlayHint: {},
                    rename: { prepareSupport: true },
                    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
                },
                workspace: {},
            },
        });
        await this.connection.sendNotification('initialized', {});
        return result;
    }

    async open(uri: string, text: string, version = 1): Promise<void> {
        await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'conv', version, text } });
    }

    async change(uri: string, version: number, changes: TextDocumentContentChangeEvent[]): Promise<void> {
        await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    }

    async close(uri: string): Promise<void> {
        await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    }

    request<R>(method: string, params: unknown): Promise<R> {
        return this.connection.sendRequest<R>(method, params);
    }

    /**
     * The first publishDiagnostics for `uri` that arrives after index `from` of `received` and
     * satisfies `accept`; rejects after `timeoutMs`.
     */
    waitForDiagnostics(uri: string, options: { from?: number; accept?: (d: Diagnostic[]) => boolean; timeoutMs?: number } = {}): Promise<ReceivedDiagnostics> {
        const from = options.from ?? 0;
        const accept = options.accept ?? (() => true);
        const timeoutMs = options.timeoutMs ?? 10_000;
        return new Promise((resolve, reject) => {
            const find = (): ReceivedDiagnostics | undefined => this.received.slice(from).find(r => r.uri === uri && accept(r.diagnostics));
            const found = find();
            if (found) return resolve(found);
            const timer = setTimeout(() => {
                this.waiters = this.waiters.filter(w => w !== waiter);
                reject(new Error(`no matching publishDiagnostics for ${uri} within ${timeoutMs} ms (received ${this.received.length - from} since)\n${this.stderr.slice(-2000)}`));
            }, timeoutMs);
            const waiter = {
                check: (): boolean => {
                    const hit = find();
                    if (!hit) return false;
                    clearTimeout(timer);
                    resolve(hit);
                    return true;
                },
            };
            this.waiters.push(waiter);
        });
    }

    /** shutdown + exit; kills the process if it has not exited after `timeoutMs`. Returns the exit code. */
    async stop(timeoutMs = 5_000): Promise<number | null> {
        try {
            await Promise.race([this.connection.sendRequest('shutdown'), delay(timeoutMs)]);
            await this.connection.sendNotification('exit');
        } catch {
            // The connection may already be gone.
        }
        const code = await Promise.race([this.exited, delay(timeoutMs).then(() => 'timeout' as const)]);
        this.connection.dispose();
        if (code === 'timeout') {
            this.child.kill();
            return null;
        }
        return code;
    }

    /** Kills the server without the protocol (for cleanup after failures). */
    kill(): void {
        this.connection.dispose();
        if (this.child.exitCode === null) this.child.kill();
    }
}

function delay(ms: number): Promise<void> {
    return new Promise(resolve => setTimeout(resolve, ms).unref());
}
