/**
 * Robustness harness: builds a document through the Conv language services (parse, link,
 * validate), then asks every registered LSP feature about it and runs the analysis. A run fails
 * when anything throws, when a request does not answer within its time budget, or when a
 * diagnostic, hint, hover, edit or symbol points outside the document.
 *
 * Documents live in their own services instance (so fuzzing cannot disturb other tests) and are
 * removed again after each run, so thousands of runs do not accumulate in the workspace.
 */
import { EmptyFileSystem, URI, type LangiumDocument } from 'langium';
import type { Diagnostic, Position, Range } from 'vscode-languageserver-types';
import { CancellationToken } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type * as ast from '../../language/generated/ast.js';
import { createConvServices } from '../../server/conv-module.js';

export const fuzzServices = createConvServices(EmptyFileSystem);
const { shared, Conv } = fuzzServices;

/**
 * Wall-clock budget per request (and for parse + link + validate): a hang detector, not a
 * performance test (npm run bench:lsp measures speed), so it allows for a loaded 2-core machine
 * running several test files at once. FUZZ_BUDGET_MS overrides it.
 */
export const REQUEST_BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? 10_000);

/** The document as failure messages show it: long ones are cut. */
function excerpt(text: string): string {
    return text.length <= 2_000 ? text : `${text.slice(0, 2_000)}\n… (${text.length - 2_000} more characters)`;
}

/** FUZZ_TIMING=<ms> logs every request slower than that, to find what makes a document slow. */
const TIMING = Number(process.env.FUZZ_TIMING ?? 0);

export class RobustnessError extends Error {}

let counter = 0;

/** Registers `text` as a workspace document that stays (for imports); returns its URI. */
export async function addLibraryDocument(path: string, text: string): Promise<URI> {
    const uri = URI.parse(`file:///fuzz/${path}`);
    const document = shared.workspace.LangiumDocumentFactory.fromString(text, uri);
    shared.workspace.LangiumDocuments.addDocument(document);
    await shared.workspace.DocumentBuilder.build([document], { validation: true });
    return uri;
}

/**
 * Runs `work` and fails when it throws, rejects, or takes longer than the budget. A synchronous
 * infinite loop cannot be interrupted from the same thread; it shows up as the test timeout.
 */
async function request<T>(what: string, text: string, work: () => T | Promise<T>): Promise<T> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new RobustnessError(`${what} did not answer within ${REQUEST_BUDGET_MS} ms\n--- document ---\n${excerpt(text)}`)), REQUEST_BUDGET_MS);
    });
    try {
        const result = await Promise.race([Promise.resolve().then(work), timeout]);
        const elapsed = performance.now() - started;
        if (TIMING && elapsed > TIMING) console.log(`[fuzz timing] ${what}: ${elapsed.toFixed(0)} ms (${text.length} chars: ${JSON.stringify(text.slice(0, 60))}…)`);
        if (elapsed > REQUEST_BUDGET_MS) throw new RobustnessError(`${what} took ${elapsed.toFixed(0)} ms (budget ${REQUEST_BUDGET_MS} ms)\n--- document ---\n${excerpt(text)}`);
        return result;
    } catch (error) {
        if (error instanceof RobustnessError) throw error;
        const detail = error instanceof Error ? error.stack ?? error.message : String(error);
        throw new RobustnessError(`${what} threw: ${detail}\n--- document ---\n${excerpt(text)}`);
    } finally {
        clearTimeout(timer);
    }
}

/** A diagnostic's message as text (LSP 3.18 allows Markdown content). */
function messageOf(d: Diagnostic): string {
    return typeof d.message === 'string' ? d.message : d.message?.value ?? '';
}

/** Checks positions and ranges against the document's lines. */
class Bounds {
    private readonly lines: number[];

    constructor(private readonly text: string) {
        this.lines = text.split(/\r\n|\r|\n/).map(l => l.length);
    }

