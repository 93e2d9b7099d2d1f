/** `convscope run` and `convscope gradcheck` as a user runs them: outputs, files, JSON contracts, errors. */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readNpy } from '../../src/engine/npy.js';

const root = path.resolve(__dirname, '../..');
const bin = path.join(root, 'bin/convscope.cjs');

function run(args: string[], cwd = root) {
    const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const scratchDirs: string[] = [];
afterAll(() => {
    for (const dir of scratchDirs) fs.rmSync(dir, { recursive: true, force: true });
});

function scratch(files: Record<string, string> = {}): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convscope-engine-'));
    scratchDirs.push(dir);
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
}

const TINY = 'network Tiny {\n    input x: [N, 2, 6, 6]\n    a = conv2d(3, kernel_size=3, padding=1) -> relu()\n    b = a -> conv2d(3, kernel_size=1)\n    add(a, b) -> max_pool2d(2) -> flatten() -> linear(4)\n}\n';

beforeAll(() => {
    if (!fs.existsSync(path.join(root, 'out/cli/main.cjs'))) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root });
}, 120_000);

describe('convscope run', () => {
    it('prints the loss and per-layer activation and gradient statistics', () => {
        const r = run(['run', 'examples/lenet5.conv']);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^loss L = sum\(output \* R\) = -?\d/m);
        expect(r.stdout).toMatch(/^ 1 {2}conv2d \(line 7\) +\[1, 6, 28, 28\]/m);
        expect(r.stdout).toContain('01_conv2d.weight  [6, 1, 5, 5]');
    });

    it('follows the JSON contract and is reproducible from the seed', () => {
        const a = JSON.parse(run(['run', 'examples/lenet5.conv', '--json', '--seed', '3', '--dtype', 'float64']).stdout);
        const b = JSON.parse(run(['run', 'examples/lenet5.conv', '--json', '--seed', '3', '--dtype', 'float64']).stdout);
        expect(a).toEqual(b);
        expect(Object.keys(a)).toEqual(['network', 'dtype', 'seed', 'mode', 'loss', 'output', 'layers']);
        expect(a).toMatchObject({ network: 'LeNet5', dtype: 'float64', seed: 3, mode: 'train', output: { shape: [1, 10] } });
        expect(Object.keys(a.output.stats)).toEqual(['mean', 'std', 'min', 'max', 'norm']);
        const conv = a.layers[0];
        expect(Object.keys(conv)).toEqual(['op', 'name', 'file', 'line', 'shape', 'activation', 'gradient', 'params']);
        expect(conv).toMatchObject({ op: 'conv2d', name: null, file: 'examples/lenet5.conv', line: 7, shape: [1, 6, 28, 28] });
        expect(conv.params.map((p: { tensor: string; shape: number[] }) => [p.tensor, p.shape])).toEqual([['weight', [6, 1, 5, 5]], ['bias', [6]]]);
        expect(Object.keys(conv.params[0])).toEqual(['tensor', 'shape', 'value', 'gradient']);
        const c = JSON.parse(run(['run', 'examples/lenet5.conv', '--json', '--seed', '4', '--dtype', 'float64']).stdout);
        expect(c.loss).not.toBe(a.loss);
    });

    it('writes outputs, activations, parameters and gradients with --out, and reads them back with --params and --input', () => {
        const dir = scratch();
        const first = run(['run', 'examples/lenet5.conv', '--dtype', 'float64', '--seed', '5', '--out', dir]);
        expect(first.code).toBe(0);
        for (const f of ['output.npy', 'R.npy', 'manifest.json', 'inputs/image.npy', 'input_grads/image.npy', 'activations/01_conv2d.npy', 'gradients/01_conv2d.npy', 'params/01_conv2d.weight.npy', 'param_grads/12_linear.bias.npy']) {
            expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
        }
        expect(readNpy(path.join(dir, 'output.npy')).shape).toEqual([1, 10]);
        // Same weights and input under another seed: the output is the same; only R differs.
        const again = scratch();
        const second = run(['run', 'examples/lenet5.conv', '--dtype', 'float64', '--seed', '9', '--params', dir, '--input', path.join(dir, 'inputs/image.npy'), '--out', again]);
        expect(second.code).toBe(0);
        expect(Array.from(readNpy(path.join(again, 'output.npy')).data)).toEqual(Array.from(readNpy(path.join(dir, 'output.npy')).data));
    });

    it('says which shapes disagree when the input does not match the declaration', () => {
        const dir = scratch();
        run(['run', 'examples/lenet5.conv', '--out', dir]);
        const r = run(['run', 'examples/alexnet.conv', '--input', path.join(dir, 'inputs/image.npy')]);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/image\.npy: shape \[1, 1, 32, 32\] does not match the declared input image: \[N, 3, 224, 224\]/);
    });

    it('rejects an unreadable .npy, a missing parameter file, an unknown network and a file with errors, with exit code 2', () => {
        const dir = scratch({ 'bad.npy': 'not numpy', 'net.conv': TINY, 'err.conv': 'network E {\n    input x: [N, 3, 4, 4]\n    conv2d(2, kernel_size=9)\n}\n' });
        const bad = run(['run', 'net.conv', '--input', 'bad.npy'], dir);
        expect([bad.code, bad.stderr]).toEqual([2, expect.stringMatching(/^convscope: bad\.npy: .*magic/m)]);
        const params = run(['run', 'net.conv', '--params', dir], dir);
        expect([params.code, params.stderr]).toEqual([2, expect.stringContaining('missing 6 parameter files: 01_conv2d.weight.npy')]);
        const unknown = run(['run', 'net.conv', '--network', 'Nope'], dir);
        expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining("no network named 'Nope' (networks: Tiny)")]);
        const errors = run(['run', 'err.conv'], dir);
        expect([errors.code, errors.stderr]).toEqual([2, expect.stringMatching(/err\.conv: network E has 1 error \(first: err\.conv:3:15 error conv2d: no output/)]);
    });

    it('stops before allocating beyond --memory-budget', () => {
        const r = run(['run', 'examples/vgg16.conv', '--batch', '64', '--memory-budget', '1GiB']);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/more than 1\.00 GiB \(the memory budget\) by layer \d+_\w+ \(line \d+/);
    });
});

