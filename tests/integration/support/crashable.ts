import { spawnServer, type ServerProcess } from "@/tools/lib/spawn-server";

export type { ServerProcess };

/** tools/socket-server.ts in a process of its own, on SQLite in `dataDir` and any free port, once it listens. */
export function startServerProcess(dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  return spawnServer({
    entry: "socket",
    dataDir,
    // A burst of hundreds of ops must reach the store, not stop at the per-connection rate limit.
    env: { STORAGE: "sqlite", LOG_LEVEL: "warn", OPS_PER_SECOND: "100000", ...env },
  });
}
