import { existsSync } from "node:fs";
import { defineConfig, devices } from "@playwright/test";

/**
 * End-to-end tests drive Debian's Chromium (Playwright's own browser download cannot work on
 * these machines): its headless shell where it is installed (Debian's chromium-headless-shell,
 * as Playwright itself runs headless tests: it opens pages in half the time of the full browser
 * and runs no browser UI), else the full browser. CHROMIUM_PATH points elsewhere, for example at
 * a Chrome on a laptop, or at /usr/bin/chromium to watch with --headed.
 * Each worker talks to its own production server, started by the fixtures in tests/e2e/support.
 */
const HEADLESS_SHELL = "/usr/bin/chromium-headless-shell";
const chromium = process.env.CHROMIUM_PATH || (existsSync(HEADLESS_SHELL) ? HEADLESS_SHELL : "/usr/bin/chromium");
export default defineConfig({
  testDir: "tests/e2e",
  fullyParallel: false,
  // One worker: each test already runs two to four browser contexts against its own server, and
  // on a 2-core machine two workers took longer in all (7.2 min, 11 tests past their timeout)
  // than one (3.5 min, none).
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  reporter: process.env.CI ? [["list"], ["json", { outputFile: "reports/playwright.json" }]] : [["list"]],
  use: {
    trace: "retain-on-failure",
    ...devices["Desktop Chrome"],
    launchOptions: {
      executablePath: chromium,
      // Without these, Chromium keeps calling home, which a closed network refuses at every start.
      args: ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-gpu"],
    },
  },
});
