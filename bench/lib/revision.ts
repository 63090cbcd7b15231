import { execFileSync } from "node:child_process";
import { REPO_ROOT } from "./child";

/** Which code was measured: the commit, and whether the server's code differed from it. */
export interface Revision {
  commit: string;
  /** Uncommitted changes under lib/ or server.ts: the figures are for the working tree. */
  dirty: boolean;
}

export function describeRevision(): Revision {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: REPO_ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  try {
    return { commit: git("rev-parse", "--short", "HEAD"), dirty: git("status", "--porcelain", "--", "lib", "server.ts") !== "" };
  } catch {
    return { commit: "unknown", dirty: false };
  }
}
