/** `convscope export FILE [--network NAME] [-o OUT.py]`: the network(s) as a PyTorch module (src/export/pytorch.ts). */
import * as fs from 'node:fs';
import { ExportError, exportPyTorch } from '../src/export/pytorch.js';
import { diagnosticsOf, formatDiagnostic } from './report.js';
import { CliError, displayPath, loadFiles } from './workspace.js';

export async function exportCommand({ files, flags }: { files: string[]; flags: Map<string, string | true> }): Promise<number> {
    if (files.length !== 1) throw new CliError('export takes one .conv file');
    const { Conv, roots } = await loadFiles(files);
    const doc = roots[0]!;
    const errors = diagnosticsOf(doc).filter(d => d.severity === 'error');
    if (errors.length > 0) {
        throw new CliError(`${files[0]} has ${errors.length} error${errors.length === 1 ? '' : 's'} (first: ${formatDiagnostic(errors[0]!)}); run \`convscope check ${files[0]}\``);
    }
    const wanted = flags.get('network');
    if (wanted === true) throw new CliError('--network needs a name');
    const { analysis } = Conv.analysis.Analyzer.analyze(doc);
    let result;
    try {
        result = exportPyTorch(analysis, { networks: wanted ? [wanted] : undefined, source: displayPath(doc.uri.toString()) });
    } catch (err) {
        if (err instanceof ExportError) throw new CliError(`${files[0]}: ${err.message}`);
        throw err;
    }
    const out = flags.get('out');
    if (out === undefined) {
        process.stdout.write(result.code);
        return 0;
    }
    if (out === true) throw new CliError('-o needs a file name');
    fs.writeFileSync(out, result.code);
    process.stderr.write(`wrote ${out}: ${result.networks.join(', ')} (${result.classes.length} classes)\n`);
    return 0;
}
