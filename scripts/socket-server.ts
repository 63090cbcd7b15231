/**
 * The Socket.IO server with its configured store and /healthz, without Next: server.ts minus
 * the pages. For what needs the real server in a process of its own and no build: the crash
 * tests (SIGKILL, SIGTERM), the soak, load from bots. Configured like server.ts; prints
 * "ready <port>" once listening. Started with an IPC channel, it also answers "memory" with
 * its heap after a full garbage collection (when run with --expose-gc).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadConfig } from "../lib/server/config";
import { HEALTH_PATH, healthHandler } from "../lib/server/health";
import { hostGuard } from "../lib/server/http-guard";
import { createLogger } from "../lib/server/log";
import { handleShutdownSignals } from "../lib/server/shutdown";
import { createSocketServer } from "../lib/server/socket-server";
import { createBoardStore } from "../lib/server/storage";

const config = loadConfig();
const log = createLogger(config.logLevel);
const store = createBoardStore(config);
const hosts = hostGuard(config, log, () => sockets.metrics.count("refusedHosts"));
const httpServer = createServer(hosts.request((req, res) => {
  if (req.url === HEALTH_PATH) return health(req, res);
  res.statusCode = 404;
  res.end();
}));
const sockets = createSocketServer(httpServer, config, log, store);
const health = healthHandler(sockets, store.kind, config);
handleShutdownSignals({
  httpServer,
  log,
  graceMs: config.shutdownGraceMs,
  onRejection: () => sockets.metrics.count("unhandledRejections"),
  closeApp: async () => {
    await sockets.close();
    await store.close();
  },
});
httpServer.listen(config.port, "127.0.0.1", () => {
  console.log(`ready ${(httpServer.address() as AddressInfo).port}`);
});

process.on("message", (message) => {
  if (message !== "memory" || !process.send) return;
  (globalThis as { gc?: () => void }).gc?.();
  process.send({ memory: process.memoryUsage(), cpu: process.cpuUsage() });
});
