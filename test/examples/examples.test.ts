/**
 * The example networks against PyTorch/torchvision (fixtures from scripts/gen_example_refs.py):
 * total parameters and MACs, every conv/linear output shape in execution order, the receptive
 * field of the last spatial feature map — and no errors or warnings.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFiles } from '../../cli/workspace.js';
import type { NetworkAnalysis } from '../../src/analysis/analyze.js';

interface Reference {
    network: string;
    input: number[];
    params: number;
    macs: number;
    layers: Array<{ op: string; shape: number[] }>;
    rf?: { size: number[]; jump: number[]; start: number[] };
    /** false when the field varies with position (upsampling): then compare with the mean. */
    rfUniform?: boolean;
    rfUnits?: { meanSize: number[]; meanStart: number[]; minSize: number[]; maxSize: number[] };
}

const fixtures = path.resolve(__dirname, '../fixtures/examples');
const examples = path.resolve(__dirname, '../../examples');
const cases = fs.readdirSync(fixtures).filter(f => f.endsWith('.json')).map(f => f.replace(/\.json$/, ''));
const WEIGHTED = /^(conv[123]d|conv_transpose[123]d|linear)$/;
const GLOBAL = /^adaptive_/;

async function analyseExample(stem: string) {
    const { Conv, roots } = await loadFiles([path.join(examples, `${stem}.conv`)]);
    const doc = roots[0]!;
    return { diagnostics: doc.diagnostics ?? [], analysis: Conv.analysis.Analyzer.analyze(doc).analysis };
}

function concrete(shape: readonly (number | string)[]): number[] {
    return shape.map(d => (typeof d === 'string' ? 1 : d));
}

/** The last feature map with spatial axes, before global pooling / flatten. */
function lastFeatureMap(network: NetworkAnalysis) {
    let found;
    for (const layer of network.layers) {
        if (GLOBAL.test(layer.op) || !layer.output.rf || layer.output.rf.length === 0) break;
        found = layer;
    }
    return found;
}

describe.each(cases)('examples/%s.conv', stem => {
    const reference = JSON.parse(fs.readFileSync(path.join(fixtures, `${stem}.json`), 'utf8')) as Reference;

    it('has no errors or warnings', async () => {
        const { diagnostics } = await analyseExample(stem);
        expect(diagnostics.filter(d => (d.severity ?? 1) <= 2).map(d => `${d.range.start.line + 1}: ${d.message}`)).toEqual([]);
    });

    it(`matches PyTorch's parameter and MAC totals`, async () => {
        const { analysis } = await analyseExample(stem);
        const network = analysis.networks.find(n => n.graph.name === reference.network) ?? analysis.networks[0]!;
        expect({ params: network.totals.params, macs: network.totals.macs }).toEqual({ params: reference.params, macs: reference.macs });
    });

    it('gives every conv and linear layer the output shape PyTorch gives it', async () => {
        const { analysis } = await analyseExample(stem);
        const network = analysis.networks.find(n => n.graph.name === reference.network) ?? analysis.networks[0]!;
        const ours = network.layers.filter(l => WEIGHTED.test(l.op)).map(l => ({ op: l.op, shape: concrete(l.output.shape) }));
        expect(ours).toEqual(reference.layers.map(l => ({ op: l.op, shape: l.shape })));
    });

    it.runIf(reference.rf !== undefined)('computes the receptive field of the last feature map as measured in PyTorch', async () => {
        const { analysis } = await analyseExample(stem);
        const network = analysis.networks.find(n => n.graph.name === reference.network) ?? analysis.networks[0]!;
        const last = lastFeatureMap(network);
        expect(last).toBeDefined();
        const rf = last!.output.rf!;
        const ours = { size: rf.map(f => f.size), jump: rf.map(f => f.jump), start: rf.map(f => f.start) };
        if (reference.rfUniform === false) {
            // Transposed convs make the field depend on the output position; ours is its mean.
            expect(ours).toEqual({ size: reference.rfUnits!.meanSize, jump: reference.rf!.jump, start: reference.rfUnits!.meanStart });
        } else {
            expect(ours).toEqual(reference.rf);
        }
    });
});
