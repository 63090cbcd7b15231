import { createServer } from "node:http";
import { loadConfig } from "./lib/server/config";
import { HEALTH_PATH, healthHandler } from "./lib/server/health";
import { hostGuard } from "./lib/server/http-guard";
import { createLogger } from "./lib/server/log";
import { handleShutdownSignals } from "./lib/server/shutdown";
import { createSocketServer, SOCKET_PATH } from "./lib/server/socket-server";
import { createBoardStore } from "./lib/server/storage";

const config = loadConfig();
const log = createLogger(config.logLevel);

// React and Next pick their production or development build from NODE_ENV when first loaded,
// so it is set before `next` is imported (`npm start` must not depend on the shell setting it).
Object.assign(process.env, { NODE_ENV: process.env.NODE_ENV ?? (config.dev ? "development" : "production") });
const { default: next } = await import("next");

const app = next({ dev: config.dev, hostname: config.host, port: config.port });
const handle = app.getRequestHandler();
await app.prepare();

const store = createBoardStore(config);
const hosts = hostGuard(config, log, () => sockets.metrics.count("refusedHosts"));
const httpServer = createServer(hosts.request((req, res) => (req.url === HEALTH_PATH ? health(req, res) : void handle(req, res))));
const sockets = createSocketServer(httpServer, config, log, store);
const health = healthHandler(sockets, store.kind, config);

// Socket.IO answers its own upgrades; every other one is Next's (hot reload in dev) or nobody's.
const nextUpgrade = app.getUpgradeHandler();
httpServer.on("upgrade", (req, socket, head) => {
  if (req.url?.startsWith(SOCKET_PATH) || !hosts.upgrade(req, socket)) return;
  if (config.dev) void nextUpgrade(req, socket, head);
  else socket.destroy();
});

handleShutdownSignals({
  httpServer,
  log,
  graceMs: config.shutdownGraceMs,
  onRejection: () => sockets.metrics.count("unhandledRejections"),
  closeApp: async () => {
    await sockets.close();
    // After the sockets: the writes of ops already in flight finish before the store closes.
    await store.close();
    await app.close();
  },
});

httpServer.once("error", (err) => {
  log.error(`cannot listen on ${config.host}:${config.port}: ${err.message}`);
  process.exit(1);
});
httpServer.listen(config.port, config.host, () => {
  const address = httpServer.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  log.info(`Scribble ready on http://${config.host}:${port} (${config.dev ? "development" : "production"}, ${store.kind} storage)`);
});
