// Prints the slowest test files (where CI's time goes: vitest's JSON report times a file from its first test's
// start to its last test's end, so its setup before the first test is not in it), then vitest's totals as the
// plain closing line CI reads ("vitest: N passed, N failed, N skipped"); fails when the run executed no test.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (error) {
  console.error(`no vitest report at ${file}: ${error.message}`);
  process.exit(1);
}
const files = (report.testResults ?? [])
  .map((r) => ({
    name: String(r.name).replace(`${process.cwd()}/`, ''),
    ms: (r.endTime ?? 0) - (r.startTime ?? 0),
  }))
  .filter((r) => Number.isFinite(r.ms) && r.ms > 0)
  .sort((a, b) => b.ms - a.ms);
if (files.length > 0) {
  const total = files.reduce((sum, r) => sum + r.ms, 0);
  console.log(`vitest: the slowest test files (of ${files.length}, ${(total / 1000).toFixed(0)} s in all):`);
  for (const r of files.slice(0, 15)) console.log(`  ${(r.ms / 1000).toFixed(1).padStart(6)} s  ${r.name}`);
}
const skipped = report.numPendingTests + report.numTodoTests;
console.log(`vitest: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped`);
if (report.numTotalTests === 0) {
  console.error('vitest ran no test');
  process.exit(1);
}
process.exit(report.numFailedTests > 0 || !report.success ? 1 : 0);
