// A minimal sequential test runner for the end-to-end suites: one shared workbench per suite,
// a time limit per test, a screenshot when a test fails, and results as data (results.ts).

export type TestStatus = 'passed' | 'failed' | 'skipped';

export interface TestResult {
    name: string;
    status: TestStatus;
    durationMs: number;
    /** What a passing test measured, if it says. */
    note?: string;
    error?: string;
    screenshot?: string;
}

export interface SuiteResult {
    name: string;
    tests: TestResult[];
    /** Set when the suite could not run (setup failed): counted as one failure. */
    error?: string;
    durationMs: number;
}

/** A test; it may resolve to a note (what it measured) that is printed and recorded. */
type TestFn = () => Promise<void | string>;

interface TestCase {
    name: string;
    timeoutMs: number;
    fn: TestFn;
}

export class TimeoutError extends Error {}

/** Rejects with `message` after `ms` unless `promise` settles first. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new TimeoutError(message)), ms);
    });
    try {
        return await Promise.race([promise, timeout]);
    } finally {
        clearTimeout(timer);
    }
}

export class Suite {
    private readonly cases: TestCase[] = [];

    constructor(
        readonly name: string,
        /** Called after a failure; returns the path of a screenshot, if one was taken. */
        private readonly onFailure?: (testName: string) => Promise<string | undefined>,
    ) {}

    test(name: string, fn: TestFn, timeoutMs = 60_000): void {
        this.cases.push({ name, fn, timeoutMs });
    }

    async run(): Promise<SuiteResult> {
        const started = Date.now();
        const tests: TestResult[] = [];
        console.log(`\n${this.name}`);
        for (const c of this.cases) {
            const t0 = Date.now();
            const result: TestResult = { name: c.name, status: 'passed', durationMs: 0 };
            try {
                const note = await withTimeout(c.fn(), c.timeoutMs, `test timed out after ${c.timeoutMs / 1000} s`);
                if (note) result.note = note;
            } catch (e) {
                result.status = 'failed';
                result.error = e instanceof Error ? (e.message || String(e)) : String(e);
                result.screenshot = await this.onFailure?.(c.name).catch(() => undefined);
            }
            result.durationMs = Date.now() - t0;
            tests.push(result);
            const secs = (result.durationMs / 1000).toFixed(1);
            if (result.status === 'passed') {
                console.log(`  ✓ ${c.name} (${secs} s)${result.note ? `\n      ${result.note}` : ''}`);
            } else {
                console.log(`  ✗ ${c.name} (${secs} s)\n${indent(result.error ?? '')}`);
                if (result.screenshot) console.log(`      screenshot: ${result.screenshot}`);
            }
        }
        return { name: this.name, tests, durationMs: Date.now() - started };
    }
}

function indent(text: string): string {
    return text
        .split('\n')
        .slice(0, 30)
        .map((l) => `      ${l}`)
        .join('\n');
}

export function slug(name: string): string {
    return name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '')
        .slice(0, 60);
}
