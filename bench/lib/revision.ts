import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../tools/lib/spawn-server";

/** The code a server under test runs: its sources, and the page build the browser case serves. */
const CODE_PATHS = ["lib", "server.ts", "app"];

/** Which code was measured: the commit, and whether the server's code differed from it. */
export interface Revision {
  commit: string;
  /** Uncommitted changes under lib/, app/ or server.ts: the figures are for the working tree. */
  dirty: boolean;
  /**
   * A digest of the code under test (committed trees, uncommitted changes, the production
   * build's id): the same at the start and the end of a run, or the run measured a mix.
   */
  fingerprint: string;
}

export function describeRevision(): Revision {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  try {
    const status = git("status", "--porcelain", "--", ...CODE_PATHS);
    const hash = createHash("sha1");
    hash.update(git("rev-parse", ...CODE_PATHS.map((p) => `HEAD:${p}`)));
    hash.update(git("diff", "HEAD", "--", ...CODE_PATHS));
    hash.update(status);
    const buildId = join(REPO_ROOT, ".next", "BUILD_ID");
    if (existsSync(buildId)) hash.update(readFileSync(buildId));
    return { commit: git("rev-parse", "--short", "HEAD"), dirty: status !== "", fingerprint: hash.digest("hex").slice(0, 12) };
  } catch {
    return { commit: "unknown", dirty: false, fingerprint: "unknown" };
  }
}
