// Child processes of the end-to-end run, each started in its own process group so that it and
// everything it spawned (code-server's extension host, the language server, ...) can be ended
// together; whatever is still alive is killed when this process exits or receives a signal.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';

const groups = new Set<number>();

function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
    try {
        process.kill(-pgid, signal);
        return true;
    } catch {
        return false; // ESRCH: the group is empty
    }
}

/** Spawns `command` as the leader of a new process group that `stop` (or exit) ends. */
export function spawnTracked(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options, detached: true });
    if (child.pid !== undefined) groups.add(child.pid);
    return child;
}

function exited(child: ChildProcess): boolean {
    return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
    if (exited(child)) return Promise.resolve(true);
    return new Promise((resolve) => {
        const timer = setTimeout(() => resolve(false), timeoutMs);
        child.once('exit', () => {
            clearTimeout(timer);
            resolve(true);
        });
    });
}

/** SIGTERM to the child's whole group, SIGKILL after `graceMs`, then a sweep of stragglers. */
export async function stopProcess(child: ChildProcess, graceMs = 5_000): Promise<void> {
    const pgid = child.pid;
    if (pgid === undefined) return;
    if (!exited(child)) {
        killGroup(pgid, 'SIGTERM');
        if (!(await waitForExit(child, graceMs))) {
            killGroup(pgid, 'SIGKILL');
            await waitForExit(child, 2_000);
        }
    }
    killGroup(pgid, 'SIGKILL'); // children that outlived their leader
    groups.delete(pgid);
}

/** Runs a command to completion (tracked, with a time limit); resolves with its output. */
export async function runTracked(
    command: string,
    args: string[],
    options: SpawnOptions & { timeoutMs: number; what: string },
): Promise<{ code: number | null; output: string }> {
    const { timeoutMs, what, ...spawnOptions } = options;
    const child = spawnTracked(command, args, spawnOptions);
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const done = await waitForExit(child, timeoutMs);
    if (!done) {
        await stopProcess(child, 1_000);
        throw new Error(`${what} did not finish within ${timeoutMs / 1000} s; output:\n${output}`);
    }
    await stopProcess(child, 0);
    return { code: child.exitCode, output };
}

const exitCallbacks: (() => void)[] = [];
/** Runs `callback` (synchronous) when the process exits, however it exits. */
export function onExit(callback: () => void): void {
    exitCallbacks.push(callback);
}

let installed = false;
/** Kill every tracked group on exit, and turn SIGINT/SIGTERM/SIGHUP into an exit. */
export function installCleanupHandlers(): void {
    if (installed) return;
    installed = true;
    process.on('exit', () => {
        for (const pgid of groups) killGroup(pgid, 'SIGKILL');
        for (const callback of exitCallbacks) {
            try {
                callback();
            } catch {
                // best effort
            }
        }
    });
    const codes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
        process.on(signal, () => {
            console.error(`\n[e2e] ${signal}: stopping code-server and the browser`);
            process.exit(codes[signal]);
        });
    }
}

/**
 * Removes `dir` when the process exits. Exit listeners run in the order they were added: call
 * this again after launching the browser, so that the removal comes after Playwright's own exit
 * handler has killed Chromium (which otherwise writes into its profile while it is removed).
 */
export function removeOnExit(dir: string): void {
    process.on('exit', () => {
        const pause = new Int32Array(new SharedArrayBuffer(4));
        for (let attempt = 0; attempt < 10 && fs.existsSync(dir); attempt++) {
            try {
                fs.rmSync(dir, { recursive: true, force: true });
            } catch {
                Atomics.wait(pause, 0, 0, 100); // processes killed a moment ago may still be writing
            }
        }
    });
}
