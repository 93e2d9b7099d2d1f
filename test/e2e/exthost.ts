// Runs the extension-host suite (out/test/suite/index.cjs) inside code-server's workbench: the
// page opens the workspace with an extensionDevelopmentPath/extensionTestsPath payload, VS Code
// runs the suite in the remote extension host and reports its exit code to
// window.codeAutomationExit; the suite writes per-test results to $CONVSCOPE_E2E_RESULTS.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { withTimeout, type SuiteResult, type TestResult } from './harness.js';

export interface ExtensionHostRun {
    context: BrowserContext;
    serverUrl: string;
    workspace: string;
    /** The folder with the extension's package.json (the repository root). */
    extensionPath: string;
    suitePath: string;
    /** Where the suite writes its results (code-server was started with CONVSCOPE_E2E_RESULTS set to it). */
    resultsFile: string;
    artifacts: string;
    timeoutMs: number;
}

export async function runExtensionHostSuite(run: ExtensionHostRun): Promise<SuiteResult> {
    const name = 'Extension host (code-server)';
    console.log(`\n${name}`);
    const started = Date.now();
    fs.rmSync(run.resultsFile, { force: true });
    const page = await run.context.newPage();
    const remote = (p: string) => `vscode-remote://${new URL(run.serverUrl).host}${p}`;
    let exitCode: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (exitCode = resolve));
    const log: string[] = [];
    try {
        await page.exposeFunction('codeAutomationExit', (code: number) => exitCode(code));
        await page.exposeFunction('codeAutomationLog', (level: string, message: string) => log.push(`[${level}] ${message}`));
        page.on('console', (msg) => {
            const text = msg.text();
            log.push(text);
            // The suite's own lines (forwarded from the extension host's console).
            const i = text.indexOf('[convscope-e2e]');
            if (i >= 0) console.log(`  ${text.slice(i + '[convscope-e2e]'.length).trim()}`);
        });
        const payload = [
            ['extensionDevelopmentPath', remote(run.extensionPath)],
            ['extensionTestsPath', remote(run.suitePath)],
            ['skipWelcome', 'true'],
        ];
        const url = `${run.serverUrl}/?folder=${encodeURIComponent(run.workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
        await page.goto(url, { timeout: 60_000 });
        const code = await withTimeout(exited, run.timeoutMs, `the extension-host suite did not finish within ${run.timeoutMs / 1000} s`);
        const tests = readResults(run.resultsFile);
        const result: SuiteResult = { name, tests, durationMs: Date.now() - started };
        if (tests.length === 0) result.error = `the suite exited with code ${code} and reported no tests`;
        else if (code !== 0 && !tests.some((t) => t.status === 'failed')) result.error = `the suite exited with code ${code}`;
        if (result.error) console.log(`  ✗ ${result.error}\n${tail(log)}`);
        return result;
    } catch (e) {
        const screenshot = path.join(run.artifacts, 'exthost-failure.png');
        await page.screenshot({ path: screenshot, timeout: 10_000 }).catch(() => undefined);
        const error = `${e instanceof Error ? e.message : String(e)}\nscreenshot: ${screenshot}\n${tail(log)}`;
        console.log(`  ✗ ${error}`);
        return { name, tests: readResults(run.resultsFile), error, durationMs: Date.now() - started };
    } finally {
        fs.writeFileSync(path.join(run.artifacts, 'exthost-console.log'), log.join('\n'));
        await page.close().catch(() => undefined);
    }
}

function readResults(file: string): TestResult[] {
    try {
        return (JSON.parse(fs.readFileSync(file, 'utf8')) as { tests: TestResult[] }).tests;
    } catch {
        return []; // not written (the suite did not run to its end) or unreadable
    }
}

function tail(lines: string[], n = 25): string {
    return lines.slice(-n).map((l) => `      ${l.slice(0, 400)}`).join('\n');
}