describe('convscope run, inputs and parameters from files', () => {
    const TWO_INPUTS = 'network Two {\n    input a: [N, 2, 4, 4]\n    input b: [N, 2, 4, 4]\n    add(a, b) -> conv2d(3, kernel_size=3) -> batch_norm2d()\n}\nnetwork Broken {\n    input x: [N, 3, 8, 8]\n    conv2d(4, kernel_size=30)\n}\n';

    function npy(dir: string, name: string, shape: number[], dtype = 'float32', fill = 'np.arange'): string {
        const file = path.join(dir, name);
        execFileSync('/usr/bin/python3', ['-c', `import numpy as np; np.save(${JSON.stringify(file)}, (${fill}(${shape.reduce((a, b) => a * b, 1)}) / 10).reshape(${JSON.stringify(shape)}).astype('${dtype}'))`]);
        return file;
    }

    it.runIf(fs.existsSync('/usr/bin/python3'))('takes the batch from the input files, accepts --input twice, and ignores errors in another network', () => {
        const dir = scratch({ 'two.conv': TWO_INPUTS });
        const a = npy(dir, 'a.npy', [2, 2, 4, 4]);
        const b = npy(dir, 'b.npy', [2, 2, 4, 4], 'float64');
        const r = run(['run', 'two.conv', '--network', 'Two', '--input', `a=${a}`, '--input', `b=${b}`, '--json'], dir);
        expect(r.stderr).toBe('');
        expect(JSON.parse(r.stdout).output.shape).toEqual([2, 3, 2, 2]);
        const twice = run(['run', 'two.conv', '--network', 'Two', '--input', `a=${a}`, '--input', `a=${b}`], dir);
        expect([twice.code, twice.stderr]).toEqual([2, expect.stringContaining("input 'a' is given twice")]);
        const conflict = run(['run', 'two.conv', '--network', 'Two', '--input', `a=${a}`, '--batch', '3'], dir);
        expect([conflict.code, conflict.stderr]).toEqual([2, expect.stringContaining('a.npy: batch 2 disagrees with --batch 3')]);
    });

    it.runIf(fs.existsSync('/usr/bin/python3'))("loads PyTorch's 0-d int64 num_batches_tracked and rejects files that match no parameter", () => {
        const dir = scratch({ 'two.conv': TWO_INPUTS });
        const out = path.join(dir, 'out');
        expect(run(['run', 'two.conv', '--network', 'Two', '--out', out], dir).code).toBe(0);
        const params = path.join(out, 'params');
        execFileSync('/usr/bin/python3', ['-c', `import numpy as np; np.save(${JSON.stringify(path.join(params, '03_batch_norm2d.num_batches_tracked.npy'))}, np.array(7, dtype=np.int64))`]);
        expect(run(['run', 'two.conv', '--network', 'Two', '--params', out], dir).code).toBe(0);
        fs.renameSync(path.join(params, '02_conv2d.weight.npy'), path.join(params, '02_conv2d.weigth.npy'));
        const typo = run(['run', 'two.conv', '--network', 'Two', '--params', out], dir);
        expect([typo.code, typo.stderr]).toEqual([2, expect.stringMatching(/missing 1 parameter file: 02_conv2d\.weight\.npy .*; 1 file matches no parameter of the network: 02_conv2d\.weigth\.npy — did you mean '02_conv2d\.weight\.npy'\?/)]);
    });
});

