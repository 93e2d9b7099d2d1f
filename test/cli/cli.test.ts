/** The command line as a user runs it: the bundled `convscope` binary, its output and exit codes. */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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

function scratch(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'convscope-cli-'));
    scratchDirs.push(dir);
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
}

beforeAll(() => {
    if (!fs.existsSync(path.join(root, 'out/cli/main.cjs'))) execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root });
}, 120_000);

describe('convscope check', () => {
    it('prints file:line:col severity message and exits 1 when there is an error', () => {
        const dir = scratch({ 'bad.conv': 'network A {\n    input x: [N, 3, 8, 8]\n    conv2d(6, kernel_size=3, groups=4)\n}\n' });
        const r = run(['check', 'bad.conv'], dir);
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/^bad\.conv:3:30 error conv2d: input channels 3 and out_channels 6 are not divisible by groups=4$/m);
    });

    it('exits 0 on the examples, which have no errors', () => {
        const files = fs.readdirSync(path.join(root, 'examples')).filter(f => f.endsWith('.conv')).map(f => `examples/${f}`);
        const r = run(['check', ...files]);
        expect(r.stdout.split('\n').filter(l => / error /.test(l))).toEqual([]);
        expect(r.code).toBe(0);
    });

    it('reports syntax errors with a location instead of crashing', () => {
        const dir = scratch({ 'syntax.conv': 'network A {\n    input x: [N, 3, 8, 8]\n    conv2d(6,, 3\n}\n' });
        const r = run(['check', 'syntax.conv'], dir);
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/^syntax\.conv:\d+:\d+ error /m);
    });

    it('prints {"diagnostics": [...]} with --json', () => {
        const dir = scratch({ 'w.conv': 'network A {\n    input x: [N, 3, 10, 10]\n    conv2d(4, kernel_size=3, stride=2)\n}\n' });
        const r = run(['check', '--json', 'w.conv'], dir);
        expect(r.code).toBe(0);
        const json = JSON.parse(r.stdout);
        expect(json.diagnostics.length).toBeGreaterThan(0);
        expect(json.diagnostics[0]).toEqual({
            severity: 'warning', file: 'w.conv', line: 3, column: 30, endLine: 3, endColumn: 38,
            message: expect.stringContaining('never covered'), code: 'uncovered-input',
        });
    });

    it('says clearly when a file does not exist, with exit code 2', () => {
        const r = run(['check', 'no-such-file.conv']);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain('no-such-file.conv: no such file');
    });

    it('follows imports relative to the importing file', () => {
        const dir = scratch({
            'blocks.conv': 'block Twice(c) {\n    conv2d(c, 3, padding=1) -> conv2d(c, 3, padding=1)\n}\n',
            'net.conv': 'import "blocks.conv"\nnetwork A {\n    input x: [N, 3, 8, 8]\n    Twice(5)\n}\n',
        });
        const r = run(['summary', '--json', 'net.conv'], dir);
        expect(r.code).toBe(0);
        const json = JSON.parse(r.stdout);
        expect(json.networks[0].layers.map((l: { file: string; line: number; callSite: number }) => [l.file, l.line, l.callSite])).toEqual([['blocks.conv', 2, 4], ['blocks.conv', 2, 4]]);
    });

    it('reports an import that cannot be found on the import', () => {
        const dir = scratch({ 'net.conv': 'import "missing.conv"\nnetwork A {\n    input x: [N, 3, 8, 8]\n}\n' });
        const r = run(['check', 'net.conv'], dir);
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/^net\.conv:1:8 error cannot find 'missing\.conv'/m);
    });
});

describe('convscope summary', () => {
    it('prints a table with the layers, totals and receptive fields of ResNet-18', () => {
        const r = run(['summary', 'examples/resnet18.conv']);
        expect(r.code).toBe(0);
        expect(r.stdout).toContain('network ResNet18');
        expect(r.stdout).toMatch(/conv2d\s+\d+\s+\[N, 64, 112, 112\]\s+9,408\s+118,013,952\s+7 \(j 2\)/);
        expect(r.stdout).toContain('total params: 11,689,512');
    });

    it('follows the JSON contract', () => {
        const r = run(['summary', 'examples/resnet18.conv', '--json']);
        expect(r.code).toBe(0);
        const json = JSON.parse(r.stdout);
        expect(Object.keys(json)).toEqual(['file', 'networks', 'diagnostics']);
        expect(json.file).toBe('examples/resnet18.conv');
        const net = json.networks[0];
        expect(Object.keys(net)).toEqual(['name', 'inputs', 'layers', 'outputs', 'totals']);
        expect(net.inputs).toEqual([{ name: 'image', shape: ['N', 3, 224, 224] }]);
        expect(net.outputs).toEqual([{ name: null, shape: ['N', 1000] }]);
        expect(net.totals).toEqual({ params: 11689512, macs: 1814073344 });
        const first = net.layers[0];
        expect(first).toEqual({ op: 'conv2d', name: null, line: 9, file: 'examples/resnet18.conv', callSite: null, shape: ['N', 64, 112, 112], params: 9408, macs: 118013952, rf: { size: [7, 7], jump: [2, 2], start: [0, 0] } });
        const inBlock = net.layers.find((l: { callSite: number | null }) => l.callSite !== null);
        expect(inBlock.file).toBe('examples/resnet_blocks.conv');
        const linear = net.layers.at(-1);
        expect(linear.op).toBe('linear');
        expect(linear).not.toHaveProperty('rf');
    });

    it('selects a network with --network and rejects an unknown one with exit code 2', () => {
        const dir = scratch({ 'two.conv': 'network A {\n    input x: [N, 3, 8, 8]\n    conv2d(4, 3)\n}\nnetwork B {\n    input y: [N, 3, 8, 8]\n    conv2d(5, 3)\n}\n' });
        const r = run(['summary', 'two.conv', '--network', 'B', '--json'], dir);
        expect(JSON.parse(r.stdout).networks.map((n: { name: string }) => n.name)).toEqual(['B']);
        const bad = run(['summary', 'two.conv', '--network', 'C'], dir);
        expect(bad.code).toBe(2);
        expect(bad.stderr).toContain("no network named 'C' (networks: A, B)");
    });

    it('rejects unknown options and commands with usage and exit code 2', () => {
        expect(run(['summary', 'examples/lenet5.conv', '--bogus']).code).toBe(2);
        const r = run(['frobnicate']);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain('usage:');
    });
});
