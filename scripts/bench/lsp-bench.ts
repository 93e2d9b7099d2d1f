/**
 * The LSP benchmark (`npm run bench:lsp`; bundled and started by scripts/bench-lsp.mjs).
 *
 * For generated files of 100, 1,000 and 5,000 statements and one with 20 levels of nested block
 * calls, measures
 *   (a) parse + link + validate, in process (Langium services, validation includes the analysis),
 *   (b) the core analysis alone (`analyzeProgram` on the converted program),
 *   (c) edit → diagnostics over LSP: didChange inserting or deleting a character in the middle of
 *       the file → the publishDiagnostics that follows,
 *   (d) edit → hints over LSP: didChange → textDocument/inlayHint for ~60 visible lines → response,
 * against the real server (`node out/server/main.cjs --stdio`, a fresh process per file), and
 * prints a markdown table with the targets (analysis at 5,000 statements < 100 ms; p95 edit →
 * hints at 1,000 < 50 ms). A last row repeats the 100-statement file with the 1,000- and
 * 5,000-statement files open in the same server, which shows what other open files cost.
 *
 * Options: --edits N (measured edits per series, default 30), --warmup N (default 5),
 * --only NAME (substring of a file name), --no-workspace (skip the last row), --cpu-prof
 * (profile the servers and the analysis into out/bench/profiles and print where the time goes),
 * --json FILE (also write the results).
 */
import '../../polyfill.cjs';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Session } from 'node:inspector';
import { EmptyFileSystem, URI, type LangiumDocument } from 'langium';
import type { InlayHint, Range } from 'vscode-languageserver-protocol';
import type * as ast from '../../language/generated/ast.js';
import { createConvServices } from '../../server/conv-module.js';
import { convertDocument } from '../../server/to-program.js';
import { analyzeProgram } from '../../src/analysis/analyze.js';
import type { GraphDecl, Program } from '../../src/program.js';
import { benchmarkFiles, type GeneratedFile } from './lsp-generate.js';
import { ensureServerBundle, LspClient, SERVER_BUNDLE } from './lsp-client.js';
import { summarizeProfile, type CpuProfile } from './cpu-profile.js';

const ROOT = resolve(process.env.BENCH_ROOT ?? process.cwd());
const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
};
const EDITS = Number(option('--edits') ?? 30);
const WARMUP = Number(option('--warmup') ?? 5);
const ONLY = option('--only');
const PROFILE = args.includes('--cpu-prof');
const JSON_OUT = option('--json');
const PROFILE_DIR = join(ROOT, 'out/bench/profiles');
const VISIBLE_LINES = 60;
const BENCH_BUNDLE = 'out/bench/server/main.cjs';

interface Stats {
    median: number;
    p95: number;
    n: number;
}

interface Row {
    file: string;
    statements: number;
    lines: number;
    parseValidate: number;
    analysis: number;
    convert: number;
    openToDiagnostics: number;
    editToDiagnostics: Stats;
    editToHints: Stats;
    diagnostics: { errors: number; warnings: number };
}

function stats(samples: number[]): Stats {
    const sorted = [...samples].sort((a, b) => a - b);
    const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
    const mid = sorted.length / 2;
    const median = sorted.length % 2 === 1 ? sorted[Math.floor(mid)]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
    return { median, p95: at(0.95), n: sorted.length };
}

const median = (samples: number[]): number => stats(samples).median;

// ---- in process ------------------------------------------------------------------------------

const { shared, Conv } = createConvServices(EmptyFileSystem);
/** With --cpu-prof: an inspector session in this process, profiling the analysis loops only. */
const session = PROFILE ? new Session() : undefined;
const analysisProfiles: Array<{ file: string; profile: CpuProfile }> = [];
let docCounter = 0;

async function buildInProcess(text: string): Promise<{ ms: number; document: LangiumDocument<ast.Model> }> {
    const uri = URI.parse(`file:///bench/in-process-${docCounter++}.conv`);
    const started = performance.now();
    const document = shared.workspace.LangiumDocumentFactory.fromString<ast.Model>(text, uri);
    shared.workspace.LangiumDocuments.addDocument(document);
    await shared.workspace.DocumentBuilder.build([document], { validation: true });
    return { ms: performance.now() - started, document };
}

function forget(document: LangiumDocument): void {
    Conv.analysis.Analyzer.forget(document.uri);
    shared.workspace.LangiumDocuments.deleteDocument(document.uri);
    shared.workspace.IndexManager.remove(document.uri);
}

/** The program ConvAnalysisService builds (own blocks; the generated files import nothing). */
function programOf(document: LangiumDocument<ast.Model>): Program {
    const converted = convertDocument(document);
    const blocks = new Map<string, GraphDecl>();
    for (const g of converted.graphs) if (g.kind === 'block' && !blocks.has(g.name)) blocks.set(g.name, g);
    return { file: document.uri.toString(), graphs: converted.graphs, blocks };
}

