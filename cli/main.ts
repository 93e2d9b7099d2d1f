/**
 * `convscope check FILE...` and `convscope summary FILE [--network NAME] [--json]`, over the same
 * core and language services as the editor.
 */
import '../polyfill.cjs';
import type * as ast from '../language/generated/ast.js';
import type { LangiumDocument } from 'langium';
import { CliError, displayPath, loadFiles } from './workspace.js';
import { diagnosticsOf, formatDiagnostic, summaryJson, summaryTable } from './report.js';
import { gradcheckCommand, runCommand } from './engine-commands.js';
import { exportCommand } from './export-command.js';

declare const __CONVSCOPE_VERSION__: string | undefined;
const VERSION = typeof __CONVSCOPE_VERSION__ === 'string' ? __CONVSCOPE_VERSION__ : 'dev';

const USAGE = `usage:
  convscope check FILE... [--json]                     diagnostics as file:line:col severity message; exit 1 on errors
  convscope summary FILE [--network NAME] [--json]     per-layer table: op, output shape, params, MACs, receptive field
  convscope run FILE [--network NAME] [--input X.npy | --input name=X.npy,...] [--input-shape [NAME=]D,D,...] [--params DIR]
                [--seed S] [--dtype float32|float64] [--mode train|eval] [--batch B] [--memory-budget 2GiB] [--out DIR] [--json]
                                                       forward + backward with per-layer activation and gradient statistics
  convscope gradcheck FILE [--network NAME] [--seed S] [--eps E] [--atol A] [--rtol R] [--max-elements K] [--fast]
                [--dtype float64|float32] [--mode train|eval] [--scope layer|network|both] [--batch B]
                [--input-shape [NAME=]D,D,...] [--json]
                                                       central differences vs backward, per layer and end to end; exit 1 on failure
  convscope export FILE [--network NAME] [-o OUT.py]   the network(s) as a runnable PyTorch nn.Module (stdout without -o)
run and gradcheck: --input-shape 1,3,64,64 runs an input at that shape instead of the declared one (as many dimensions;
                once per input, NAME= when there are several; a symbolic batch takes the first dimension)
exit codes: 0 ok, 1 errors in the file / failed checks, 2 bad usage or unreadable input`;

interface Parsed {
    files: string[];
    flags: Map<string, string | true>;
    /** The values of repeatable options, in order. */
    lists: Map<string, string[]>;
}

function parseArgs(argv: readonly string[], valued: ReadonlySet<string>, allowed: ReadonlySet<string>, repeatable: ReadonlySet<string> = new Set()): Parsed {
    const files: string[] = [];
    const flags = new Map<string, string | true>();
    const lists = new Map<string, string[]>();
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i]!;
        if (a.startsWith('--')) {
            const eq = a.indexOf('=');
            const key = eq < 0 ? a.slice(2) : a.slice(2, eq);
            const inline = eq < 0 ? undefined : a.slice(eq + 1);
            if (!allowed.has(key)) throw new CliError(`unknown option --${key}\n${USAGE}`);
            if (valued.has(key) || repeatable.has(key)) {
                const value = inline ?? argv[++i];
                if (value === undefined) throw new CliError(`--${key} needs a value`);
                if (repeatable.has(key)) lists.set(key, [...(lists.get(key) ?? []), value]);
                else if (flags.has(key)) throw new CliError(`--${key} is given twice`);
                else flags.set(key, value);
            } else flags.set(key, true);
        } else files.push(a);
    }
    return { files, flags, lists };
}

