// The UI tests: what a person sees in VS Code's workbench (code-server) with the packaged
// extension installed. One workbench page for the whole suite; tests run in order.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Suite, slug } from './harness.js';
import { extensionHostLoad } from './procfs.js';
import { Workbench } from './workbench.js';

export interface UiSuiteOptions {
    workbench: Workbench;
    /** The workspace folder on disk (a copy, see scripts/e2e/lib/workspace.ts). */
    workspace: string;
    artifacts: string;
    /** The language's display name (its first alias in package.json). */
    languageName: string;
    /** code-server's process group (to measure the extension host's CPU load). */
    serverPgid: number;
}

/** 1-based number of the first line of `file` that contains `text`. */
function lineNumber(workspace: string, file: string, text: string): number {
    const lines = fs.readFileSync(path.join(workspace, file), 'utf8').split('\n');
    const i = lines.findIndex((l) => l.includes(text));
    if (i < 0) throw new Error(`no line containing "${text}" in ${file}`);
    return i + 1;
}

export function uiSuite({ workbench: wb, workspace, artifacts, languageName, serverPgid }: UiSuiteOptions): Suite {
    const page = wb.page;
    const suite = new Suite('UI (code-server + Chromium)', async (name) => wb.screenshot(path.join(artifacts, `ui-${slug(name)}.png`)));
    const stem = 'conv2d(64, kernel_size=7';

    suite.test('resnet18.conv opens as a Convscope file with shape inlay hints', async () => {
        await wb.openFile('resnet18.conv');
        await wb.poll(`the language mode "${languageName}"`, async () => (await wb.languageStatus.innerText()).trim() === languageName, 15_000, () => wb.languageStatus.innerText());
        // The stem statement (conv2d -> batch_norm2d -> relu, two lines) ends in [N, 64, 112, 112];
        // the max pool after it halves that.
        for (const [line, shape] of [['-> batch_norm2d() -> relu()', '[N, 64, 112, 112]'], ['stem = max_pool2d(', '[N, 64, 56, 56]']] as const) {
            await wb.poll(`the hint ${shape} on the line "${line}"`, async () => (await wb.editorLine(line))?.includes(shape), 30_000, async () => (await wb.editorLine(line)) ?? '(line not rendered)');
        }
    });

    suite.test('an error typed into the stem shows in the Problems panel with its line', async () => {
        const line = lineNumber(workspace, 'resnet18.conv', stem);
        await wb.openFile('resnet18.conv');
        await wb.goToLine(line);
        await page.keyboard.press('End');
        await page.keyboard.press('ArrowLeft'); // before the closing parenthesis
        await page.keyboard.type(', groups=5');
        await wb.poll('the edit to appear', async () => (await wb.editorLine(stem))?.includes('bias=false, groups=5)'), 10_000, async () => (await wb.editorLine(stem)) ?? '');
        await wb.waitFor(page.locator('.view-overlays .squiggly-error'), 'an error squiggle', 20_000);
        const expected = `line ${line} `;
        await wb.poll(
            `a Problems row "…divisible by groups=5" at ${expected.trim()}`,
            async () => (await wb.problems()).some((p) => p.startsWith('Error') && /divisible by groups=5/.test(p) && p.includes(expected)),
            20_000,
            async () => JSON.stringify(await wb.problems()),
        );
        // Reverting the file clears the error again.
        await wb.runCommand('File: Revert File');
        await wb.poll('the error to clear after reverting', async () => !(await wb.problems()).some((p) => /groups=5/.test(p)), 20_000, async () => JSON.stringify(await wb.problems()));
    });

    suite.test('Run Gradient Check on tiny.conv opens a report where every check passed', async () => {
        await wb.openFile('tiny.conv');
        await wb.runCommand('Convscope: Run Gradient Check');
        const report = await wb.webview('#verdict', 'the gradient-check report', 60_000);
        const verdict = report.content.locator('#verdict');
        const text = await wb.poll('the report to say every check passed', async () => /^all \d+ checks passed$/i.test((await verdict.innerText()).trim()) && (await verdict.innerText()).trim(), 30_000, () => verdict.innerText());
        const count = Number(/\d+/.exec(text)?.[0]);
        // One row per checked tensor in table#checks, each with status "passed".
        const statuses = await report.content.locator('table#checks tbody tr').evaluateAll((rows) => rows.map((r) => r.querySelectorAll('td')[9]?.textContent ?? ''));
        if (statuses.length !== count || statuses.some((st) => st !== 'passed')) throw new Error(`"${text}" but table#checks has statuses ${JSON.stringify(statuses)}`);
        // The page's script (allowed by its CSP nonce) has drawn the error chart.
        await wb.waitFor(report.content.locator('body[data-charts-ready] canvas#check-errors'), 'the report script to draw the error chart', 15_000);
        await report.element.screenshot({ path: path.join(artifacts, 'gradcheck-report.png') });
        return `${text}; report screenshot: ${path.relative(process.cwd(), path.join(artifacts, 'gradcheck-report.png'))}`;
    }, 90_000);

    suite.test('the Test Explorer shows the gradient checks of Tiny as passed', async () => {
        await wb.runCommand('Testing: Focus on Test Explorer View');
        const rows = page.locator('.test-explorer .monaco-list-row');
        // A row's .label holds the item's label, then its description in a span.
        const row = (label: RegExp, description: RegExp) =>
            rows.filter({ has: page.locator('.label', { hasText: label }).filter({ has: page.locator('.test-label-description', { hasText: description }) }) }).first();
        const passed = async (r: typeof rows) => (await r.locator('.computed-state.codicon-testing-passed-icon').count()) > 0;
        const seen = async () => JSON.stringify(await rows.evaluateAll((els) => els.map((e) => `${e.textContent} [${e.querySelector('.computed-state')?.className ?? ''}]`)));
        // The network item (description: its file), then one item per checked layer.
        const network = row(/^Tiny/, /^tiny\.conv/);
        await wb.poll('the Test Explorer item "Tiny" (tiny.conv) marked passed', () => passed(network), 15_000, seen);
        if ((await network.getAttribute('aria-expanded')) === 'false') await network.locator('.monaco-tl-twistie').click();
        for (const layer of ['conv2d', 'linear']) {
            const item = row(new RegExp(`^\\d+_${layer}`), new RegExp(`^${layer}`));
            await wb.poll(`the layer item "${layer}" under Tiny marked passed`, () => passed(item), 15_000, seen);
        }
    });

    suite.test('a long gradient check stops quickly when cancelled from its notification', async () => {
        await wb.openFile('resnet50.conv');
        await wb.runCommand('Convscope: Run Gradient Check');
        const toast = wb.notification(/gradient check of ResNet50/i);
        await wb.waitFor(toast, 'the progress notification "gradient check of ResNet50"', 30_000);
        const cancel = toast.locator('.monaco-button', { hasText: 'Cancel' });
        await wb.waitFor(cancel, 'the Cancel button on the progress notification');
        // The engine runs in a worker thread of the extension host: it is busy now...
        let busy: number | undefined;
        for (let i = 0; i < 3 && (busy === undefined || busy < 0.3); i++) busy = await extensionHostLoad(serverPgid, 1_000);
        if (busy !== undefined && busy < 0.3) throw new Error(`the extension host is not busy while the check runs (${busy.toFixed(2)} CPU s/s)`);
        const t0 = Date.now();
        await cancel.first().click();
        await wb.waitFor(toast, 'the progress notification to disappear after Cancel', 10_000, 'hidden');
        const seconds = (Date.now() - t0) / 1000;
        if (seconds > 5) throw new Error(`the notification took ${seconds.toFixed(1)} s to disappear after Cancel`);
        // ...and idle once cancelled.
        await page.waitForTimeout(500); // the terminated worker's memory is freed
        const idle = await extensionHostLoad(serverPgid, 1_500);
        if (idle !== undefined && busy !== undefined && idle > Math.min(0.2, busy / 3)) {
            throw new Error(`the extension host still computes after Cancel (${idle.toFixed(2)} CPU s/s; ${busy.toFixed(2)} before)`);
        }
        return `cancelled in ${seconds.toFixed(2)} s; extension host load ${busy?.toFixed(2)} → ${idle?.toFixed(2)} CPU s/s`;
    }, 60_000);

    return suite;
}
