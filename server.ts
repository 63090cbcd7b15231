/** The composition root: the configuration, then Next's pages on the socket server. */
import { loadConfig } from "./lib/server/config";
import { createLogger } from "./lib/server/log";
import { runAsProcess, startServer } from "./lib/server/start-server";

const config = loadConfig();
const log = createLogger(config.logLevel);

// React and Next pick their production or development build from NODE_ENV when first loaded,
// so it is set before `next` is imported (`npm start` must not depend on the shell setting it).
Object.assign(process.env, { NODE_ENV: process.env.NODE_ENV ?? (config.dev ? "development" : "production") });
const { default: next } = await import("next");

const app = next({ dev: config.dev, hostname: config.host, port: config.port });
const handle = app.getRequestHandler();
await app.prepare();
const nextUpgrade = app.getUpgradeHandler();

const server = startServer({
  config,
  log,
  handle: (req, res) => void handle(req, res),
  // Hot reload in dev; a production build has no upgrade of its own.
  upgrade: config.dev ? (req, socket, head) => void nextUpgrade(req, socket, head) : undefined,
});
await runAsProcess(server, { config, log, detail: config.dev ? "development" : "production", closeAlso: () => app.close() });
