/**
 * Adds up the vitest and Playwright JSON reports into CI's one closing line, "N passed, N failed".
 * A test command that failed without a failed test in any report (the typecheck, a crash, a
 * suite that never ran) counts as one failure, so the line never hides a red run.
 */
import { existsSync, readFileSync } from "node:fs";

const exitStatus = Number(process.argv[2] ?? "1");

interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

function read<T>(path: string): T | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as T) : undefined;
}

const vitest = read<{ numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number }>(
  "reports/vitest.json",
);
const playwright = read<{ stats: { expected: number; unexpected: number; flaky: number; skipped: number } }>(
  "reports/playwright.json",
);

const total: Counts = { passed: 0, failed: 0, skipped: 0 };
const notes: string[] = [];
if (vitest) {
  total.passed += vitest.numPassedTests;
  total.failed += vitest.numFailedTests;
  total.skipped += vitest.numPendingTests + vitest.numTodoTests;
  notes.push(`vitest: ${vitest.numPassedTests} passed, ${vitest.numFailedTests} failed`);
} else notes.push("vitest: no report (did not run)");
if (playwright) {
  const { expected, unexpected, flaky, skipped } = playwright.stats;
  total.passed += expected;
  // A test that passed only on retry is a race to find, not a pass.
  total.failed += unexpected + flaky;
  total.skipped += skipped;
  notes.push(`playwright: ${expected} passed, ${unexpected} failed, ${flaky} flaky`);
} else notes.push("playwright: no report (did not run)");

if (exitStatus !== 0 && total.failed === 0) {
  total.failed = 1;
  notes.push(`npm test exited ${exitStatus} before any test failed (typecheck or setup)`);
}

console.log(notes.join("\n"));
console.log(`${total.passed} passed, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped` : ""}`);
process.exit(total.failed > 0 || total.passed === 0 ? 1 : 0);
