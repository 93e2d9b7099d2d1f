/**
 * The engine worker (extension/engine/worker.ts, bundled as out/engine/worker.cjs) through its
 * protocol, as the extension drives it: the bundle runs in a real worker thread from documents
 * held in memory, reports per-layer progress, agrees with the CLI's `run --json` and
 * `gradcheck --json`, stops within 100 ms when terminated mid-run, and says what is wrong with a
 * bad request.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeBundle } from '../../scripts/bundles.mjs';
import type { DocumentText, GradcheckSettings, JobRequest, JobResult, RunSettings } from '../../extension/engine/protocol.js';
import { JobCancelled, JobFailed, startJob } from '../../extension/engine/runner.js';
import { serializeNpy } from '../../src/engine/npy.js';
import { fromArray } from '../../src/tensor/tensor.js';

const root = path.resolve(__dirname, '../..');
let workerFile = '';

beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convscope-worker-'));
    await build({ ...nodeBundle({ worker: 'extension/engine/worker.ts' }, dir), sourcemap: false });
    workerFile = path.join(dir, 'worker.cjs');
    if (!fs.existsSync(path.join(root, 'out/cli/main.cjs'))) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root });
}, 120_000);

function doc(file: string, text?: string): DocumentText {
    const abs = path.resolve(root, file);
    return { uri: pathToFileURL(abs).toString(), text: text ?? fs.readFileSync(abs, 'utf8') };
}

const resnet = [doc('examples/resnet18.conv'), doc('examples/resnet_blocks.conv')];
const lenet = [doc('examples/lenet5.conv')];
const RUN: RunSettings = { seed: 3, dtype: 'float64', mode: 'train', batch: 2 };
const TINY = `network Tiny {
    input x: [N, 2, 6, 6]
    conv2d(3, kernel_size=3, padding=1) -> batch_norm2d() -> tanh()
    avg_pool2d(2) -> flatten() -> linear(4)
}
`;

async function job<K extends JobResult['kind']>(request: JobRequest & { kind: K }) {
    const progress: Array<{ done: number; total: number; message: string }> = [];
    const result = await startJob<Extract<JobResult, { kind: K }>>(workerFile, request, (done, total, message) => progress.push({ done, total, message })).result;
    return { result, progress };
}

function cli(args: string[]) {
    const r = spawnSync(process.execPath, [path.join(root, 'bin/convscope.cjs'), ...args], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(r.status, r.stderr).toBeLessThanOrEqual(1);
    return JSON.parse(r.stdout);
}

/** The reports without the `file` fields (the worker names files by URI, the CLI by relative path). */
function withoutFiles<T>(value: T): T {
    return JSON.parse(JSON.stringify(value, (k, v) => (k === 'file' ? undefined : v))) as T;
}

