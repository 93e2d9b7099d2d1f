// The UI tests: what a person sees in VS Code's workbench (code-server) with the packaged
// extension installed. One workbench page for the whole suite; tests run in order.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Suite, slug } from './harness.js';
import { Workbench } from './workbench.js';

export interface UiSuiteOptions {
    workbench: Workbench;
    /** The workspace folder on disk (a copy, see scripts/e2e/lib/workspace.ts). */
    workspace: string;
    artifacts: string;
    /** The language's display name (its first alias in package.json). */
    languageName: string;
}

/** 1-based number of the first line of `file` that contains `text`. */
function lineNumber(workspace: string, file: string, text: string): number {
    const lines = fs.readFileSync(path.join(workspace, file), 'utf8').split('\n');
    const i = lines.findIndex((l) => l.includes(text));
    if (i < 0) throw new Error(`no line containing "${text}" in ${file}`);
    return i + 1;
}

export function uiSuite({ workbench: wb, workspace, artifacts, languageName }: UiSuiteOptions): Suite {
    const page = wb.page;
    const suite = new Suite('UI (code-server + Chromium)', async (name) => wb.screenshot(path.join(artifacts, `ui-${slug(name)}.png`)));
    const stem = 'conv2d(64, kernel_size=7';

    suite.test('resnet18.conv opens as a Convscope file with a shape inlay hint on the stem', async () => {
        await wb.openFile('resnet18.conv');
        await wb.poll(`the language mode "${languageName}"`, async () => (await wb.languageStatus.innerText()).trim() === languageName, 15_000, () => wb.languageStatus.innerText());
        await wb.poll('the hint [N, 64, 112, 112] on the stem conv2d line', async () => (await wb.editorLine(stem))?.includes('[N, 64, 112, 112]'), 30_000, async () => (await wb.editorLine(stem)) ?? '(line not rendered)');
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
            `a Problems row "…divisible by groups…" at ${expected.trim()}`,
            async () => (await wb.problems()).some((p) => p.startsWith('Error') && /divisible by groups/.test(p) && p.includes(expected)),
            20_000,
            async () => JSON.stringify(await wb.problems()),
        );
        // Reverting the file clears the error again.
        await wb.runCommand('File: Revert File');
        await wb.poll('the error to clear after reverting', async () => !(await wb.problems()).some((p) => /divisible by groups/.test(p)), 20_000, async () => JSON.stringify(await wb.problems()));
    });

    suite.test('Run Gradient Check on tiny.conv opens a report where every check passed', async () => {
        await wb.openFile('tiny.conv');
        await wb.runCommand('Convscope: Run Gradient Check');
        const report = await wb.webviewWith('#verdict', 'the gradient-check report', 60_000);
        await wb.poll('the report to say every check passed', async () => /all \d+ checks passed/i.test(await report.locator('#verdict').innerText()), 30_000, () => report.locator('#verdict').innerText());
        await wb.webviewElement('#verdict').then((frame) => frame.screenshot({ path: path.join(artifacts, 'gradcheck-report.png') }));
    }, 90_000);

    suite.test('the Test Explorer shows the gradient checks as passed', async () => {
        await wb.runCommand('Testing: Focus on Test Explorer View');
        const rows = page.locator('.test-explorer .monaco-list-row');
        await wb.waitFor(rows, 'Test Explorer rows');
        await wb.poll('a passed test item for Tiny', async () => (await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''))).some((l) => l.includes('Tiny') && l.includes('(Passed)')), 15_000, async () => JSON.stringify(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))));
    });

    suite.test('a long gradient check stops quickly when cancelled from its notification', async () => {
        await wb.openFile('resnet50.conv');
        await wb.runCommand('Convscope: Run Gradient Check');
        const toast = wb.notification(/gradient check/i);
        await wb.waitFor(toast, 'the gradient-check progress notification', 30_000);
        await page.waitForTimeout(1_000); // let it get going
        const cancel = toast.locator('.monaco-button', { hasText: 'Cancel' });
        await wb.waitFor(cancel, 'the Cancel button on the progress notification');
        const t0 = Date.now();
        await cancel.first().click();
        await wb.waitFor(toast.filter({ has: page.locator('.monaco-progress-container.active') }), 'the progress notification to go away', 10_000, 'hidden');
        await wb.waitFor(wb.notification(/cancel/i), 'a "cancelled" message', 10_000);
        const seconds = (Date.now() - t0) / 1000;
        if (seconds > 5) throw new Error(`cancelling took ${seconds} s`);
    }, 60_000);

    return suite;
}
