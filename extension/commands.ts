/**
 * The four commands — convscope.run, convscope.gradcheck, convscope.showSummary,
 * convscope.exportPyTorch — on the network under the cursor (or given). Each one reads the file
 * and its imports, hands them to an engine worker and shows the result: the report webview, the
 * "Convscope" output channel, the Test Explorer (gradient checks), a new .py file (export).
 *
 * Arguments, for code lenses, menus and tests: a document URI (vscode.Uri or string) and a network
 * name, in either order, then for `convscope.run` an options object `{ input }` and for
 * `convscope.exportPyTorch` `{ out }`. With a network name given, nothing is asked: run uses
 * random inputs unless `input` names .npy files, export writes next to the .conv file unless
 * `out` says where. Each command resolves to its report (the CLI's JSON) or undefined when
 * cancelled or failed (the failure is shown and logged).
 */
import * as vscode from 'vscode';
import { Utils, URI } from 'vscode-uri';
import type { GradcheckReport } from '../src/engine/gradcheck.js';
import type { RunReport } from '../src/engine/run-report.js';
import { collectDocuments } from './documents.js';
import type { JobResult, NpyInput, SummaryReport } from './engine/protocol.js';
import { JobFailed } from './engine/runner.js';
import type { EngineService } from './engine-service.js';
import type { GradcheckTests } from './gradcheck-tests.js';
import { pickNetwork, networksOf, type NetworkAt } from './networks.js';
import type { ReportPanel } from './report-panel.js';
import { gradcheckView, runView, summaryView } from './report/model.js';
import { gradcheckSettings, runSettings, SettingsError } from './settings.js';

export const COMMANDS = {
    run: 'convscope.run',
    gradcheck: 'convscope.gradcheck',
    showSummary: 'convscope.showSummary',
    exportPyTorch: 'convscope.exportPyTorch',
} as const;

interface Target {
    readonly document: vscode.TextDocument;
    readonly network: NetworkAt;
    /** Whether the network came from the arguments (then nothing is asked). */
    readonly given: boolean;
    readonly options: Record<string, unknown>;
}

export interface ExportResult {
    readonly uri: string;
    readonly code: string;
    readonly classes: readonly string[];
}

export class Commands {
    constructor(
        private readonly engine: EngineService,
        private readonly panel: ReportPanel,
        private readonly tests: GradcheckTests,
        private readonly output: vscode.OutputChannel,
    ) {}

    register(): vscode.Disposable[] {
        return [
            vscode.commands.registerCommand(COMMANDS.run, (...args: unknown[]) => this.guard('run', () => this.run(args))),
            vscode.commands.registerCommand(COMMANDS.gradcheck, (...args: unknown[]) => this.guard('gradient check', () => this.gradcheck(args))),
            vscode.commands.registerCommand(COMMANDS.showSummary, (...args: unknown[]) => this.guard('summary', () => this.showSummary(args))),
            vscode.commands.registerCommand(COMMANDS.exportPyTorch, (...args: unknown[]) => this.guard('export', () => this.exportPyTorch(args))),
        ];
    }

    private async guard<T>(what: string, f: () => Promise<T | undefined>): Promise<T | undefined> {
        try {
            return await f();
        } catch (err) {
            const message = err instanceof JobFailed || err instanceof SettingsError || err instanceof UserError ? err.message : `internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}`;
            this.output.appendLine(`[${what}] ${message}`);
            void vscode.window.showErrorMessage(`Convscope ${what}: ${message.split('\n')[0]}`);
            return undefined;
        }
    }

    // ---- the commands ------------------------------------------------------------------------

    async showSummary(args: unknown[]): Promise<SummaryReport | undefined> {
        const target = await this.target(args, 'Show Network Summary');
        if (!target) return undefined;
        const result = await this.engine.run(`Convscope: summary of ${target.network.name}`, { kind: 'summary', ...(await this.base(target)) });
        if (!result) return undefined;
        this.panel.show(summaryView(result.summary));
        return result.summary;
    }

