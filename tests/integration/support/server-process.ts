/**
 * The Socket.IO server with its configured store, alone in a process so that a test can kill it
 * (SIGKILL) or stop it (SIGTERM) the way a crash or a deploy would. server.ts minus Next.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadConfig } from "@/lib/server/config";
import { createLogger } from "@/lib/server/log";
import { handleShutdownSignals } from "@/lib/server/shutdown";
import { createSocketServer } from "@/lib/server/socket-server";
import { createBoardStore } from "@/lib/server/storage";

const config = loadConfig();
const log = createLogger(config.logLevel);
const store = createBoardStore(config.storage, config.dataDir);
const httpServer = createServer((_req, res) => {
  res.statusCode = 404;
  res.end();
});
const sockets = createSocketServer(httpServer, config, log, store);
handleShutdownSignals({
  httpServer,
  log,
  graceMs: config.shutdownGraceMs,
  closeApp: async () => {
    await sockets.close();
    await store.close();
  },
});
httpServer.listen(config.port, "127.0.0.1", () => {
  console.log(`ready ${(httpServer.address() as AddressInfo).port}`);
});