describe('the engine worker', () => {
    it('lists the networks declared in the file, with their lines', async () => {
        const { result } = await job({ kind: 'networks', root: resnet[0]!.uri, documents: resnet });
        expect(result.networks).toEqual([{ name: 'ResNet18', line: 4, endLine: 24 }]);
    });

    it('summarises a network across imports, layer by layer with keys, block paths and totals', async () => {
        const { result } = await job({ kind: 'summary', root: resnet[0]!.uri, documents: resnet, network: 'ResNet18' });
        const s = result.summary;
        const json = cli(['summary', 'examples/resnet18.conv', '--json']).networks[0];
        expect(s.layers.map(l => ({ op: l.op, shape: l.shape, params: l.params, macs: l.macs }))).toEqual(json.layers.map((l: { op: string; shape: unknown; params: number; macs: number }) => ({ op: l.op, shape: l.shape, params: l.params, macs: l.macs })));
        expect(s.totals.params).toBe(11_689_512);
        expect(s.layers[0]!.key).toBe('01_conv2d');
        const main = s.layers.find(l => l.where === 'BasicBlock@14' && l.name === 'main');
        expect(main).toMatchObject({ key: '09_batch_norm2d_main', uri: resnet[1]!.uri, line: 11 });
        expect(s.diagnostics.filter(d => d.severity === 'error')).toEqual([]);
    });

    it('runs forward and backward with a progress message per layer and each direction, and agrees with `convscope run --json`', async () => {
        const { result, progress } = await job({ kind: 'run', root: lenet[0]!.uri, documents: lenet, network: 'LeNet5', settings: RUN });
        const L = result.summary.layers.length;
        expect(progress).toHaveLength(2 * L);
        expect(progress[0]).toEqual({ done: 0, total: 2 * L, message: `forward: layer 01_conv2d (1/${L})` });
        expect(progress[L]!.message).toBe(`backward: layer ${String(L).padStart(2, '0')}_linear (1/${L})`);
        expect(progress.at(-1)!.message).toBe(`backward: layer 01_conv2d (${L}/${L})`);
        expect(progress.map(p => p.done)).toEqual(Array.from({ length: 2 * L }, (_, i) => i));
        const expected = cli(['run', 'examples/lenet5.conv', '--seed', '3', '--dtype', 'float64', '--batch', '2', '--json']);
        expect(withoutFiles(result.run)).toEqual(withoutFiles(expected));
        expect(result.inputs).toBe('random N(0, 1) (seed 3)');
    });

    it('takes a network input from .npy bytes, as `convscope run --input` does', async () => {
        const values = Array.from({ length: 2 * 32 * 32 }, (_, i) => Math.sin(i));
        const bytes = serializeNpy(fromArray(values, [2, 1, 32, 32], 'float64'));
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'convscope-npy-')), 'x.npy');
        fs.writeFileSync(file, bytes);
        const { result } = await job({ kind: 'run', root: lenet[0]!.uri, documents: lenet, network: 'LeNet5', settings: RUN, inputs: [{ input: 'image', label: 'x.npy', bytes }] });
        const expected = cli(['run', 'examples/lenet5.conv', '--seed', '3', '--dtype', 'float64', '--batch', '2', '--input', file, '--json']);
        expect(withoutFiles(result.run)).toEqual(withoutFiles(expected));
        expect(result.inputs).toBe('image from x.npy');
    });

    it('gradient-checks with progress and agrees with `convscope gradcheck --json`', async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convscope-gc-'));
        fs.writeFileSync(path.join(dir, 'tiny.conv'), TINY);
        const tiny = [doc(path.join(dir, 'tiny.conv'))];
        const settings: GradcheckSettings = { ...RUN, batch: 1, eps: 1e-6, atol: 1e-5, rtol: 1e-3, maxElements: 64, fast: false };
        const { result, progress } = await job({ kind: 'gradcheck', root: tiny[0]!.uri, documents: tiny, network: 'Tiny', settings });
        expect(progress.length).toBeGreaterThan(0);
        expect(progress[0]!.message).toMatch(/^gradient check: layer 01_conv2d \(1\/\d+\)$/);
        expect(progress.some(p => /^gradient check: network 01_conv2d \(\d+\/\d+\)$/.test(p.message))).toBe(true);
        const r = spawnSync(process.execPath, [path.join(root, 'bin/convscope.cjs'), 'gradcheck', 'tiny.conv', '--seed', '3', '--max-elements', '64', '--json'], { cwd: dir, encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        expect(withoutFiles(result.gradcheck)).toEqual(withoutFiles(JSON.parse(r.stdout)));
        expect(result.gradcheck.passed).toBe(true);
        expect(result.text).toMatch(/^PASSED: \d+ tensors passed, 0 failed/m);
    });

    it('stops within 100 ms when terminated in the middle of a long gradient check', async () => {
        // Best of three: the test runner's other workers compete for the same cores, which can
        // delay any one thread's exit; a user's cancel has the machine to itself.
        const settings: GradcheckSettings = { ...RUN, batch: 1, eps: 1e-6, atol: 1e-5, rtol: 1e-3, maxElements: 4096, fast: false };
        const times: number[] = [];
        for (let attempt = 0; attempt < 3 && !(times.length > 0 && Math.min(...times) < 100); attempt++) {
            let first: () => void = () => undefined;
            const started = new Promise<void>(resolve => (first = resolve));
            const handle = startJob(workerFile, { kind: 'gradcheck', root: resnet[0]!.uri, documents: resnet, network: 'ResNet18', settings }, () => first());
            await started;
            await new Promise(r => setTimeout(r, 50)); // well inside a layer's check
            const t0 = performance.now();
            await handle.cancel();
            times.push(performance.now() - t0);
            await expect(handle.result).rejects.toBeInstanceOf(JobCancelled);
        }
        expect(Math.min(...times), `terminated after ${times.map(t => t.toFixed(1)).join(', ')} ms`).toBeLessThan(100);
    });

    it('says which networks exist when asked for another, and refuses files with errors', async () => {
        await expect(job({ kind: 'summary', root: resnet[0]!.uri, documents: resnet, network: 'ResNet19' })).rejects.toThrow("resnet18.conv has no network named 'ResNet19' (networks: ResNet18)");
        const bad = [doc('examples/bad.conv', 'network Bad {\n    input x: [N, 3, 8, 8]\n    conv2d(4, kernel_size=9)\n}\n')];
        const failure = job({ kind: 'run', root: bad[0]!.uri, documents: bad, network: 'Bad', settings: RUN });
        await expect(failure).rejects.toBeInstanceOf(JobFailed);
        await expect(failure).rejects.toThrow(/the file has 1 error \(first: .*bad\.conv:3:\d+ error conv2d: no output/);
    });

    it('names both shapes when an .npy input does not match the declared one', async () => {
        const bytes = serializeNpy(fromArray(new Array(16).fill(0), [1, 1, 4, 4], 'float32'));
        await expect(job({ kind: 'run', root: lenet[0]!.uri, documents: lenet, network: 'LeNet5', settings: RUN, inputs: [{ input: 'image', label: 'small.npy', bytes }] }))
            .rejects.toThrow('small.npy: shape [1, 1, 4, 4] does not match the declared input image: [N, 1, 32, 32]');
    });

    it('exports a network to PyTorch', async () => {
        const { result } = await job({ kind: 'export', root: resnet[0]!.uri, documents: resnet, network: 'ResNet18', source: 'examples/resnet18.conv' });
        expect(result.classes).toEqual(['Add', 'BasicBlock', 'DownBlock', 'ResNet18']);
        expect(result.code).toMatch(/^"""PyTorch equivalent of examples\/resnet18\.conv/);
    });
});
