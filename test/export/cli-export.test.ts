/** `convscope export FILE [--network NAME] [-o OUT.py]` as a user runs it (the bundled binary). */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const bin = path.join(root, 'bin/convscope.cjs');

function run(args: string[], cwd = root) {
    const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
    if (!fs.existsSync(path.join(root, 'out/cli/main.cjs'))) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root });
}, 120_000);

describe('convscope export', () => {
    it('prints the PyTorch module on stdout', () => {
        const r = run(['export', 'examples/lenet5.conv']);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^"""PyTorch equivalent of examples\/lenet5\.conv/);
        expect(r.stdout).toContain('class LeNet5(nn.Module):');
        expect(r.stdout).toContain('self.features = nn.AvgPool2d(kernel_size=2)');
    });

    it('writes the file given with -o, for the network given with --network', () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convscope-export-'));
        const out = path.join(dir, 'resnet.py');
        const r = run(['export', 'examples/resnet18.conv', '--network', 'ResNet18', '-o', out]);
        expect(r.code).toBe(0);
        expect(r.stderr).toBe(`wrote ${out}: ResNet18 (4 classes)\n`);
        expect(fs.readFileSync(out, 'utf8')).toContain('class BasicBlock(nn.Module):');
    });

    it('refuses unknown networks and files with errors, exit code 2', () => {
        const unknown = run(['export', 'examples/lenet5.conv', '--network', 'LeNet6']);
        expect(unknown.code).toBe(2);
        expect(unknown.stderr).toBe("convscope: examples/lenet5.conv: no network named 'LeNet6' (networks: LeNet5)\n");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convscope-export-'));
        fs.writeFileSync(path.join(dir, 'bad.conv'), 'network Bad {\n    input x: [N, 3, 8, 8]\n    conv2d(4, kernel_size=9)\n}\n');
        const bad = run(['export', 'bad.conv'], dir);
        expect(bad.code).toBe(2);
        expect(bad.stderr).toMatch(/^convscope: bad\.conv has 1 error \(first: bad\.conv:3:\d+ error conv2d: no output/);
    });
});