async function check(argv: readonly string[]): Promise<number> {
    const { files, flags } = parseArgs(argv, new Set(), new Set(['json']));
    if (files.length === 0) throw new CliError(`check needs at least one file\n${USAGE}`);
    const { roots } = await loadFiles(files);
    const diagnostics = roots.flatMap(doc => diagnosticsOf(doc));
    if (flags.has('json')) process.stdout.write(JSON.stringify({ diagnostics }, null, 2) + '\n');
    else {
        for (const d of diagnostics) process.stdout.write(formatDiagnostic(d) + '\n');
        const errors = diagnostics.filter(d => d.severity === 'error').length;
        const warnings = diagnostics.filter(d => d.severity === 'warning').length;
        process.stderr.write(`${files.length} file${files.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
    }
    return diagnostics.some(d => d.severity === 'error') ? 1 : 0;
}

async function summary(argv: readonly string[]): Promise<number> {
    const { files, flags } = parseArgs(argv, new Set(['network']), new Set(['json', 'network']));
    if (files.length !== 1) throw new CliError(`summary takes one file\n${USAGE}`);
    const { Conv, roots } = await loadFiles(files);
    const doc = roots[0]! as LangiumDocument<ast.Model>;
    const { analysis } = Conv.analysis.Analyzer.analyze(doc);
    const wanted = flags.get('network');
    let networks = analysis.networks;
    if (typeof wanted === 'string') {
        networks = networks.filter(n => n.graph.name === wanted);
        if (networks.length === 0) {
            const names = analysis.networks.map(n => n.graph.name);
            throw new CliError(`${files[0]}: no network named '${wanted}'${names.length ? ` (networks: ${names.join(', ')})` : ' (the file declares no network)'}`);
        }
    }
    const diagnostics = diagnosticsOf(doc);
    if (flags.has('json')) {
        process.stdout.write(JSON.stringify(summaryJson(doc, analysis, networks), null, 2) + '\n');
    } else {
        if (networks.length === 0) process.stdout.write(`${files[0]}: declares no network (only blocks)\n`);
        process.stdout.write(networks.map(n => summaryTable(n, displayPath(doc.uri.toString()))).join('\n\n') + '\n');
        const shown = diagnostics.filter(d => d.severity !== 'information');
        if (shown.length > 0) process.stdout.write('\n' + shown.map(formatDiagnostic).join('\n') + '\n');
    }
    return diagnostics.some(d => d.severity === 'error') ? 1 : 0;
}

export async function main(argv: readonly string[]): Promise<number> {
    const [command, ...rest] = argv;
    try {
        switch (command) {
            case 'check': return await check(rest);
            case 'summary': return await summary(rest);
            case 'run': return await runCommand(parseArgs(rest, new Set(['network', 'params', 'seed', 'dtype', 'mode', 'out', 'batch', 'memory-budget']), new Set(['network', 'input', 'input-shape', 'params', 'seed', 'dtype', 'mode', 'out', 'json', 'batch', 'memory-budget']), new Set(['input', 'input-shape'])));
            case 'gradcheck': return await gradcheckCommand(parseArgs(rest, new Set(['network', 'seed', 'eps', 'atol', 'rtol', 'max-elements', 'dtype', 'mode', 'scope', 'batch', 'memory-budget']), new Set(['network', 'input-shape', 'seed', 'eps', 'atol', 'rtol', 'max-elements', 'fast', 'json', 'dtype', 'mode', 'scope', 'batch', 'memory-budget']), new Set(['input-shape'])));
            case 'export': return await exportCommand(parseArgs(rest.map(a => (a === '-o' ? '--out' : a.startsWith('-o=') ? `--out=${a.slice(3)}` : a)), new Set(['network', 'out']), new Set(['network', 'out'])));
            case '--version':
            case '-v':
            case 'version':
                process.stdout.write(`convscope ${VERSION}\n`);
                return 0;
            case undefined:
            case '-h':
            case '--help':
            case 'help':
                process.stdout.write(USAGE + '\n');
                return command === undefined ? 2 : 0;
            default:
                throw new CliError(`unknown command '${command}'\n${USAGE}`);
        }
    } catch (err) {
        if (err instanceof CliError) {
            process.stderr.write(`convscope: ${err.message}\n`);
            return 2;
        }
        throw err;
    }
}

main(process.argv.slice(2)).then(code => {
    process.exitCode = code;
}, err => {
    process.stderr.write(`convscope: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 3;
});
