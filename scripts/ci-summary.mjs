// Prints vitest's JSON results as the closing line CI reads: "N passed, N failed[, N skipped]".
import * as fs from 'node:fs';

const file = process.argv[2] ?? 'out/test-results.json';
if (!fs.existsSync(file)) {
    console.log('0 passed, 1 failed');
    console.error(`no test results at ${file}: the test run did not start`);
    process.exit(1);
}
const results = JSON.parse(fs.readFileSync(file, 'utf8'));
const passed = results.numPassedTests ?? 0;
const skipped = (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
// A suite that fails to load has no failed tests of its own: count it as one failure.
const failed = results.numFailedTests ?? 0;
const suitesFailed = results.numFailedTestSuites ?? 0;
const total = failed > 0 ? failed : suitesFailed;
console.log(`${passed} passed, ${total} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(total > 0 || results.success === false ? 1 : 0);