    position(what: string, p: Position | undefined): void {
        if (!p || !Number.isInteger(p.line) || !Number.isInteger(p.character) || p.line < 0 || p.character < 0 || p.line >= this.lines.length || p.character > this.lines[p.line]!) {
            this.fail(`${what}: position ${JSON.stringify(p)} is outside the document (${this.lines.length} lines)`);
        }
    }

    range(what: string, r: Range | undefined): void {
        if (!r) return this.fail(`${what}: missing range`);
        this.position(`${what} start`, r.start);
        this.position(`${what} end`, r.end);
        if (r.start.line > r.end.line || (r.start.line === r.end.line && r.start.character > r.end.character)) this.fail(`${what}: range ${JSON.stringify(r)} ends before it starts`);
    }

    private fail(message: string): never {
        throw new RobustnessError(`${message}\n--- document (${JSON.stringify(this.text)}) ---\n${this.text}`);
    }
}

export interface ExerciseOptions {
    /** Offsets at which to ask for hover, completion and the other position requests (taken modulo length + 1). */
    readonly offsets: readonly number[];
    /** Path of the document under file:///fuzz/ (so relative imports reach library documents). */
    readonly path?: string;
}

export interface ExerciseResult {
    readonly diagnostics: number;
    /** Messages of the error diagnostics. */
    readonly errors: readonly string[];
    readonly hints: number;
}

/**
 * Langium catches exceptions in linking and validation, logs them with console.error and turns
 * them into diagnostics: swallowed crashes. `exercise` collects those logs and fails on them.
 */
const swallowed: string[] = [];
const originalError = console.error.bind(console);
console.error = (...args: unknown[]): void => {
    const first = args.map(a => (a instanceof Error ? a.stack ?? a.message : String(a))).join(' ');
    if (first.includes('An error occurred')) swallowed.push(first);
    else originalError(...args);
};

/** Builds `text` and puts every feature to work on it; throws RobustnessError on any failure. */
export async function exercise(text: string, options: ExerciseOptions): Promise<ExerciseResult> {
    swallowed.length = 0;
    try {
        const result = await exerciseOnce(text, options);
        if (swallowed.length > 0) throw new RobustnessError(`an exception was caught and logged by Langium: ${swallowed[0]}\n--- document (${JSON.stringify(text)}) ---\n${text}`);
        return result;
    } finally {
        swallowed.length = 0;
    }
}

