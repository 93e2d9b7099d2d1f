// `npm run test:vscode`: the extension-host suite (out/test/suite/index.cjs) in a desktop VS Code
// through @vscode/test-electron, for machines that have one. The VS Code used is, in order:
// $VSCODE_EXECUTABLE, a desktop VS Code installed in a usual place, or one that test-electron
// downloads (which fails on machines that reach only package registries: use npm run test:e2e).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { ROOT } from './lib/code-server.js';
import { prepareWorkspace } from './lib/workspace.js';

const SUITE = path.join(ROOT, 'out/test/suite/index.cjs');

function installedVSCode(): string | undefined {
    const home = os.homedir();
    const candidates = [
        process.env.VSCODE_EXECUTABLE,
        '/usr/share/code/code',
        '/usr/share/code-insiders/code-insiders',
        '/snap/code/current/usr/share/code/code',
        '/opt/visual-studio-code/code',
        '/Applications/Visual Studio Code.app/Contents/MacOS/Electron',
        '/Applications/Visual Studio Code.app/Contents/MacOS/Code',
        path.join(home, 'Applications/Visual Studio Code.app/Contents/MacOS/Electron'),
        process.env.LOCALAPPDATA && path.join(process.env.LOCALAPPDATA, 'Programs/Microsoft VS Code/Code.exe'),
    ];
    if (process.env.VSCODE_EXECUTABLE && !fs.existsSync(process.env.VSCODE_EXECUTABLE)) {
        throw new Error(`VSCODE_EXECUTABLE=${process.env.VSCODE_EXECUTABLE} does not exist`);
    }
    return candidates.find((c): c is string => !!c && fs.existsSync(c));
}

async function vscodeExecutable(): Promise<string> {
    const local = installedVSCode();
    if (local) return local;
    console.log('[test:vscode] no desktop VS Code found; asking @vscode/test-electron to download one');
    try {
        return await downloadAndUnzipVSCode({ version: 'stable', timeout: 20_000, cachePath: path.join(ROOT, '.cache/vscode-test') });
    } catch (e) {
        throw new Error(
            [
                `no desktop VS Code is available, and downloading one failed (${e instanceof Error ? e.message : String(e)}).`,
                'Set VSCODE_EXECUTABLE to a VS Code executable (e.g. /usr/share/code/code, or on macOS',
                '".../Visual Studio Code.app/Contents/MacOS/Electron"), or run the same suite inside code-server',
                'with `npm run test:e2e` (no desktop VS Code needed).',
            ].join('\n'),
        );
    }
}

async function main(): Promise<number> {
    if (!fs.existsSync(SUITE)) throw new Error(`${SUITE} is missing: run node scripts/e2e/build-suite.mjs`);
    const vscodeExecutablePath = await vscodeExecutable();
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'convscope-vscode-'));
    const resultsFile = path.join(tmp, 'results.json');
    try {
        const workspace = prepareWorkspace(path.join(tmp, 'workspace'));
        console.log(`[test:vscode] ${vscodeExecutablePath}`);
        const code = await runTests({
            vscodeExecutablePath,
            extensionDevelopmentPath: ROOT,
            extensionTestsPath: SUITE,
            extensionTestsEnv: { CONVSCOPE_E2E_RESULTS: resultsFile },
            launchArgs: [
                workspace,
                '--disable-extensions',
                '--disable-workspace-trust',
                '--skip-welcome',
                '--skip-release-notes',
                '--user-data-dir', path.join(tmp, 'data'),
                '--extensions-dir', path.join(tmp, 'ext'),
            ],
        }).catch((e: unknown) => {
            console.error(`[test:vscode] ${e instanceof Error ? e.message : String(e)}`);
            return 1;
        });
        if (fs.existsSync(resultsFile)) {
            const { tests } = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as { tests: { status: string }[] };
            const failed = tests.filter((t) => t.status !== 'passed').length;
            console.log(`[test:vscode] extension host: ${tests.length - failed} passed, ${failed} failed`);
        }
        return code === 0 ? 0 : 1;
    } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
    }
}

main().then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
        console.error(`[test:vscode] ${e instanceof Error ? e.message : String(e)}`);
        process.exitCode = 1;
    },
);
