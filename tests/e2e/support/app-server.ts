import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface AppServer {
  url: string;
  port: number;
  /** Where its SQLite file lives: start another server on it to see what survived. */
  dataDir: string;
  /** What the server printed, for failure messages. */
  output(): string;
  /** SIGTERM and wait: the graceful path. Resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait: a crash. */
  kill(): Promise<void>;
}

const READY = /Scribble ready on http:\/\/[^:]+:(\d+)/;

/**
 * Starts the real server (server.ts, production build) as its own process, the way `npm start`
 * does, on the given port (0: any free one), and resolves once it says it is ready.
 */
export async function startAppServer(
  opts: { port?: number; dataDir?: string; env?: Record<string, string> } = {},
): Promise<AppServer> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), "scribble-e2e-"));
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(opts.port ?? 0),
      DATA_DIR: dataDir,
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      // A closed tab must vanish quickly in tests; the defaults are for real networks.
      PING_INTERVAL_MS: "2000",
      PING_TIMEOUT_MS: "2000",
      ...opts.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = READY.exec(output);
      if (m) resolve(Number(m[1]));
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`server exited with ${code} before it was ready:\n${output}`)));
  });
  const exited = once(child, "exit").then(([code]) => code as number | null);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    output: () => output,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
