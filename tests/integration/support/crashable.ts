import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

const entry = fileURLToPath(new URL("../../../scripts/socket-server.ts", import.meta.url));

export interface ServerProcess {
  url: string;
  port: number;
  /** Everything the process has printed so far. */
  output(): string;
  kill(signal: "SIGKILL" | "SIGTERM"): Promise<number | null>;
}

/** Starts scripts/socket-server.ts on `dataDir` (and `port`, 0 for any) and waits until it listens. */
export async function startServerProcess(dataDir: string, port = 0, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", entry], {
    // A burst of hundreds of ops must reach the store, not stop at the per-connection rate limit.
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, STORAGE: "sqlite", LOG_LEVEL: "warn", OPS_PER_SECOND: "100000", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = once(child, "exit").then(([code]) => code as number | null);
  const actualPort = await new Promise<number>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /ready (\d+)/.exec(output);
      if (m) resolve(Number(m[1]));
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    void exited.then((code) => reject(new Error(`server exited with ${code} before it was ready:\n${output}`)));
  });
  return {
    url: `http://127.0.0.1:${actualPort}`,
    port: actualPort,
    output: () => output,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
