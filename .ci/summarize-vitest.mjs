// Prints vitest's totals as the plain closing line CI reads ("vitest: N passed, N failed, N skipped"),
// and fails when the run executed no test at all.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  console.error(`no vitest report at ${file}: ${error.message}`);
  process.exit(1);
}
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`vitest: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
if (report.numTotalTests === 0) {
  console.error('vitest ran no test');
  process.exit(1);
}
process.exit(report.numFailedTests > 0 || !report.success ? 1 : 0);
