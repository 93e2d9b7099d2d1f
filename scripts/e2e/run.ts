// `npm run test:e2e`: the extension in a real VS Code workbench (code-server 4.100.3 = VS Code
// 1.100.3) driven by Debian's Chromium through playwright-core.
//  1. packages convscope.vsix when it is missing or older than its sources (`npm run package`),
//  2. installs Chromium, ripgrep and code-server when missing (scripts/e2e/install.sh),
//  3. fresh user-data/extension folders and a copy of the workspace; installs the .vsix,
//  4. starts code-server on a free port and Chromium, runs the UI tests (test/e2e/ui.ts),
//  5. runs the extension-host suite (extension/test/suite) in the same server,
//  6. writes out/e2e-results.json (read by scripts/ci-summary.mjs); artifacts go to test-results/e2e/.
// Options: --only ui|exthost, --skip-install. CONVSCOPE_E2E_VSIX=path tests that .vsix instead.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ROOT, createProfile, installExtension, startCodeServer, type CodeServer } from './lib/code-server.js';
import { launchBrowser } from './lib/browser.js';
import { installCleanupHandlers, onExit, removeOnExit, spawnTracked, stopProcess } from './lib/processes.js';
import { writeResults } from './lib/results.js';
import { prepareWorkspace } from './lib/workspace.js';
import type { SuiteResult } from '../../test/e2e/harness.js';
import { Workbench } from '../../test/e2e/workbench.js';
import { uiSuite } from '../../test/e2e/ui.js';
import { runExtensionHostSuite } from '../../test/e2e/exthost.js';

const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const skipInstall = args.includes('--skip-install');
const RESULTS = path.join(ROOT, 'out/e2e-results.json');
const ARTIFACTS = path.join(ROOT, 'test-results/e2e');
const VSIX = process.env.CONVSCOPE_E2E_VSIX ? path.resolve(process.env.CONVSCOPE_E2E_VSIX) : path.join(ROOT, 'convscope.vsix');
const SUITE = path.join(ROOT, 'out/test/suite/index.cjs');

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const step = (what: string) => console.log(`[e2e] ${elapsed().padStart(7)}  ${what}`);