async function inProcess(file: GeneratedFile): Promise<{ parseValidate: number; analysis: number; convert: number }> {
    const runs = file.statements >= 5_000 ? 5 : 9;
    const times: number[] = [];
    let last: LangiumDocument<ast.Model> | undefined;
    for (let i = 0; i < runs + 1; i++) {
        const { ms, document } = await buildInProcess(file.text);
        if (i > 0) times.push(ms); // the first run warms the JIT
        if (last) forget(last);
        last = document;
    }
    const document = last!;
    const converts: number[] = [];
    const analyses: number[] = [];
    for (let i = 0; i < Math.max(10, runs); i++) {
        const t = performance.now();
        programOf(document);
        converts.push(performance.now() - t);
    }
    const program = programOf(document);
    for (let i = 0; i < 3; i++) analyzeProgram(program);
    if (session) await post(session, 'Profiler.start');
    for (let i = 0; i < Math.max(10, runs); i++) {
        const t = performance.now();
        analyzeProgram(program);
        analyses.push(performance.now() - t);
    }
    if (session) {
        const { profile } = (await post(session, 'Profiler.stop')) as { profile: CpuProfile };
        writeFileSync(join(PROFILE_DIR, `analysis-${file.name}.cpuprofile`), JSON.stringify(profile));
        analysisProfiles.push({ file: file.name, profile });
    }
    forget(document);
    return { parseValidate: median(times), analysis: median(analyses), convert: median(converts) };
}

// ---- over LSP --------------------------------------------------------------------------------

function lineCount(text: string): number {
    return text.split('\n').length;
}

/** The middle line's start: where the benchmark's edits insert and delete a space. */
function middle(text: string): { line: number; character: number } {
    return { line: Math.floor(lineCount(text) / 2), character: 0 };
}

async function overLsp(client: LspClient, file: GeneratedFile): Promise<Pick<Row, 'openToDiagnostics' | 'editToDiagnostics' | 'editToHints' | 'diagnostics'>> {
    const uri = `file:///bench/${file.name}`;
    let version = 1;
    let from = client.received.length;
    const opened = performance.now();
    await client.open(uri, file.text, version);
    const first = await client.waitForDiagnostics(uri, { from, timeoutMs: 120_000 });
    const openToDiagnostics = first.at - opened;
    const diagnostics = { errors: first.diagnostics.filter(d => d.severity === 1).length, warnings: first.diagnostics.filter(d => d.severity === 2).length };
    if (diagnostics.errors > 0) console.error(`  note: ${file.name} has ${diagnostics.errors} errors, e.g. ${first.diagnostics.find(d => d.severity === 1)?.message}`);

    const at = middle(file.text);
    let inserted = false;
    /** Inserts a space at the middle line's start, or deletes it again. */
    const edit = async (): Promise<void> => {
        version++;
        const change = inserted ? { range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: '' } : { range: { start: at, end: at }, text: ' ' };
        inserted = !inserted;
        await client.change(uri, version, [change]);
    };

    // (c) edit → diagnostics
    const toDiagnostics: number[] = [];
    for (let i = 0; i < WARMUP + EDITS; i++) {
        from = client.received.length;
        const sent = performance.now();
        await edit();
        const published = await client.waitForDiagnostics(uri, { from, timeoutMs: 120_000 });
        if (i >= WARMUP) toDiagnostics.push(published.at - sent);
    }

    // (d) edit → inlay hints for the visible range around the edit
    const range: Range = { start: { line: Math.max(0, at.line - VISIBLE_LINES / 2), character: 0 }, end: { line: at.line + VISIBLE_LINES / 2, character: 0 } };
    const toHints: number[] = [];
    for (let i = 0; i < WARMUP + EDITS; i++) {
        from = client.received.length;
        const sent = performance.now();
        await edit();
        const hints = await client.request<InlayHint[] | null>('textDocument/inlayHint', { textDocument: { uri }, range });
        const answered = performance.now();
        if (!hints || hints.length === 0) throw new Error(`no inlay hints for ${file.name} in lines ${range.start.line}-${range.end.line}`);
        if (i >= WARMUP) toHints.push(answered - sent);
        // Let the rebuild finish before the next edit, so edits do not overlap.
        await client.waitForDiagnostics(uri, { from, timeoutMs: 120_000 });
    }
    await client.close(uri);
    return { openToDiagnostics, editToDiagnostics: stats(toDiagnostics), editToHints: stats(toHints), diagnostics };
}

// ---- report ----------------------------------------------------------------------------------

