// Prints the closing line CI reads, "N passed, N failed[, N skipped]", summed over JSON results
// files: vitest's (out/test-results.json) and the end-to-end runner's (out/e2e-results.json),
// which uses the same field names.
import * as fs from 'node:fs';

const files = process.argv.length > 2 ? process.argv.slice(2) : ['out/test-results.json'];
let passed = 0;
let total = 0;
let skipped = 0;
let success = true;
for (const file of files) {
    if (!fs.existsSync(file)) {
        total += 1;
        success = false;
        console.error(`no test results at ${file}: the test run did not start`);
        continue;
    }
    const results = JSON.parse(fs.readFileSync(file, 'utf8'));
    passed += results.numPassedTests ?? 0;
    skipped += (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
    // A suite that fails to load has no failed tests of its own: count it as one failure.
    const failed = results.numFailedTests ?? 0;
    const suitesFailed = results.numFailedTestSuites ?? 0;
    total += failed > 0 ? failed : suitesFailed;
    if (results.success === false) success = false;
}
console.log(`${passed} passed, ${total} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(total > 0 || !success ? 1 : 0);
