import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT, track } from "./child";
import { UNLIMITED_ENV } from "./server-process";

export interface AppServer {
  url: string;
  /** The process whose tree is the server (for its CPU). */
  pid: number;
  output(): string;
  /** SIGTERM (the graceful path), SIGKILL if it lingers; removes its data directory. */
  stop(): Promise<void>;
}

const READY = /Scribble ready on http:\/\/[^:]+:(\d+)/;
const OUTPUT_KEEP = 8_000;

const BUILD_ID = join(REPO_ROOT, ".next", "BUILD_ID");

/** Whether there is a production build to serve (`npm run build` makes it). */
export const hasBuild = () => existsSync(BUILD_ID);

/**
 * Sources newer than the production build (the check scripts/ensure-build.ts makes before
 * `npm start`): the page measured is then not the page in the working tree. Said, not rebuilt:
 * others may be serving or testing that build.
 */
export function staleBuildSources(): string[] {
  if (!hasBuild()) return [];
  const builtAt = statSync(BUILD_ID).mtimeMs;
  const newest = (path: string): number => {
    if (!existsSync(path)) return 0;
    const stat = statSync(path);
    return stat.isDirectory() ? Math.max(0, ...readdirSync(path).map((e) => newest(join(path, e)))) : stat.mtimeMs;
  };
  return ["app", "lib", "public", "next.config.js", "package.json"].filter((p) => newest(join(REPO_ROOT, p)) > builtAt);
}

/**
 * The real production server, as `npm start` runs it (server.ts: Next and Socket.IO on one port,
 * NODE_ENV=production, SQLite under a temporary DATA_DIR), on 127.0.0.1 and a free port. It runs
 * under coreutils' `timeout`, so that it ends after `maxLifetimeMs` even if the bench is killed
 * outright; a stop is passed on to it as SIGTERM.
 */
export async function startAppServer(opts: { env?: Record<string, string>; maxLifetimeMs: number; readyTimeoutMs?: number }): Promise<AppServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "scribble-bench-app-"));
  const seconds = String(Math.ceil(opts.maxLifetimeMs / 1000));
  const child: ChildProcess = spawn("timeout", ["-k", "5", seconds, process.execPath, "--import", "tsx", "server.ts"], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: "info",
      ...UNLIMITED_ENV,
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  track(child);
  let output = "";
  const exited = once(child, "exit");
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 8_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the app server was not ready after ${opts.readyTimeoutMs ?? 30_000} ms`)), opts.readyTimeoutMs ?? 30_000);
      const onData = (chunk: Buffer) => {
        output = (output + chunk.toString()).slice(-OUTPUT_KEEP);
        const m = READY.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(Number(m[1]));
        }
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", onData);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the app server exited with ${code} before it was ready`));
      });
    });
    return { url: `http://127.0.0.1:${port}`, pid: child.pid ?? -1, output: () => output, stop };
  } catch (err) {
    await stop();
    throw new Error(`${(err as Error).message}\n${output}`);
  }
}
