import { spawnServer, type ServerProcess } from "../../../tools/lib/spawn-server";

/**
 * The real server (server.ts, production build) in a process of its own, the way `npm start`
 * runs it, on the given port (0: any free one) and data directory (default: a fresh one).
 */
export function startAppServer(opts: { port?: number; dataDir?: string; env?: Record<string, string> } = {}): Promise<ServerProcess> {
  return spawnServer({
    entry: "app",
    dataDir: opts.dataDir,
    env: {
      PORT: String(opts.port ?? 0),
      LOG_LEVEL: "info",
      // A closed tab must vanish quickly in tests; the defaults are for real networks.
      PING_INTERVAL_MS: "2000",
      PING_TIMEOUT_MS: "2000",
      ...opts.env,
    },
  });
}
