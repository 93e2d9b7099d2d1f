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
        await wb.poll('the report to say every check passed', async () => /all \d+ checks passed/i.test(await report.content.locator('#verdict').innerText()), 30_000, () => report.content.locator('#verdict').innerText());
        await report.element.screenshot({ path: path.join(artifacts, 'gradcheck-report.png') });
    }, 90_000);

    suite.test('the Test Explorer shows the gradient checks of tiny.conv as passed', async () => {
        await wb.runCommand('Testing: Focus on Test Explorer View');
        const rows = page.locator('.test-explorer .monaco-list-row');
        const labels = () => rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
        // tiny.conv > Tiny > one item per checked layer.
        for (const item of ['tiny.conv', 'Tiny']) {
            const row = page.locator(`.test-explorer .monaco-list-row[aria-label^="${item} ("]`).first();
            await wb.waitFor(row, `the Test Explorer item "${item}"`);
            await wb.poll(`"${item}" to be marked passed`, async () => (await row.getAttribute('aria-label'))?.includes('(Passed)'), 15_000, async () => JSON.stringify(await labels()));
            if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
        }
        await wb.poll(
            'the layers of Tiny (conv2d, linear) marked passed',
            async () => {
                const all = await labels();
                return ['conv2d', 'linear'].every((layer) => all.some((l) => l.includes(layer) && l.includes('(Passed)')));
            },
            15_000,
            async () => JSON.stringify(await labels()),
        );
    });

    suite.test('a long gradient check stops quickly when cancelled from its notification', async () => {
        await wb.openFile('resnet50.conv');
        await wb.runCommand('Convscope: Run Gradient Check');
        const toast = wb.notification(/gradient check of ResNet50/i);
        await wb.waitFor(toast, 'the progress notification "gradient check of ResNet50"', 30_000);
        const cancel = toast.locator('.monaco-button', { hasText: 'Cancel' });
        await wb.waitFor(cancel, 'the Cancel button on the progress notification');
        // The engine runs in a worker thread of the extension host: it is busy now...
        await page.waitForTimeout(1_000);
        const busy = await extensionHostLoad(serverPgid, 1_500);
        if (busy !== undefined && busy < 0.3) throw new Error(`the extension host is not busy while the check runs (${busy.toFixed(2)} CPU s/s)`);
        const t0 = Date.now();
        await cancel.first().click();
        await wb.waitFor(toast, 'the progress notification to disappear after Cancel', 10_000, 'hidden');
        const seconds = (Date.now() - t0) / 1000;
        if (seconds > 5) throw new Error(`the notification took ${seconds.toFixed(1)} s to disappear after Cancel`);
        // ...and idle once cancelled.
        const idle = await extensionHostLoad(serverPgid, 1_500);
        if (idle !== undefined && busy !== undefined && idle > Math.min(0.15, busy / 3)) {
            throw new Error(`the extension host still computes after Cancel (${idle.toFixed(2)} CPU s/s; ${busy.toFixed(2)} before)`);
        }
        console.log(`      (cancelled in ${seconds.toFixed(2)} s; extension host load ${busy?.toFixed(2)} → ${idle?.toFixed(2)} CPU s/s)`);
    }, 60_000);

    return suite;
}
