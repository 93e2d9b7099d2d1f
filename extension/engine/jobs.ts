/**
 * What the engine worker does with a JobRequest: parse and analyse the documents in memory with
 * the language's own services (Langium, EmptyFileSystem), then summarise, run forward + backward,
 * gradient-check or export one network — the same core calls as the CLI (cli/engine-commands.ts),
 * reporting progress per layer. Runs in a worker thread; knows nothing of VS Code.
 */
import type { LangiumDocument } from 'langium';
import type * as ast from '../../language/generated/ast.js';
import { gradcheckText } from '../../cli/engine-commands.js';
import { diagnosticsOf, formatDiagnostic, networkJson } from '../../cli/report.js';
import { CliError, loadTexts } from '../../cli/workspace.js';
import type { NetworkAnalysis } from '../../src/analysis/analyze.js';
import { gradcheck } from '../../src/engine/gradcheck.js';
import { defaultThreads, setThreads } from '../../src/engine/kernels/wasm-runtime.js';
import { EngineError, layerKey, NetworkModel } from '../../src/engine/network.js';
import { parseNpy } from '../../src/engine/npy.js';
import { runReport } from '../../src/engine/run-report.js';
import { ExportError, exportPyTorch } from '../../src/export/pytorch.js';
import { astype } from '../../src/tensor/tensor.js';
import type { JobRequest, JobResult, NpyInput, SummaryReport } from './protocol.js';

export type Progress = (done: number, total: number, message: string) => void;

/** A problem to show the user as it is (bad file, unknown network, unreadable .npy...). */
export class JobError extends Error {}

export async function runJob(request: JobRequest, progress: Progress): Promise<JobResult> {
    try {
        return await dispatch(request, progress);
    } catch (err) {
        if (err instanceof CliError || err instanceof EngineError || err instanceof ExportError) throw new JobError(err.message);
        throw err;
    }
}

async function dispatch(request: JobRequest, progress: Progress): Promise<JobResult> {
    const { Conv, roots } = await loadTexts(request.documents, [request.root]);
    const doc = roots[0]!;
    const { analysis } = Conv.analysis.Analyzer.analyze(doc);
    const own = analysis.networks.filter(n => n.graph.loc.file === doc.uri.toString());
    switch (request.kind) {
        case 'networks':
            return { kind: 'networks', networks: own.map(n => ({ name: n.graph.name, line: n.graph.loc.start.line, endLine: n.graph.loc.end.line })) };
        case 'summary':
            return { kind: 'summary', summary: summaryOf(find(own, request.network, doc), doc) };
        case 'export': {
            requireNoErrors(doc);
            const network = find(own, request.network, doc);
            const out = exportPyTorch(analysis, { networks: [network.graph.name], source: request.source });
            return { kind: 'export', code: out.code, classes: out.classes };
        }
        case 'run': {
            requireNoErrors(doc);
            const network = find(own, request.network, doc);
            const s = request.settings;
            setThreads(s.threads || defaultThreads());
            const model = new NetworkModel(network, { dtype: s.dtype, mode: s.mode, seed: s.seed, batch: s.batch, memoryBudget: s.memoryBudget });
            const inputs = inputsOf(model, request.inputs ?? []);
            const R = model.lossWeights();
            const L = model.layers.length;
            const label = (i: number) => model.keys[i]!;
            const started = performance.now();
            const pass = model.forward(inputs, { onLayer: i => void progress(i, 2 * L, `forward: layer ${label(i)} (${i + 1}/${L})`) });
            const back = model.backward(pass, R, { onLayer: i => void progress(2 * L - 1 - i, 2 * L, `backward: layer ${label(i)} (${L - i}/${L})`) });
            const seconds = (performance.now() - started) / 1000;
            const given = request.inputs ?? [];
            return {
                kind: 'run',
                summary: summaryOf(network, doc),
                run: runReport(model, pass, back, R),
                seconds,
                inputs: given.length > 0 ? given.map(g => `${g.input} from ${g.label}`).join(', ') : `random N(0, 1) (seed ${s.seed})`,
            };
        }
        case 'gradcheck': {
            requireNoErrors(doc);
            const network = find(own, request.network, doc);
            const s = request.settings;
            setThreads(s.threads || defaultThreads());
            const started = performance.now();
            const report = gradcheck(network, {
                seed: s.seed, dtype: s.dtype, mode: s.mode, eps: s.eps, atol: s.atol, rtol: s.rtol, maxElements: s.maxElements, fast: s.fast,
                batch: s.batch, memoryBudget: s.memoryBudget,
                progress: (done, total, what) => {
                    // Returning true would stop the check: cancelling is terminating the worker instead.
                    progress(done, total, `gradient check: ${what} (${done + 1}/${total})`);
                },
            });
            const seconds = (performance.now() - started) / 1000;
            const { cancelled: _cancelled, ...json } = report;
            return { kind: 'gradcheck', summary: summaryOf(network, doc), gradcheck: json, seconds, text: gradcheckText(report, seconds, s.dtype === 'float32') };
        }
    }
}