    async run(args: unknown[]): Promise<RunReport | undefined> {
        const target = await this.target(args, 'Run Forward and Backward Pass');
        if (!target) return undefined;
        const settings = runSettings(target.document.uri);
        const inputs = await this.inputs(target);
        if (inputs === undefined) return undefined;
        const result = await this.engine.run(`Convscope: forward and backward pass of ${target.network.name}`, { kind: 'run', ...(await this.base(target)), settings, inputs });
        if (!result) return undefined;
        this.panel.show(runView(result));
        this.output.appendLine(`[run] ${result.run.network}: loss ${result.run.loss.toPrecision(8)}, output [${result.run.output.shape.join(', ')}], ${result.run.layers.length} layers, ${result.seconds.toFixed(3)} s (${result.run.dtype}, ${result.run.mode}, seed ${result.run.seed}; inputs: ${result.inputs})`);
        return result.run;
    }

    async gradcheck(args: unknown[]): Promise<Omit<GradcheckReport, 'cancelled'> | undefined> {
        const target = await this.target(args, 'Run Gradient Check');
        if (!target) return undefined;
        const result = await this.checkNetwork(target);
        if (!result) return undefined;
        this.tests.publish(target.document.uri, result);
        return result.gradcheck;
    }

    /** For the Test Explorer: the check of one network, shown in the report and the output channel. */
    readonly checkFromTests = async (uri: vscode.Uri, network: string, token: vscode.CancellationToken) => {
        const target = await this.target([uri, network], 'Run Gradient Check');
        return target ? this.checkNetwork(target, token) : undefined;
    };

    private async checkNetwork(target: Target, token?: vscode.CancellationToken): Promise<Extract<JobResult, { kind: 'gradcheck' }> | undefined> {
        const settings = gradcheckSettings(target.document.uri);
        const result = await this.engine.run(`Convscope: gradient check of ${target.network.name}`, { kind: 'gradcheck', ...(await this.base(target)), settings }, token);
        if (!result) return undefined;
        this.panel.show(gradcheckView(result));
        this.output.appendLine(`[gradient check] ${vscode.workspace.asRelativePath(target.document.uri)}`);
        this.output.appendLine(result.text);
        return result;
    }

    async exportPyTorch(args: unknown[]): Promise<ExportResult | undefined> {
        const target = await this.target(args, 'Export to PyTorch');
        if (!target) return undefined;
        const source = vscode.workspace.asRelativePath(target.document.uri);
        const result = await this.engine.run(`Convscope: export ${target.network.name} to PyTorch`, { kind: 'export', ...(await this.base(target)), source });
        if (!result) return undefined;
        const fallback = this.defaultExportUri(target);
        const out = target.options.out;
        let destination: vscode.Uri | undefined;
        if (out instanceof vscode.Uri) destination = out;
        else if (typeof out === 'string') destination = /^[a-z][a-z0-9+.-]+:/i.test(out) ? vscode.Uri.parse(out) : vscode.Uri.file(out);
        else if (target.given && fallback) destination = fallback;
        else destination = await vscode.window.showSaveDialog({ defaultUri: fallback, filters: { Python: ['py'] }, title: `Export ${target.network.name} to PyTorch` });
        if (!destination) return undefined;
        await vscode.workspace.fs.writeFile(destination, new TextEncoder().encode(result.code));
        this.output.appendLine(`[export] ${target.network.name} → ${vscode.workspace.asRelativePath(destination)} (classes: ${result.classes.join(', ')})`);
        if (!target.given) await vscode.window.showTextDocument(destination, { preview: false });
        return { uri: destination.toString(), code: result.code, classes: result.classes };
    }

    // ---- helpers -----------------------------------------------------------------------------

    private defaultExportUri(target: Target): vscode.Uri | undefined {
        const uri = target.document.uri;
        const dir = uri.scheme === 'untitled' ? vscode.workspace.workspaceFolders?.[0]?.uri : vscode.Uri.parse(Utils.dirname(URI.parse(uri.toString())).toString());
        return dir ? vscode.Uri.joinPath(dir, `${target.network.name.toLowerCase()}.py`) : undefined;
    }

