/**
 * The report webview without VS Code: data shaping (extension/report/model.ts) from real job
 * results, and the page (extension/report/html.ts) — a strict Content-Security-Policy with a
 * nonce on every script, no remote URL anywhere, escaped text, and the stable ids the end-to-end
 * tests read (`#verdict`, `table#layers`, `canvas#gradient-norms`, `canvas#activation-std`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runJob } from '../../extension/engine/jobs.js';
import type { DocumentText, JobResult } from '../../extension/engine/protocol.js';
import { contentSecurityPolicy, escapeHtml, makeNonce, reportHtml, scriptJson } from '../../extension/report/html.js';
import { flagOutliers, fmtNumber, gradcheckVerdict, gradcheckView, runView, summaryView, type ReportView } from '../../extension/report/model.js';
import type { TensorCheck } from '../../src/engine/gradcheck.js';

const root = path.resolve(__dirname, '../..');
const lenet: DocumentText[] = [{ uri: pathToFileURL(path.join(root, 'examples/lenet5.conv')).toString(), text: fs.readFileSync(path.join(root, 'examples/lenet5.conv'), 'utf8') }];
const tiny: DocumentText[] = [{ uri: 'file:///virtual/tiny.conv', text: 'network Tiny {\n    input x: [N, 2, 6, 6]\n    conv2d(3, kernel_size=3, padding=1) -> relu()\n    avg_pool2d(2) -> flatten() -> linear(4)\n}\n' }];
const PAGE = { cspSource: 'vscode-webview-resource:', nonce: 'N0nceN0nceN0nceN0nceN0nceN0nce12', scriptUri: 'vscode-webview-resource://ext/out/webview/report.js', styleUri: 'vscode-webview-resource://ext/media/report.css' };

let summary: Extract<JobResult, { kind: 'summary' }>;
let run: Extract<JobResult, { kind: 'run' }>;
let check: Extract<JobResult, { kind: 'gradcheck' }>;

beforeAll(async () => {
    const none = () => undefined;
    summary = await runJob({ kind: 'summary', root: lenet[0]!.uri, documents: lenet, network: 'LeNet5' }, none) as typeof summary;
    run = await runJob({ kind: 'run', root: lenet[0]!.uri, documents: lenet, network: 'LeNet5', settings: { seed: 0, dtype: 'float32', mode: 'train', batch: 1 } }, none) as typeof run;
    check = await runJob({ kind: 'gradcheck', root: tiny[0]!.uri, documents: tiny, network: 'Tiny', settings: { seed: 0, dtype: 'float64', mode: 'train', batch: 1, eps: 1e-6, atol: 1e-5, rtol: 1e-3, maxElements: 32, fast: false } }, none) as typeof check;
}, 60_000);

/** The tags of the page, for structural assertions without a DOM. */
function tags(html: string, name: string): string[] {
    return [...html.matchAll(new RegExp(`<${name}\\b[^>]*>`, 'g'))].map(m => m[0]);
}