/** Runs a command with inherited output (killed with this process); throws naming `what` when it fails or overruns. */
async function run(what: string, command: string, commandArgs: string[], timeoutMs: number): Promise<void> {
    // No stdin: a prompt gets end-of-file instead of stopping a background process group.
    const child = spawnTracked(command, commandArgs, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    const code = await new Promise<number | string | null>((resolve) => {
        const timer = setTimeout(() => resolve('timeout'), timeoutMs);
        child.once('error', (e) => resolve(e.message));
        child.once('exit', (c, signal) => {
            clearTimeout(timer);
            resolve(c ?? signal);
        });
    });
    await stopProcess(child, 1_000);
    if (code === 'timeout') throw new Error(`${what} did not finish within ${timeoutMs / 60_000} min`);
    if (code !== 0) throw new Error(`${what} failed (${code})`);
}

/** The newest modification time of the files the .vsix is built from. */
function newestSource(): number {
    let newest = 0;
    const visit = (p: string) => {
        if (!fs.existsSync(p)) return;
        const stat = fs.statSync(p);
        if (stat.isDirectory()) {
            for (const name of fs.readdirSync(p)) {
                if (name === 'node_modules' || name === 'generated' || name === 'test') continue;
                visit(path.join(p, name));
            }
        } else newest = Math.max(newest, stat.mtimeMs);
    };
    for (const p of ['extension', 'server', 'src', 'cli', 'language', 'syntaxes', 'package.json', 'language-configuration.json', '.vscodeignore', 'scripts/build.mjs']) {
        visit(path.join(ROOT, p));
    }
    return newest;
}

async function ensureVsix(): Promise<void> {
    if (process.env.CONVSCOPE_E2E_VSIX) {
        if (!fs.existsSync(VSIX)) throw new Error(`CONVSCOPE_E2E_VSIX=${VSIX} does not exist`);
        return;
    }
    if (fs.existsSync(VSIX) && fs.statSync(VSIX).mtimeMs >= newestSource()) {
        step(`${path.basename(VSIX)} is up to date`);
        return;
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    if (!pkg.scripts?.package) throw new Error('package.json has no "package" script: cannot build convscope.vsix');
    step('npm run package');
    await run('npm run package', 'npm', ['run', '--silent', 'package'], 10 * 60_000);
    if (!fs.existsSync(VSIX)) throw new Error(`npm run package did not produce ${VSIX}`);
}

function languageName(): string {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
        contributes?: { languages?: { id: string; aliases?: string[] }[] };
    };
    const conv = pkg.contributes?.languages?.find((l) => l.id === 'conv');
    return conv?.aliases?.[0] ?? 'conv';
}

async function main(): Promise<number> {
    installCleanupHandlers();
    fs.rmSync(RESULTS, { force: true });
    fs.rmSync(ARTIFACTS, { recursive: true, force: true });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convscope-e2e-'));
    removeOnExit(tmp);
    const suites: SuiteResult[] = [];
    let server: CodeServer | undefined;
    let context: Awaited<ReturnType<typeof launchBrowser>> | undefined;
    let phase = 'setup';
    // Interrupted (a signal, the watchdog): record what ran, and the interruption as a failure.
    let finished = false;
    onExit(() => {
        if (!finished) writeResults(RESULTS, [...suites, { name: phase, tests: [], error: 'the run was interrupted', durationMs: 0 }], Date.now() - started);
    });
    // A last resort against a hang nothing else catches: record it, and exit (which kills code-server and Chromium).
    let watchdog: NodeJS.Timeout | undefined;
    const armWatchdog = (ms: number) => {
        watchdog = setTimeout(() => {
            console.error(`\n[e2e] the end-to-end run (${phase}) did not finish within ${ms / 60_000} min after setup`);
            process.exit(1);
        }, ms);
    };
    try {
        await ensureVsix();
        if (!skipInstall) {
            step('scripts/e2e/install.sh');
            await run('scripts/e2e/install.sh', 'bash', [path.join(ROOT, 'scripts/e2e/install.sh')], 20 * 60_000);
        }
        if (only !== 'ui') {
            step('bundling the extension-host suite');
            await run('scripts/e2e/build-suite.mjs', process.execPath, [path.join(ROOT, 'scripts/e2e/build-suite.mjs')], 60_000);
        }
        armWatchdog(10 * 60_000);
        const profile = createProfile(path.join(tmp, 'profile'));
        const workspace = prepareWorkspace(path.join(tmp, 'workspace'));
        const exthostResults = path.join(tmp, 'exthost-results.json');
        step(`installing ${path.relative(ROOT, VSIX)} into code-server`);
        await installExtension(profile, VSIX);
        step('starting code-server');
        server = await startCodeServer(profile, workspace, {
            logFile: path.join(ARTIFACTS, 'code-server.log'),
            env: { CONVSCOPE_E2E_RESULTS: exthostResults },
        });
        step(`code-server listening on ${server.url}; starting Chromium`);
        context = await launchBrowser(path.join(tmp, 'chromium'));
        removeOnExit(tmp); // again, now after Playwright's exit handler that kills Chromium

        if (only !== 'exthost') {
            phase = 'UI tests';
            const page = context.pages()[0] ?? (await context.newPage());
            const workbench = new Workbench(page);
            step('opening the workbench');
            await workbench.open(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
            step('UI tests');
            suites.push(await uiSuite({ workbench, workspace, artifacts: ARTIFACTS, languageName: languageName(), serverPgid: server.child.pid! }).run());
            await page.close();
        }
        if (only !== 'ui') {
            phase = 'extension-host tests';
            step('extension-host tests');
            suites.push(
                await runExtensionHostSuite({
                    context,
                    serverUrl: server.url,
                    workspace,
                    extensionPath: ROOT,
                    suitePath: SUITE,
                    resultsFile: exthostResults,
                    artifacts: ARTIFACTS,
                    timeoutMs: 180_000,
                }),
            );
        }
    } catch (e) {
        let error = e instanceof Error ? e.message : String(e);
        const page = context?.pages()[0];
        if (page) {
            const screenshot = path.join(ARTIFACTS, 'setup-failure.png');
            if (await page.screenshot({ path: screenshot, timeout: 10_000 }).then(() => true, () => false)) error += `\nscreenshot: ${screenshot}`;
        }
        console.error(`\n[e2e] ${phase} failed: ${error}`);
        suites.push({ name: phase, tests: [], error, durationMs: 0 });
    } finally {
        clearTimeout(watchdog);
        await context?.close().catch(() => undefined);
        await server?.stop();
    }
    const results = writeResults(RESULTS, suites, Date.now() - started);
    finished = true;
    const failed = results.numFailedTests > 0 ? results.numFailedTests : results.numFailedTestSuites;
    step(`done: e2e ${results.numPassedTests} passed, ${failed} failed; results in ${path.relative(ROOT, RESULTS)}, artifacts in ${path.relative(ROOT, ARTIFACTS)}/`);
    return results.success ? 0 : 1;
}

process.exitCode = await main();