describe('convscope gradcheck', () => {
    it('checks every layer and the whole network, and follows the JSON contract', () => {
        const dir = scratch({ 'net.conv': TINY });
        const r = run(['gradcheck', 'net.conv', '--json', '--batch', '2'], dir);
        expect(r.code).toBe(0);
        const json = JSON.parse(r.stdout);
        expect(Object.keys(json)).toEqual(['network', 'dtype', 'seed', 'eps', 'atol', 'rtol', 'loss', 'passed', 'checks']);
        expect(json).toMatchObject({ network: 'Tiny', dtype: 'float64', seed: 0, eps: 1e-6, atol: 1e-5, rtol: 1e-3, passed: true, loss: 'sum(output * R), R ~ N(0,1) seed 0' });
        expect(Object.keys(json.checks[0])).toEqual(['scope', 'layer', 'op', 'file', 'line', 'tensor', 'elements', 'checked', 'maxAbsError', 'maxRelError', 'worstIndex', 'status', 'note']);
        expect(new Set(json.checks.map((c: { scope: string }) => c.scope))).toEqual(new Set(['layer', 'network']));
        expect(json.checks.find((c: { scope: string; tensor: string }) => c.scope === 'network' && c.tensor === 'input')).toMatchObject({ elements: 144, checked: 144, status: 'passed' });
    });

    it('samples large tensors with --max-elements and prints a verdict', () => {
        const dir = scratch({ 'net.conv': TINY });
        const r = run(['gradcheck', 'net.conv', '--max-elements', '10'], dir);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^network +input x +\d+ +input +72 +10 /m);
        expect(r.stdout).toMatch(/^PASSED: \d+ tensors passed, 0 failed/m);
    });

    it('rejects bad options with exit code 2', () => {
        expect(run(['gradcheck', 'examples/lenet5.conv', '--eps', '-1']).code).toBe(2);
        expect(run(['gradcheck', 'examples/lenet5.conv', '--dtype', 'float16']).stderr).toContain('--dtype must be float32 or float64');
    });
});