async function exerciseOnce(text: string, options: ExerciseOptions): Promise<ExerciseResult> {
    const uri = URI.parse(`file:///fuzz/${options.path ?? `doc${counter++}.conv`}`);
    const bounds = new Bounds(text);
    const documents = shared.workspace.LangiumDocuments;
    // The factory parses: a parser crash (e.g. a stack overflow) surfaces here.
    const document = await request('parse', text, () => shared.workspace.LangiumDocumentFactory.fromString(text, uri) as LangiumDocument<ast.Model>);
    documents.addDocument(document);
    try {
        await request('link + validate', text, () => shared.workspace.DocumentBuilder.build([document], { validation: true }));
        const diagnostics = document.diagnostics ?? [];
        for (const d of diagnostics) {
            const message = messageOf(d);
            bounds.range(`diagnostic '${message}'`, d.range);
            if (message.length === 0) throw new RobustnessError(`diagnostic without a message at ${JSON.stringify(d.range)}`);
            if (message.startsWith('An error occurred')) throw new RobustnessError(`a crash became a diagnostic: ${message}\n--- document (${JSON.stringify(text)}) ---\n${text}`);
        }
        const textDocument = { uri: uri.toString() };
        const whole: Range = { start: { line: 0, character: 0 }, end: document.textDocument.positionAt(text.length) };
        const token = CancellationToken.None;

        const analysis = await request('analysis', text, () => Conv.analysis.Analyzer.analyze(document));
        for (const issue of analysis.analysis.issues) {
            if (issue.loc.file === uri.toString()) bounds.range(`issue '${issue.message}'`, { start: issue.loc.start, end: issue.loc.end });
        }

        const hints = (await request('inlay hints', text, () => Conv.lsp.InlayHintProvider?.getInlayHints(document, { textDocument, range: whole }, token))) ?? [];
        for (const h of hints) bounds.position(`inlay hint '${typeof h.label === 'string' ? h.label : '…'}'`, h.position);

        const lsp = Conv.lsp;
        await request('document symbols', text, async () => {
            const symbols = (await lsp.DocumentSymbolProvider?.getSymbols(document, { textDocument }, token)) ?? [];
            const visit = (list: typeof symbols): void => {
                for (const s of list) {
                    bounds.range(`symbol '${s.name}'`, s.range);
                    bounds.range(`symbol '${s.name}' selection`, s.selectionRange);
                    visit(s.children ?? []);
                }
            };
            visit(symbols);
        });
        if (lsp.Formatter) {
            const edits = await request('formatting', text, () => lsp.Formatter!.formatDocument(document, { textDocument, options: { tabSize: 4, insertSpaces: true } }));
            for (const e of edits ?? []) bounds.range('format edit', e.range);
        }
        if (lsp.FoldingRangeProvider) await request('folding ranges', text, () => lsp.FoldingRangeProvider!.getFoldingRanges(document, { textDocument }, token));
        if (lsp.SemanticTokenProvider) await request('semantic tokens', text, () => lsp.SemanticTokenProvider!.semanticHighlight(document, { textDocument }, token));
        if (lsp.CodeLensProvider) await request('code lens', text, () => lsp.CodeLensProvider!.provideCodeLens(document, { textDocument }, token));
        if (lsp.CodeActionProvider && diagnostics.length > 0) {
            await request('code actions', text, () => lsp.CodeActionProvider!.getCodeActions(document, { textDocument, range: whole, context: { diagnostics } }, token));
        }

        const length = text.length;
        for (const raw of options.offsets) {
            const offset = Math.abs(Math.trunc(raw)) % (length + 1);
            const position = document.textDocument.positionAt(offset);
            const params = { textDocument, position };
            const at = `at offset ${offset}`;
            if (lsp.HoverProvider) {
                const hover = await request(`hover ${at}`, text, () => lsp.HoverProvider!.getHoverContent(document, params, token));
                if (hover?.range) bounds.range(`hover range ${at}`, hover.range);
            }
            if (lsp.CompletionProvider) {
                const list = await request(`completion ${at}`, text, () => lsp.CompletionProvider!.getCompletion(document, params, token));
                for (const item of list?.items ?? []) {
                    const edit = item.textEdit;
                    if (edit && 'range' in edit) bounds.range(`completion '${item.label}' ${at}`, edit.range);
                }
            }
            if (lsp.DefinitionProvider) await request(`definition ${at}`, text, () => lsp.DefinitionProvider!.getDefinition(document, params, token));
            if (lsp.ReferencesProvider) await request(`references ${at}`, text, () => lsp.ReferencesProvider!.findReferences(document, { ...params, context: { includeDeclaration: true } }, token));
            if (lsp.DocumentHighlightProvider) await request(`highlight ${at}`, text, () => lsp.DocumentHighlightProvider!.getDocumentHighlight(document, params, token));
            if (lsp.RenameProvider) {
                const range = await request(`prepare rename ${at}`, text, () => lsp.RenameProvider!.prepareRename(document, params, token));
                if (range && 'start' in range) {
                    bounds.range(`prepare rename ${at}`, range);
                    await request(`rename ${at}`, text, () => lsp.RenameProvider!.rename(document, { ...params, newName: 'renamed_x' }, token));
                }
            }
            if (lsp.SignatureHelp) await request(`signature help ${at}`, text, () => lsp.SignatureHelp!.provideSignatureHelp(document, params, token));
        }
        return { diagnostics: diagnostics.length, errors: diagnostics.filter(d => d.severity === 1).map(messageOf), hints: hints.length };
    } finally {
        Conv.analysis.Analyzer.forget(uri);
        documents.deleteDocument(uri);
        shared.workspace.IndexManager.remove(uri);
    }
}

// ---- typing: one document edited many times, as the server sees it ----------------------------

export interface TextEdit {
    /** Offsets into the current text (start taken modulo its length + 1; end - start characters replaced). */
    readonly start: number;
    readonly end: number;
    readonly text: string;
}