function requireNoErrors(doc: LangiumDocument<ast.Model>): void {
    const errors = diagnosticsOf(doc).filter(d => d.severity === 'error');
    if (errors.length > 0) throw new JobError(`the file has ${errors.length} error${errors.length === 1 ? '' : 's'} (first: ${formatDiagnostic(errors[0]!)}): fix ${errors.length === 1 ? 'it' : 'them'} first`);
}

function find(networks: readonly NetworkAnalysis[], name: string, doc: LangiumDocument): NetworkAnalysis {
    const network = networks.find(n => n.graph.name === name);
    if (network) return network;
    const names = networks.map(n => n.graph.name);
    throw new JobError(`${doc.uri.path.replace(/^.*\//, '')} has no network named '${name}'${names.length ? ` (networks: ${names.join(', ')})` : ' (it declares no network)'}`);
}

function inputsOf(model: NetworkModel, given: readonly NpyInput[]) {
    const inputs = model.sampleInputs();
    const names = model.network.inputs.map(i => i.name);
    for (const g of given) {
        const index = names.indexOf(g.input);
        if (index < 0) throw new JobError(`the network has no input '${g.input}' (inputs: ${names.join(', ')})`);
        let t;
        try {
            t = astype(parseNpy(g.bytes), model.dtype);
        } catch (err) {
            throw new JobError(`${g.label}: ${err instanceof Error ? err.message : String(err)}`);
        }
        model.checkInput(index, t, g.label);
        inputs[index] = t;
    }
    return inputs;
}

/** The torchinfo-style summary of one network: `summary --json`'s network plus keys, block paths and memory. */
export function summaryOf(network: NetworkAnalysis, doc: LangiumDocument): SummaryReport {
    const json = networkJson(network);
    return {
        network: network.graph.name,
        uri: network.graph.loc.file,
        line: network.graph.loc.start.line + 1,
        inputs: json.inputs,
        outputs: json.outputs,
        layers: network.layers.map((layer, i) => ({
            key: layerKey(layer, i),
            op: layer.op,
            name: layer.name,
            where: layer.blockPath.map((b, k) => (k === 0 && layer.callSite ? `${b}@${layer.callSite.loc.start.line + 1}` : b)).join(' › '),
            uri: layer.call.loc.file,
            line: layer.call.loc.start.line + 1,
            shape: [...layer.output.shape],
            params: layer.params,
            macs: layer.macs,
            memory: layer.memory,
            rf: json.layers[i]!.rf ?? null,
        })),
        totals: { ...network.totals },
        incomplete: network.incomplete,
        symbolicBatch: network.inputs.some(i => typeof i.tensor.shape[0] === 'string'),
        diagnostics: diagnosticsOf(doc),
    };
}
