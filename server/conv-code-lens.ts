/**
 * Code lens above every `network`: "11.69M params · 1.82G MACs · → [N, 1000]", opening the summary;
 * for a client that runs the engine (VS Code's extension says so in its initialization options,
 * `{ convscope: { engineLenses: true } }`), also "Run" and "Gradient check".
 */
import type { LangiumDocument, MaybePromise } from 'langium';
import type { CodeLensProvider } from 'langium/lsp';
import type { CancellationToken, CodeLens, CodeLensParams } from 'vscode-languageserver';
import { formatShape } from '../src/shape/dims.js';
import type { ConvServices } from './conv-module.js';
import { formatCount } from './describe.js';

/** The command a lens runs; arguments: the network's name and the document's URI. */
export const SHOW_SUMMARY = 'convscope.showSummary';
/** The engine's commands; arguments: the document's URI and the network's name. */
export const RUN = 'convscope.run';
export const GRADCHECK = 'convscope.gradcheck';

export class ConvCodeLensProvider implements CodeLensProvider {
    /** Whether to add the Run and Gradient check lenses (only clients that have those commands). */
    engineLenses = false;

    constructor(private readonly services: ConvServices) {
        services.shared.lsp.LanguageServer.onInitialize(params => {
            const options = params.initializationOptions as { convscope?: { engineLenses?: unknown } } | undefined;
            this.engineLenses = options?.convscope?.engineLenses === true;
        });
    }

    provideCodeLens(document: LangiumDocument, _params: CodeLensParams, _token?: CancellationToken): MaybePromise<CodeLens[]> {
        const { analysis } = this.services.analysis.Analyzer.analyze(document as never);
        const uri = document.uri.toString();
        return analysis.networks.filter(n => n.graph.loc.file === uri).map(net => {
            const outputs = net.outputs.map(o => formatShape(o.tensor.shape)).join(', ');
            const parts = [`${formatCount(net.totals.params)} params`, `${formatCount(net.totals.macs)} MACs`, outputs ? `→ ${outputs}` : 'no output'];
            const title = `${parts.join(' · ')}${net.incomplete ? ' (incomplete: see problems)' : ''}`;
            const line = net.graph.loc.start.line;
            const range = { start: { line, character: 0 }, end: { line, character: 0 } };
            const lenses: CodeLens[] = [{ range, command: { title, command: SHOW_SUMMARY, arguments: [net.graph.name, uri] } }];
            if (this.engineLenses && !net.incomplete) {
                lenses.push(
                    { range, command: { title: '$(play) Run', command: RUN, arguments: [uri, net.graph.name], tooltip: 'Forward and backward pass with per-layer statistics' } },
                    { range, command: { title: '$(beaker) Gradient check', command: GRADCHECK, arguments: [uri, net.graph.name], tooltip: 'Central differences against backward, per layer and end to end' } },
                );
            }
            return lenses;
        }).flat();
    }
}
