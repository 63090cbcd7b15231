import { spawnServer, type ServerProcess } from "../../../tools/lib/spawn-server";

/** The /admin token of the servers the end-to-end tests start. */
export const E2E_ADMIN_TOKEN = "e2e-admin-token-0123456789";

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
      ADMIN_TOKEN: E2E_ADMIN_TOKEN,
      ...opts.env,
    },
  });
}
