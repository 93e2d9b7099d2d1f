/** Code lens above every `network`: "11.69M params · 1.82G MACs · → [N, 1000]", opening the summary. */
import type { LangiumDocument, MaybePromise } from 'langium';
import type { CodeLensProvider } from 'langium/lsp';
import type { CancellationToken, CodeLens, CodeLensParams } from 'vscode-languageserver';
import { formatShape } from '../src/shape/dims.js';
import type { ConvServices } from './conv-module.js';
import { formatCount } from './describe.js';

/** The command a lens runs; arguments: the network's name and the document's URI. */
export const SHOW_SUMMARY = 'convscope.showSummary';

export class ConvCodeLensProvider implements CodeLensProvider {
    constructor(private readonly services: ConvServices) {}

    provideCodeLens(document: LangiumDocument, _params: CodeLensParams, _token?: CancellationToken): MaybePromise<CodeLens[]> {
        const { analysis } = this.services.analysis.Analyzer.analyze(document as never);
        const uri = document.uri.toString();
        return analysis.networks.filter(n => n.graph.loc.file === uri).map(net => {
            const outputs = net.outputs.map(o => formatShape(o.tensor.shape)).join(', ');
            const parts = [`${formatCount(net.totals.params)} params`, `${formatCount(net.totals.macs)} MACs`, outputs ? `→ ${outputs}` : 'no output'];
            const title = `${parts.join(' · ')}${net.incomplete ? ' (incomplete: see problems)' : ''}`;
            const line = net.graph.loc.start.line;
            return {
                range: { start: { line, character: 0 }, end: { line, character: 0 } },
                command: { title, command: SHOW_SUMMARY, arguments: [net.graph.name, uri] },
            };
        });
    }
}