describe('convscope run and gradcheck at another input shape (--input-shape)', () => {
    it('analyses the network again at that shape, the batch from its first dimension', () => {
        const r = run(['run', 'examples/lenet5.conv', '--input-shape', '2,1,36,36', '--json']);
        expect([r.code, r.stderr]).toEqual([0, '']);
        const json = JSON.parse(r.stdout);
        expect(json.layers.map((l: { shape: number[] }) => l.shape).slice(0, 7)).toEqual([[2, 6, 32, 32], [2, 6, 32, 32], [2, 6, 16, 16], [2, 16, 12, 12], [2, 16, 12, 12], [2, 16, 6, 6], [2, 576]]);
        expect(json.output.shape).toEqual([2, 10]);
        expect(run(['run', 'examples/lenet5.conv', '--input-shape=image=2,1,36,36']).stdout).toMatch(/· batch 2\n/);
    });

    it('gradient-checks at that shape', () => {
        const dir = scratch({ 'net.conv': TINY });
        const r = run(['gradcheck', 'net.conv', '--input-shape', '1,2,4,4', '--json'], dir);
        expect(r.code).toBe(0);
        const json = JSON.parse(r.stdout);
        expect(json.passed).toBe(true);
        expect(json.checks.find((c: { scope: string; tensor: string }) => c.scope === 'network' && c.tensor === 'input')).toMatchObject({ elements: 32, checked: 32 });
        expect(json.checks.find((c: { scope: string; op: string; tensor: string }) => c.scope === 'network' && c.op === 'linear' && c.tensor === 'weight')).toMatchObject({ elements: 48 });
    });

    it('takes one shape per input, named when there are several', () => {
        const dir = scratch({ 'two.conv': 'network Two {\n    input a: [N, 2, 4, 4]\n    input b: [N, 2, 4, 4]\n    add(a, b) -> conv2d(3, kernel_size=3)\n}\n' });
        const r = run(['run', 'two.conv', '--input-shape', 'a=1,2,6,6', '--input-shape', 'b=1,2,6,6', '--json'], dir);
        expect(JSON.parse(r.stdout).output.shape).toEqual([1, 3, 4, 4]);
        const unnamed = run(['run', 'two.conv', '--input-shape', '1,2,6,6'], dir);
        expect([unnamed.code, unnamed.stderr]).toEqual([2, expect.stringContaining('the network has several inputs (a, b): write --input-shape NAME=1,2,6,6')]);
        const one = run(['gradcheck', 'two.conv', '--input-shape', 'a=1,2,6,6'], dir);
        expect([one.code, one.stderr]).toEqual([2, expect.stringMatching(/^convscope: --input-shape a=1,2,6,6: network Two has 1 error at this input shape \(first: two\.conv:4:\d+ error add: input 1 \[N, 2, 4, 4\] does not broadcast/m)]);
    });

    it('rejects bad shapes with exit code 2, saying why', () => {
        const failure = (...args: string[]) => {
            const r = run(['run', 'examples/lenet5.conv', ...args]);
            expect(r.code).toBe(2);
            return r.stderr;
        };
        expect(failure('--input-shape', '1,1,32')).toContain('--input-shape 1,1,32: give 4 dimensions, not 3 (input image is declared [N, 1, 32, 32])');
        expect(failure('--input-shape', '1,1,x,32')).toContain('--input-shape 1,1,x,32: the dimensions must be positive integers separated by commas');
        expect(failure('--input-shape', '1,1,0,32')).toContain('positive integers');
        expect(failure('--input-shape', 'img=1,1,32,32')).toContain("the network has no input 'img' (inputs: image)");
        expect(failure('--input-shape', '1,1,32,32', '--input-shape', '1,1,16,16')).toContain("input 'image' is given twice");
        expect(failure('--input-shape', '2,1,32,32', '--batch', '3')).toContain('--input-shape image=2,1,32,32: batch 2 disagrees with --batch 3');
        expect(failure('--input-shape', '1,1,12,12')).toMatch(/network LeNet5 has 1 error at this input shape \(first: examples\/lenet5\.conv:9:\d+ error conv2d: no output/);
        expect(failure('--input-shape')).toContain('--input-shape needs a value');
    });
});
