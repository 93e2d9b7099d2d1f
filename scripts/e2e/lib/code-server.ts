// code-server (VS Code 1.100's server and web workbench, installed by scripts/e2e/install.sh
// into .cache/code-server/): fresh user-data and extension folders, extension install, start on
// a free loopback port, stop.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { runTracked, spawnTracked, stopProcess } from './processes.js';

export const ROOT = path.resolve(fileURLToPath(import.meta.url), '../../../..');
export const CODE_SERVER = path.join(ROOT, '.cache/code-server/node_modules/.bin/code-server');

export interface Profile {
    /** Temporary folder holding everything below. */
    dir: string;
    userData: string;
    extensions: string;
    config: string;
}

/** Settings that keep the workbench quiet and deterministic for tests. */
const SETTINGS = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'workbench.editor.enablePreview': false,
    'editor.inlayHints.enabled': 'on',
    // Typing in tests must not accept completion items.
    'editor.quickSuggestions': { other: false, comments: false, strings: false },
    'editor.suggestOnTriggerCharacters': false,
    'editor.acceptSuggestionOnCommitCharacter': false,
    'editor.acceptSuggestionOnEnter': 'off',
    'editor.parameterHints.enabled': false,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'extensions.ignoreRecommendations': true,
    'update.mode': 'none',
    'git.enabled': false,
    'files.hotExit': 'off',
    // code-server saves after a delay by default: tests that type into a file must leave it unsaved.
    'files.autoSave': 'off',
};

export function createProfile(dir: string): Profile {
    const profile = {
        dir,
        userData: path.join(dir, 'data'),
        extensions: path.join(dir, 'ext'),
        config: path.join(dir, 'config.yaml'),
    };
    fs.mkdirSync(path.join(profile.userData, 'User'), { recursive: true });
    fs.mkdirSync(profile.extensions, { recursive: true });
    fs.writeFileSync(path.join(profile.userData, 'User/settings.json'), JSON.stringify(SETTINGS, null, 2));
    // Our own config file, so code-server neither reads nor writes ~/.config/code-server.
    fs.writeFileSync(profile.config, 'auth: none\ncert: false\n');
    return profile;
}

function profileArgs(profile: Profile): string[] {
    return ['--config', profile.config, '--extensions-dir', profile.extensions, '--user-data-dir', profile.userData];
}

export async function installExtension(profile: Profile, vsix: string): Promise<void> {
    if (!fs.existsSync(CODE_SERVER)) throw new Error(`code-server is not installed at ${CODE_SERVER}: run scripts/e2e/install.sh`);
    const { code, output } = await runTracked(CODE_SERVER, ['--install-extension', vsix, ...profileArgs(profile)], {
        timeoutMs: 120_000,
        what: `code-server --install-extension ${path.basename(vsix)}`,
    });
    if (code !== 0 || !/successfully installed/i.test(output)) {
        throw new Error(`installing ${vsix} into code-server failed (exit ${code}):\n${output}`);
    }
}

export interface CodeServer {
    url: string;
    port: number;
    child: ChildProcess;
    /** Everything code-server printed so far. */
    log(): string;
    stop(): Promise<void>;
}

/** Starts code-server on a free port (it binds port 0 and reports the port it got). */
export async function startCodeServer(
    profile: Profile,
    workspace: string,
    options: { env?: NodeJS.ProcessEnv; logFile: string; timeoutMs?: number },
): Promise<CodeServer> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const args = [
        '--bind-addr', '127.0.0.1:0',
        '--auth', 'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--disable-getting-started-override',
        '--ignore-last-opened',
        ...profileArgs(profile),
        workspace,
    ];
    const child = spawnTracked(CODE_SERVER, args, { env: { ...process.env, ...options.env } });
    const logStream = fs.createWriteStream(options.logFile);
    let log = '';
    const onData = (d: Buffer) => {
        log += d.toString();
        logStream.write(d);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', () => logStream.end());
    const stop = () => stopProcess(child);

    const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => {
            cleanup();
            reject(new Error(`code-server did not report "HTTP server listening on" within ${timeoutMs / 1000} s; log:\n${log}`));
        }, timeoutMs);
        const check = () => {
            const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
            if (m?.[1]) {
                cleanup();
                resolve(m[1]);
            }
        };
        const onExit = (code: number | null) => {
            cleanup();
            reject(new Error(`code-server exited (code ${code}) before listening; log:\n${log}`));
        };
        const cleanup = () => {
            clearTimeout(timer);
            child.stdout?.off('data', check);
            child.stderr?.off('data', check);
            child.off('exit', onExit);
        };
        child.stdout?.on('data', check);
        child.stderr?.on('data', check);
        child.once('exit', onExit);
    }).catch(async (e: unknown) => {
        await stop();
        throw e;
    });
    return { url, port: Number(new URL(url).port), child, log: () => log, stop };
}
