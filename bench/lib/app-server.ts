import { rmSync } from "node:fs";
import { spawnServer } from "../../tools/lib/spawn-server";
import { UNLIMITED_ENV } from "./unlimited-env";

export interface AppServer {
  url: string;
  /** The process whose tree is the server (for its CPU). */
  pid: number;
  output(): string;
  /** SIGTERM (the graceful path), SIGKILL if it lingers; removes its data directory. */
  stop(): Promise<void>;
}

/**
 * The real production server, as `npm start` runs it (server.ts: Next and Socket.IO on one port,
 * SQLite under a temporary DATA_DIR), on 127.0.0.1 and a free port. It ends after `maxLifetimeMs`
 * even if the bench is killed outright.
 */
export async function startAppServer(opts: { env?: Record<string, string>; maxLifetimeMs: number; readyTimeoutMs?: number }): Promise<AppServer> {
  const server = await spawnServer({
    entry: "app",
    env: { LOG_LEVEL: "info", ...UNLIMITED_ENV, ...opts.env },
    maxLifetimeMs: opts.maxLifetimeMs,
    readyTimeoutMs: opts.readyTimeoutMs,
  });
  return {
    url: server.url,
    pid: server.pid,
    output: server.output,
    async stop() {
      await server.stop();
      rmSync(server.dataDir, { recursive: true, force: true });
    },
  };
}