    private async base(target: Target) {
        return { root: target.document.uri.toString(), documents: await collectDocuments(target.document.uri), network: target.network.name };
    }

    /** The document and network the command is about, from the arguments, the cursor, or a pick. */
    private async target(args: readonly unknown[], purpose: string): Promise<Target | undefined> {
        let uri: vscode.Uri | undefined;
        let name: string | undefined;
        let options: Record<string, unknown> = {};
        for (const a of args) {
            if (a instanceof vscode.Uri) uri = a;
            else if (typeof a === 'string') {
                if (/^[a-z][a-z0-9+.-]+:/i.test(a)) uri = vscode.Uri.parse(a);
                else name = a;
            } else if (a && typeof a === 'object' && !Array.isArray(a)) options = a as Record<string, unknown>;
        }
        const editor = vscode.window.activeTextEditor;
        let document: vscode.TextDocument;
        if (uri) document = await vscode.workspace.openTextDocument(uri);
        else if (editor && editor.document.languageId === 'conv') document = editor.document;
        else throw new UserError('open a .conv file first');
        if (name !== undefined) {
            const known = (await networksOf(document)).find(n => n.name === name);
            return { document, network: known ?? { name, line: 0, endLine: 0, inputs: [] }, given: true, options };
        }
        const position = editor && editor.document === document ? editor.selection.active : undefined;
        const network = await pickNetwork(document, position, purpose).catch(err => {
            throw new UserError(err instanceof Error ? err.message : String(err));
        });
        return network ? { document, network, given: false, options } : undefined;
    }

    /**
     * The run's inputs: `options.input` (a .npy URI or path for the only input, or { name: file }),
     * else, when asked interactively and the workspace has .npy files, a pick per input; else random.
     * Undefined when a pick was dismissed.
     */
    private async inputs(target: Target): Promise<NpyInput[] | undefined> {
        const given = target.options.input;
        const names = target.network.inputs;
        const read = async (input: string, file: unknown): Promise<NpyInput> => {
            const uri = file instanceof vscode.Uri ? file : typeof file === 'string' ? (/^[a-z][a-z0-9+.-]+:/i.test(file) ? vscode.Uri.parse(file) : vscode.Uri.file(file)) : undefined;
            if (!uri) throw new UserError(`input '${input}': give a .npy file`);
            return { input, label: vscode.workspace.asRelativePath(uri), bytes: await vscode.workspace.fs.readFile(uri) };
        };
        if (given !== undefined && given !== 'random') {
            if (typeof given === 'string' || given instanceof vscode.Uri) {
                if (names.length !== 1) throw new UserError(`${target.network.name} has ${names.length} inputs (${names.join(', ')}): give { input: { name: file } }`);
                return [await read(names[0]!, given)];
            }
            if (given && typeof given === 'object') return Promise.all(Object.entries(given as Record<string, unknown>).map(([k, v]) => read(k, v)));
        }
        if (target.given || given === 'random') return [];
        const files = await vscode.workspace.findFiles('**/*.npy', '**/node_modules/**', 1000);
        if (files.length === 0) return [];
        const out: NpyInput[] = [];
        for (const input of names) {
            const picked = await vscode.window.showQuickPick([
                { label: '$(symbol-misc) random input', description: 'N(0, 1), seeded by convscope.seed', uri: undefined as vscode.Uri | undefined },
                ...files.map(uri => ({ label: `$(file) ${Utils.basename(URI.parse(uri.toString()))}`, description: vscode.workspace.asRelativePath(uri), uri })),
            ], { title: `Convscope: input '${input}' of ${target.network.name}`, placeHolder: 'A .npy file (float32 or float64, C order) of the declared shape, or a random input' });
            if (!picked) return undefined;
            if (picked.uri) out.push(await read(input, picked.uri));
        }
        return out;
    }
}

/** A problem with what the user asked for, shown as it is. */
export class UserError extends Error {}
