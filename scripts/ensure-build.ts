/**
 * Builds the production bundle when there is none or when a source is newer than it, so that
 * `npm start` and the end-to-end tests never serve a stale build.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = process.cwd();
const buildId = join(root, ".next", "BUILD_ID");
const sources = ["app", "lib", "public", "next.config.js", "package.json", "package-lock.json", "tsconfig.json"];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((entry) => newestMtime(join(path, entry))));
}

const builtAt = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
const changedAt = Math.max(...sources.map((s) => newestMtime(join(root, s))));

if (builtAt > changedAt) {
  console.log("Production build is up to date.");
} else {
  console.log(builtAt ? "Sources changed since the last build: building..." : "No production build yet: building...");
  const result = spawnSync("npx", ["next", "build"], { stdio: "inherit", shell: process.platform === "win32" });
  process.exit(result.status ?? 1);
}