describe('report data', () => {
    it('shapes the summary as a torchinfo-style table with totals and per-layer parameter and MAC charts', () => {
        const view = summaryView(summary.summary);
        const table = view.tables.find(t => t.id === 'layers')!;
        expect(table.rows).toHaveLength(12);
        expect(table.rows[0]!.cells.map(c => c.text)).toEqual(['01_conv2d', '', 'conv2d', '7', '[N, 6, 28, 28]', '156', '117,600', '5 (j 1)', '18.4 KiB']);
        expect(table.rows[5]!.cells[0]).toEqual({ text: '06_avg_pool2d_features', title: 'layer 6: avg_pool2d named features' });
        expect(table.rows[0]).toMatchObject({ uri: lenet[0]!.uri, line: 7 });
        expect(table.foot![0]!.cells.map(c => c.text)).toContain('61,706');
        expect(view.facts.find(f => f.label === 'parameters')?.value).toBe('61,706 (241.0 KiB as float32)');
        expect(view.charts.map(c => c.id)).toEqual(['params-per-layer', 'macs-per-layer']);
        expect(view.charts[0]!.values).toEqual(summary.summary.layers.map(l => l.params));
    });

    it('shapes a run as per-layer activation and gradient statistics, with gradient-norm and activation-std charts', () => {
        const view = runView(run);
        const table = view.tables.find(t => t.id === 'layers')!;
        expect(table.columns.map(c => c.label)).toEqual(['layer', 'in block', 'op', 'line', 'output shape', 'params', 'MACs', 'rf (jump)', 'mean', 'std', 'min', 'max', 'norm', 'mean', 'std', 'min', 'max', 'norm']);
        expect(table.columns.filter(c => c.group === 'activation')).toHaveLength(5);
        expect(table.rows[9]!.cells[17]!.text).toBe(fmtNumber(run.run.layers[9]!.gradient.norm));
        const [grad, act] = view.charts;
        expect(grad).toMatchObject({ id: 'gradient-norms', log: true, labels: summary.summary.layers.map(l => l.key) });
        expect(grad!.values).toEqual(run.run.layers.map(l => l.gradient.norm));
        expect(act).toMatchObject({ id: 'activation-std', values: run.run.layers.map(l => l.activation.std) });
        expect(view.facts[0]!.value).toContain(run.run.loss.toPrecision(8));
    });

    it('flags values 100× below or above the median, as vanishing and exploding gradients', () => {
        expect(flagOutliers([1, 2, 1, 0.001, 500, null, 0])).toEqual([null, null, null, 'low', 'high', null, 'low']);
        expect(flagOutliers([1, 1e-9])).toEqual([null, null]);
    });

    it('says "All N checks passed", or how many failed and which, at which line', () => {
        const view = gradcheckView(check);
        const n = check.gradcheck.checks.length;
        expect(view.verdict).toEqual({ passed: true, text: `All ${n} checks passed`, failures: [] });
        const failed: TensorCheck = { ...check.gradcheck.checks[1]!, status: 'failed', maxAbsError: 0.5, maxRelError: 0.25, worstIndex: [0, 1], note: '3 elements outside atol + rtol·|numeric|' };
        const verdict = gradcheckVerdict([check.gradcheck.checks[0]!, failed], () => 'file:///virtual/tiny.conv');
        expect(verdict.passed).toBe(false);
        expect(verdict.text).toBe('1 of 2 checks failed');
        expect(verdict.failures).toEqual([{ text: `layer ${failed.layer} (line 3), ${failed.tensor}: max abs error 0.5, max rel error 0.25 at [0, 1] — 3 elements outside atol + rtol·|numeric|`, uri: 'file:///virtual/tiny.conv', line: 3 }]);
        const checks = view.tables.find(t => t.id === 'checks')!;
        expect(checks.rows).toHaveLength(n);
        expect(view.tables.find(t => t.id === 'layers')!.rows[0]!.cells[8]).toEqual({ text: '✓ 3 passed', tone: 'passed' });
    });
});

describe('the report page', () => {
    const pages: Array<[string, () => ReportView]> = [['summary', () => summaryView(summary.summary)], ['run', () => runView(run)], ['gradient check', () => gradcheckView(check)]];

    it.each(pages)('%s: a strict CSP, every script with the nonce, no remote URL', (_, view) => {
        const html = reportHtml(view(), PAGE);
        const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1]?.replace(/&#39;/g, "'");
        expect(csp).toBe(`default-src 'none'; img-src ${PAGE.cspSource} data:; style-src ${PAGE.cspSource}; font-src ${PAGE.cspSource}; script-src 'nonce-${PAGE.nonce}'`);
        const scripts = tags(html, 'script');
        expect(scripts.length).toBe(2);
        for (const s of scripts) expect(s).toContain(`nonce="${PAGE.nonce}"`);
        expect(html).not.toMatch(/https?:\/\//i);
        expect(html).not.toMatch(/\son[a-z]+=/i); // no inline event handlers
        expect(tags(html, 'table').some(t => t.includes('id="layers"'))).toBe(true);
    });

    it('has the ids the end-to-end tests read', () => {
        const runPage = reportHtml(runView(run), PAGE);
        expect(runPage).toContain('<canvas id="gradient-norms"');
        expect(runPage).toContain('<canvas id="activation-std"');
        expect(runPage).toContain('<input type="checkbox" id="log-scale" checked>');
        expect(runPage).toContain('data-kind="run"');
        const checkPage = reportHtml(gradcheckView(check), PAGE);
        expect(checkPage).toMatch(new RegExp(`<section id="verdict" class="verdict passed" role="status">All ${check.gradcheck.checks.length} checks passed</section>`));
        expect(checkPage).toContain('<table id="checks">');
    });

    it('escapes text and keeps the data block inert', () => {
        const evil = '</script><script>alert(1)</script>';
        const view: ReportView = { kind: 'summary', network: evil, title: evil, subtitle: '<b>', facts: [{ label: '<i>', value: '"&' }], notes: [], charts: [{ id: 'x', title: evil, label: evil, labels: [evil], values: [1], flags: [null], log: false }], tables: [] };
        const html = reportHtml(view, PAGE);
        expect(html.match(/<script/g)).toHaveLength(2);
        expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
        expect(scriptJson({ a: evil })).not.toContain('<');
        expect(JSON.parse(scriptJson({ a: evil }))).toEqual({ a: evil });
        expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    });

    it('makes 32-character alphanumeric nonces', () => {
        const nonce = makeNonce();
        expect(nonce).toMatch(/^[A-Za-z0-9]{32}$/);
        expect(makeNonce()).not.toBe(nonce);
        expect(contentSecurityPolicy('x:', nonce)).toContain(`script-src 'nonce-${nonce}'`);
    });
});