/** What a user sees of a document: diagnostics and inlay hints, without URIs. */
async function view(document: LangiumDocument<ast.Model>): Promise<string[]> {
    const diagnostics = (document.diagnostics ?? []).map(d => `diagnostic ${d.severity} ${JSON.stringify(d.range)} ${messageOf(d)}`);
    const range: Range = { start: { line: 0, character: 0 }, end: document.textDocument.positionAt(document.textDocument.getText().length) };
    const hints = (await Conv.lsp.InlayHintProvider?.getInlayHints(document, { textDocument: { uri: document.uri.toString() }, range }, CancellationToken.None)) ?? [];
    return [...diagnostics.sort(), ...hints.map(h => `hint ${JSON.stringify(h.position)} ${typeof h.label === 'string' ? h.label : h.label.map(p => p.value).join('')}`)];
}

/**
 * Opens `initial` the way the language server does (a TextDocument, then DocumentBuilder.update)
 * and applies `edits` one at a time as new versions. After every version, the diagnostics and
 * inlay hints must equal those of a fresh document with the same text: caches keyed by document
 * version (the analysis, conversions) must never serve a stale result.
 */
export async function typeInto(initial: string, edits: readonly TextEdit[]): Promise<void> {
    const uri = URI.parse(`file:///fuzz/typed${counter++}.conv`);
    const textDocuments = shared.workspace.TextDocuments!;
    let textDocument = TextDocument.create(uri.toString(), 'conv', 1, initial);
    textDocuments.set(textDocument);
    const builder = shared.workspace.DocumentBuilder;
    try {
        await request('open', initial, () => builder.update([uri], []));
        for (const edit of edits) {
            const text = textDocument.getText();
            const start = edit.start % (text.length + 1);
            const end = Math.min(start + Math.max(0, edit.end - edit.start), text.length);
            textDocument = TextDocument.update(textDocument, [{ range: { start: textDocument.positionAt(start), end: textDocument.positionAt(end) }, text: edit.text }], textDocument.version + 1);
            textDocuments.set(textDocument);
            const current = textDocument.getText();
            await request(`update to version ${textDocument.version}`, current, () => builder.update([uri], []));
            const document = shared.workspace.LangiumDocuments.getDocument(uri) as LangiumDocument<ast.Model>;
            if (document.textDocument.getText() !== current) throw new RobustnessError(`the document did not take the edit (version ${textDocument.version})`);
            const seen = await request('view after edit', current, () => view(document));
            const freshUri = URI.parse(`file:///fuzz/fresh${counter++}.conv`);
            const fresh = shared.workspace.LangiumDocumentFactory.fromString<ast.Model>(current, freshUri);
            shared.workspace.LangiumDocuments.addDocument(fresh);
            try {
                await shared.workspace.DocumentBuilder.build([fresh], { validation: true });
                const expected = await view(fresh);
                if (JSON.stringify(seen) !== JSON.stringify(expected)) {
                    const missing = expected.filter(x => !seen.includes(x));
                    const extra = seen.filter(x => !expected.includes(x));
                    throw new RobustnessError(`after edit to version ${textDocument.version}, the edited document shows what a fresh one does not (stale result?)\n  only in the edited document: ${JSON.stringify(extra.slice(0, 5))}\n  only in a fresh document: ${JSON.stringify(missing.slice(0, 5))}\n--- initial (${JSON.stringify(initial)}) ---\n--- edits ${JSON.stringify(edits)} ---\n--- now ---\n${current}`);
                }
            } finally {
                Conv.analysis.Analyzer.forget(freshUri);
                shared.workspace.LangiumDocuments.deleteDocument(freshUri);
                shared.workspace.IndexManager.remove(freshUri);
            }
        }
    } finally {
        textDocuments.delete(uri.toString());
        Conv.analysis.Analyzer.forget(uri);
        shared.workspace.LangiumDocuments.deleteDocument(uri);
        shared.workspace.IndexManager.remove(uri);
    }
}
