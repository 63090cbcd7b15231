/**
 * Whether the production build (`next build`, in .next/) is there and up to date: `npm start` and
 * the end-to-end tests build first when it is not (scripts/ensure-build.ts), the bench says so.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./spawn-server";

const BUILD_ID = join(REPO_ROOT, ".next", "BUILD_ID");

/** What the build is made from: a change to any of these makes it stale. */
const BUILD_SOURCES = ["app", "lib", "public", "next.config.js", "package.json", "package-lock.json", "tsconfig.json", "tsconfig.next.json"];

export const hasBuild = () => existsSync(BUILD_ID);

/** The sources changed since the last build (all of them when there is none). */
export function staleBuildSources(): string[] {
  const builtAt = hasBuild() ? statSync(BUILD_ID).mtimeMs : 0;
  return BUILD_SOURCES.filter((source) => newestChange(join(REPO_ROOT, source)) >= builtAt);
}

function newestChange(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  return stat.isDirectory() ? Math.max(0, ...readdirSync(path).map((entry) => newestChange(join(path, entry)))) : stat.mtimeMs;
}
