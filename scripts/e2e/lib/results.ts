// The end-to-end results file (out/e2e-results.json): per-suite test results plus the totals
// scripts/ci-summary.mjs reads, named as in vitest's JSON report.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SuiteResult } from '../../../test/e2e/harness.js';

export function writeResults(file: string, suites: SuiteResult[], durationMs: number) {
    const tests = suites.flatMap((s) => s.tests);
    const numPassedTests = tests.filter((t) => t.status === 'passed').length;
    const numFailedTests = tests.filter((t) => t.status === 'failed').length;
    const numPendingTests = tests.filter((t) => t.status === 'skipped').length;
    const numFailedTestSuites = suites.filter((s) => s.error || s.tests.some((t) => t.status === 'failed')).length;
    const results = {
        numTotalTests: tests.length,
        numPassedTests,
        numFailedTests,
        numPendingTests,
        numFailedTestSuites,
        success: numFailedTestSuites === 0,
        durationMs,
        suites,
    };
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(results, null, 2));
    return results;
}
