// A minimal test runner for the extension host (the @vscode/test-electron contract: the suite
// module exports `run(): Promise<void>` and rejects when a test fails). Runs tests in order, each
// with a time limit, logs one line per test, and writes the results as JSON to
// $CONVSCOPE_E2E_RESULTS when set (the end-to-end runner counts them).
import * as fs from 'node:fs';

interface Case {
    name: string;
    fn: () => Promise<void>;
    timeoutMs: number;
}

interface Result {
    name: string;
    status: 'passed' | 'failed';
    durationMs: number;
    error?: string;
}

const cases: Case[] = [];

export function test(name: string, fn: () => Promise<void>, timeoutMs = 30_000): void {
    cases.push({ name, fn, timeoutMs });
}

export function assert(condition: unknown, message: string): asserts condition {
    if (!condition) throw new Error(message);
}

export function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns something other than undefined/false; fails naming `what`. */
export async function poll<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
        try {
            const value = await probe();
            if (value !== undefined && value !== false) return value;
        } catch (e) {
            lastError = e;
        }
        if (Date.now() > deadline) {
            const why = lastError ? ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})` : '';
            throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${why}`);
        }
        await sleep(200);
    }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
        promise,
        new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error(`test timed out after ${ms / 1000} s`)), ms);
        }),
    ]).finally(() => clearTimeout(timer));
}

export async function runAll(suiteName: string): Promise<void> {
    const started = Date.now();
    const results: Result[] = [];
    console.log(`[convscope-e2e] ${suiteName}: ${cases.length} tests`);
    for (const c of cases) {
        const t0 = Date.now();
        try {
            await withTimeout(c.fn(), c.timeoutMs);
            results.push({ name: c.name, status: 'passed', durationMs: Date.now() - t0 });
            console.log(`[convscope-e2e]   ✓ ${c.name} (${Date.now() - t0} ms)`);
        } catch (e) {
            const error = e instanceof Error ? (e.stack ?? e.message) : String(e);
            results.push({ name: c.name, status: 'failed', durationMs: Date.now() - t0, error });
            console.log(`[convscope-e2e]   ✗ ${c.name} (${Date.now() - t0} ms)\n${error}`);
        }
    }
    const out = process.env.CONVSCOPE_E2E_RESULTS;
    if (out) {
        fs.writeFileSync(out, JSON.stringify({ name: suiteName, tests: results, durationMs: Date.now() - started }, null, 2));
    }
    const failed = results.filter((r) => r.status === 'failed').length;
    console.log(`[convscope-e2e] ${suiteName}: ${results.length - failed} passed, ${failed} failed`);
    if (failed > 0) throw new Error(`${failed} of ${results.length} extension-host tests failed`);
}