const ms = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function table(rows: Row[]): string {
    const out = [
        '| file | statements | lines | parse+validate ms | analysis ms | AST→program ms | open→diagnostics ms | edit→diagnostics median / p95 ms | edit→hints median / p95 ms |',
        '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ];
    for (const r of rows) {
        out.push(`| ${r.file} | ${r.statements.toLocaleString('en')} | ${r.lines.toLocaleString('en')} | ${ms(r.parseValidate)} | ${ms(r.analysis)} | ${ms(r.convert)} | ${ms(r.openToDiagnostics)} | ${ms(r.editToDiagnostics.median)} / ${ms(r.editToDiagnostics.p95)} | ${ms(r.editToHints.median)} / ${ms(r.editToHints.p95)} |`);
    }
    return out.join('\n');
}

function targets(rows: Row[]): string {
    const lines: string[] = ['', '| target | measured | status |', '|---|---:|---|'];
    const at5k = rows.find(r => r.file.startsWith('residual-5000'));
    const at1k = rows.find(r => r.file.startsWith('residual-1000'));
    if (at5k) lines.push(`| analysis at 5,000 statements < 100 ms | ${ms(at5k.analysis)} ms | ${at5k.analysis < 100 ? 'met' : 'NOT MET'} |`);
    if (at1k) lines.push(`| p95 edit→hints at 1,000 statements < 50 ms | ${ms(at1k.editToHints.p95)} ms | ${at1k.editToHints.p95 < 50 ? 'met' : 'NOT MET'} |`);
    return lines.join('\n');
}

/** Starts a server (profiled with --cpu-prof), runs `work`, and shuts it down. */
async function withServer<T>(name: string, work: (client: LspClient) => Promise<T>): Promise<T> {
    const nodeArgs = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${name}.cpuprofile`, '--cpu-prof-interval=200'] : [];
    const client = LspClient.start({ root: ROOT, bundle: BENCH_BUNDLE, nodeArgs });
    try {
        await client.initialize();
        return await work(client);
    } finally {
        await client.stop(60_000);
    }
}

async function main(): Promise<void> {
    const built = ensureServerBundle(ROOT);
    if (built.length > 0) console.error(`built: ${built.join(', ')}`);
    // Run a snapshot of the bundle: a rebuild during the run (tests rebuild a stale bundle) must
    // neither change the server under measurement nor its source map, which the profiles need.
    mkdirSync(join(ROOT, 'out/bench/server'), { recursive: true });
    for (const ext of ['', '.map']) copyFileSync(join(ROOT, `${SERVER_BUNDLE}${ext}`), join(ROOT, `${BENCH_BUNDLE}${ext}`));
    const files = benchmarkFiles().filter(f => !ONLY || f.name.includes(ONLY));
    if (PROFILE) {
        rmSync(PROFILE_DIR, { recursive: true, force: true });
        mkdirSync(PROFILE_DIR, { recursive: true });
    }
    if (session) {
        session.connect();
        await post(session, 'Profiler.enable');
        await post(session, 'Profiler.setSamplingInterval', { interval: 100 });
    }
    const rows: Row[] = [];
    // One fresh server per file, so a file's numbers are its own (see `workspace` below for why).
    for (const file of files) {
        console.error(`${file.name}: ${file.statements} statements, ${lineCount(file.text)} lines …`);
        const local = await inProcess(file);
        const remote = await withServer(`server-${file.name}`, client => overLsp(client, file));
        rows.push({ file: file.name, statements: file.statements, lines: lineCount(file.text), parseValidate: local.parseValidate, analysis: local.analysis, convert: local.convert, ...remote });
    }
    // The same small file edited while the larger ones are open in the same server.
    const small = files.find(f => f.name === 'residual-100.conv');
    const others = files.filter(f => f.name === 'residual-1000.conv' || f.name === 'residual-5000.conv');
    if (small && others.length > 0 && !args.includes('--no-workspace')) {
        const label = `${small.name} + ${others.map(f => f.name.replace('.conv', '')).join(' + ')} open`;
        console.error(`${label} …`);
        const remote = await withServer('server-workspace', async client => {
            for (const other of others) {
                const uri = `file:///bench/open-${other.name}`;
                const from = client.received.length;
                await client.open(uri, other.text);
                await client.waitForDiagnostics(uri, { from, timeoutMs: 120_000 });
            }
            return overLsp(client, small);
        });
        const row = rows.find(r => r.file === small.name)!;
        rows.push({ ...row, file: label, ...remote });
    }
    console.log(`\nLSP benchmark — node ${process.version}, ${EDITS} measured edits per series after ${WARMUP} warm-up edits, hints for ${VISIBLE_LINES} lines around the edit\n`);
    console.log(table(rows));
    console.log(targets(rows));
    if (JSON_OUT) writeFileSync(JSON_OUT, JSON.stringify(rows, null, 2));
    if (PROFILE) {
        console.log(`\nProfiles in ${PROFILE_DIR} (open them in Chrome DevTools or VS Code).`);
        for (const { file, profile } of analysisProfiles) {
            console.log(`\n#### Analysis alone (analyzeProgram), ${file}: self time\n`);
            console.log(summarizeProfile(profile));
        }
        for (const path of readdirSync(PROFILE_DIR).filter(f => f.startsWith('server-') && f.endsWith('.cpuprofile'))) {
            console.log(`\n#### Server process ${path}: self time over its whole run (open, edits, hints)\n`);
            console.log(summarizeProfile(JSON.parse(readFileSync(join(PROFILE_DIR, path), 'utf8')) as CpuProfile));
        }
    }
}

function post(session: Session, method: string, params?: object): Promise<unknown> {
    return new Promise((resolvePost, reject) => session.post(method, params ?? {}, (error, result) => (error ? reject(error) : resolvePost(result))));
}

main().catch(error => {
    console.error(error);
    process.exitCode = 1;
});
