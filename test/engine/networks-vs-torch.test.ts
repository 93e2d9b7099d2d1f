/**
 * Whole networks against PyTorch (fixtures by scripts/gen_network_fixtures.py): LeNet-5 and a
 * small ResNet with PyTorch's weights loaded from .npy in our parameter layout, PyTorch's input
 * and loss weights R: the output, the input gradient and (small ResNet) every parameter
 * gradient, in float64 within 1e-10 and in float32 within 1e-4.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFiles } from '../../cli/workspace.js';
import { NetworkModel } from '../../src/engine/network.js';
import { loadParams, readTensorFile } from '../../src/engine/params-io.js';
import { type DType, astype, type Tensor } from '../../src/tensor/tensor.js';
import { expectAllclose } from './helpers.js';

const root = path.resolve(__dirname, '../..');
const fixtures = path.join(root, 'test/fixtures/networks');

function close(actual: Tensor, expected: Tensor, dtype: DType, what: string) {
    let scale = 0;
    for (const v of expected.data) scale = Math.max(scale, Math.abs(v));
    const rtol = dtype === 'float64' ? 1e-10 : 1e-4;
    expectAllclose(astype(actual, 'float64'), expected, rtol * 1e-2 * scale, rtol, what);
}

describe.each(['lenet5', 'small_resnet'])('%s against PyTorch', name => {
    const dir = path.join(fixtures, name);
    const about = JSON.parse(fs.readFileSync(path.join(dir, 'about.json'), 'utf8')) as { network: string; file: string; input: number[] };

    it.each(['float64', 'float32'] as const)('gives the same output and gradients in %s', async dtype => {
        const { Conv, roots } = await loadFiles([path.join(root, about.file)]);
        const network = Conv.analysis.Analyzer.analyze(roots[0]!).analysis.networks.find(n => n.graph.name === about.network)!;
        const model = new NetworkModel(network, { dtype, mode: 'train', seed: 0, batch: about.input[0] });
        loadParams(model, dir);
        const x = readTensorFile(path.join(dir, 'input.npy'), dtype);
        const R = readTensorFile(path.join(dir, 'R.npy'), dtype);
        const pass = model.forward([x]);
        const back = model.backward(pass, R);
        close(pass.output, readTensorFile(path.join(dir, 'output.npy'), 'float64'), dtype, 'output');
        close(back.inputs[0]!, readTensorFile(path.join(dir, 'input_grad.npy'), 'float64'), dtype, 'input gradient');
        const gradsDir = path.join(dir, 'param_grads');
        if (fs.existsSync(gradsDir)) {
            const files = fs.readdirSync(gradsDir);
            expect(files.length).toBeGreaterThan(0);
            for (const file of files) {
                const [key, tensorName] = file.replace(/\.npy$/, '').split('.') as [string, string];
                const i = model.keys.indexOf(key);
                expect(i, `layer ${key}`).toBeGreaterThanOrEqual(0);
                close(back.params[i]![tensorName]!, readTensorFile(path.join(gradsDir, file), 'float64'), dtype, `gradient of ${key}.${tensorName}`);
            }
        }
    });
});
