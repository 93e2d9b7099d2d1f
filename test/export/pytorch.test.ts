/**
 * Export to PyTorch (src/export/pytorch.ts): the code written for known networks, blocks written
 * generically or once per call, names Python would reject, and — when Debian's PyTorch is
 * installed (`/usr/bin/python3 -c "import torch"`) — every example network (and a catalog of every
 * layer) exported and run in PyTorch with forward hooks on every leaf module: the modules, every
 * layer's output shape, the output and the parameter count must equal Convscope's analysis.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFiles } from '../../cli/workspace.js';
import type { NetworkAnalysis } from '../../src/analysis/analyze.js';
import { exportPyTorch, ExportError, torchModuleOf } from '../../src/export/pytorch.js';
import { layers } from '../../src/layers/index.js';
import { analyse } from '../helpers.js';

const root = path.resolve(__dirname, '../..');
const examples = fs.readdirSync(path.join(root, 'examples')).filter(f => f.endsWith('.conv')).map(f => path.join(root, 'examples', f));
const catalog = path.join(root, 'test/fixtures/export/catalog.conv');

async function exported(text: string, networks?: string[]) {
    const { analysis, diagnostics } = await analyse(text);
    expect(diagnostics.filter(d => d.severity === 1).map(d => d.message)).toEqual([]);
    return exportPyTorch(analysis, { networks, source: 'test.conv' });
}

describe('the PyTorch export', () => {
    it('writes every layer with the arguments the analysis resolved, and blocks as classes over their parameters', async () => {
        const { Conv, roots } = await loadFiles([path.join(root, 'examples/resnet18.conv')]);
        const { code, classes } = exportPyTorch(Conv.analysis.Analyzer.analyze(roots[0]!).analysis);
        expect(classes).toEqual(['Add', 'BasicBlock', 'DownBlock', 'ResNet18']);
        expect(code).toContain('self.conv2d_1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)');
        expect(code).toContain('self.stem = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)');
        expect(code).toContain('def __init__(self, channels, stride=2, *, in_channels):');
        expect(code).toContain('self.conv2d_3 = nn.Conv2d(in_channels, channels, kernel_size=1, stride=stride, bias=False)');
        expect(code).toContain('self.down_block_1 = DownBlock(128, in_channels=64)');
        expect(code).toContain('self.linear_1 = nn.Linear(512, classes)');
        expect(code).toContain('def __init__(self, classes=1000):');
        expect(code).toMatch(/stem = self\.stem\(x\) {2}# \[N, 64, 56, 56\]/);
    });

    it('tracks channels through blocks, concatenations and tensor arguments', async () => {
        const { code } = await exported(`
network U(base = 8) {
    input image: [N, 3, 32, 32]
    e = conv2d(base, 3, padding=1)
    d = max_pool2d(2) -> conv2d(base * 2, 3, padding=1)
    Up(base, skip=e)
}
block Up(channels, skip) {
    up = conv_transpose2d(channels, kernel_size=2, stride=2)
    concat(skip, up) -> conv2d(channels, 3, padding=1) -> batch_norm2d()
}`);
        expect(code).toContain('def __init__(self, channels, *, in_channels, skip_channels):');
        expect(code).toContain('nn.Conv2d(skip_channels + channels, channels, kernel_size=3, padding=1)');
        expect(code).toContain('self.up_1 = Up(base, in_channels=base * 2, skip_channels=base)');
        expect(code).toContain('x = self.up_1(d, skip=e)');
    });

    it('writes one class per call, with literal arguments, for a block that cannot be written over its parameters', async () => {
        const { code, classes } = await exported(`
network Two {
    input x: [N, 4, 8, 8]
    a = Head(10)
    b = x -> max_pool2d(2) -> Head(10)
    add(a, b)
}
block Head(classes) {
    flatten() -> linear(classes)
}`);
        expect(classes).toEqual(['Add', 'Head', 'Head_2', 'Two']);
        expect(code).toContain('self.linear_1 = nn.Linear(256, 10)');
        expect(code).toContain('self.linear_1 = nn.Linear(64, 10)');
        expect(code).toContain('self.a = Head()');
        expect(code).toContain('block Head(classes=10) (');
    });

    it('writes min_pool as -max_pool(-x), merges as modules and softmax with its implicit dim', async () => {
        const { code } = await exported(`
network P {
    input x: [N, 2, 8, 8]
    a = min_pool2d(2)
    b = x -> max_pool2d(2)
    m = mul(a, b)
    concat(a, m) -> flatten() -> softmax()
}`);
        expect(code).toContain('class MinPool2d(nn.MaxPool2d):');
        expect(code).toContain('return -super().forward(-x)');
        expect(code).toContain('self.a = MinPool2d(kernel_size=2)');
        expect(code).toContain('self.concat_1 = Concat()');
        expect(code).toContain('m = self.m(a, b)');
        expect(code).toContain('out = self.concat_1(a, m)  # [N, 4, 4, 4]');
        expect(code).toContain('nn.Softmax(dim=1)');
    });

    it('renames what Python or nn.Module would reject', async () => {
        const { code } = await exported(`
network N(lambda = 4) {
    input self: [N, 3, 8, 8]
    forward = conv2d(lambda, 3)
    training = relu()
}`);
        expect(code).toContain('def __init__(self, lambda_=4):');
        expect(code).toContain('def forward(self, self_):');
        expect(code).toContain('self.forward_ = nn.Conv2d(3, lambda_, kernel_size=3)');
        expect(code).toContain('training = self.training_(forward)');
    });

    it('reads channels from network parameters in the input shape', async () => {
        const { code } = await exported(`
network G(latent = 16) {
    input z: [N, latent, 1, 1]
    conv_transpose2d(32, 4) -> batch_norm2d()
}`);
        expect(code).toContain('nn.ConvTranspose2d(latent, 32, kernel_size=4)');
        expect(code).toContain('nn.BatchNorm2d(32)');
    });

    it('refuses networks with errors and unknown network names, naming the ones there are', async () => {
        const { analysis } = await analyse('network Bad {\n input x: [N, 3, 8, 8]\n conv2d(4, 9)\n}\nnetwork Good {\n input x: [N, 3, 8, 8]\n relu()\n}');
        expect(() => exportPyTorch(analysis, { networks: ['Bad'] })).toThrow(ExportError);
        expect(() => exportPyTorch(analysis, { networks: ['Nope'] })).toThrow("no network named 'Nope' (networks: Bad, Good)");
        expect(exportPyTorch(analysis, { networks: ['Good'] }).networks).toEqual(['Good']);
    });

    it('has a PyTorch module for every layer of the registry', () => {
        for (const layer of layers.values()) expect(() => torchModuleOf(layer), layer.name).not.toThrow();
    });
});

// ---- in PyTorch ---------------------------------------------------------------------------------

const PYTHON = '/usr/bin/python3';
const torchCheck = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
const hasTorch = torchCheck.status === 0;
const reason = hasTorch ? '' : ` — SKIPPED: \`${PYTHON} -c "import torch"\` failed (${(torchCheck.error?.message ?? torchCheck.stderr.trim().split('\n').pop() ?? '').slice(0, 120)}); install Debian's python3-torch to run it`;

interface HookedLayer { module: string; type: string; shape: number[] }
interface TorchResult { class: string; layers?: HookedLayer[]; params?: number; output?: number[]; error?: string }

const concrete = (shape: readonly (number | string)[]) => shape.map(d => (typeof d === 'number' ? d : 1));

describe.skipIf(!hasTorch)(`exported networks in PyTorch${reason}`, () => {
    const files = [...examples, catalog];
    const cases: Array<{ file: string; network: NetworkAnalysis; cls: string; module: string }> = [];
    let results: TorchResult[] = [];

    it('every example network (and the catalog of layers) exports and runs', async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convscope-export-'));
        for (const file of files) {
            const { Conv, roots } = await loadFiles([file]);
            const { analysis } = Conv.analysis.Analyzer.analyze(roots[0]!);
            if (analysis.networks.length === 0) continue;
            const out = exportPyTorch(analysis, { source: path.relative(root, file) });
            const module = path.join(dir, path.basename(file, '.conv') + '.py');
            fs.writeFileSync(module, out.code);
            analysis.networks.forEach((network, i) => cases.push({ file, network, cls: out.networks[i]!, module }));
        }
        const jobs = cases.map(c => ({ module: c.module, class: c.cls, inputs: c.network.inputs.map(i => concrete(i.tensor.shape)) }));
        const run = spawnSync(PYTHON, [path.join(__dirname, 'torch_harness.py')], { input: JSON.stringify(jobs), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 240_000 });
        expect(run.status, run.stderr).toBe(0);
        results = JSON.parse(run.stdout) as TorchResult[];
        expect(results.filter(r => r.error).map(r => `${r.class}: ${r.error}`)).toEqual([]);
        expect(cases.length).toBeGreaterThanOrEqual(11);
    }, 300_000);

    it('matches the analysis layer by layer: module, output shape, parameters and output', () => {
        expect(results.length).toBe(cases.length);
        cases.forEach((c, k) => {
            const r = results[k]!;
            const where = `${path.basename(c.file)} ${c.cls}`;
            const expected = c.network.layers.map(l => ({ type: torchModuleOf(l.layer).ctor.replace(/^nn\./, ''), shape: concrete(l.output.shape) }));
            expect(r.layers!.map(l => ({ type: l.type, shape: l.shape })), where).toEqual(expected);
            expect(r.params, where).toBe(c.network.totals.params);
            expect(r.output, where).toEqual(concrete(c.network.outputs[0]!.tensor.shape));
        });
    });
});
