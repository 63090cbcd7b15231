import { createServer, type IncomingMessage, type RequestListener, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { Config } from "./config";
import { HEALTH_PATH, healthHandler } from "./health";
import { hostGuard } from "./http-guard";
import type { Logger } from "./log";
import { readyLine } from "./ready-line";
import { handleShutdownSignals } from "./shutdown";
import { createSocketServer, SOCKET_PATH, type SocketServer } from "./socket-server";
import { createBoardStore, type BoardStore } from "./storage";

export interface ServerOptions {
  config: Config;
  log: Logger;
  /** The boards' store. Default: the one the configuration names, closed by `close`. */
  store?: BoardStore;
  /** Answers every request but /healthz (server.ts: Next's pages). Default: 404. */
  handle?: RequestListener;
  /**
   * Upgrades that are neither Socket.IO's nor refused by the Host check (server.ts in dev: Next's
   * hot reload). Default: the socket is closed.
   */
  upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

export interface StartedServer {
  httpServer: HttpServer;
  sockets: SocketServer;
  store: BoardStore;
  /** Listens on `port` (0: any free one) and `host`, by default the configured ones; resolves with the URL. */
  listen(port?: number, host?: string): Promise<string>;
  /**
   * Closes the sockets, then the store, in that order: the sockets' close stops new ops, and the
   * writes of ops already in flight finish before the store closes. A store passed in is the
   * caller's and stays open (a test reads it afterwards).
   */
  close(): Promise<void>;
}

/**
 * The socket server as every entry runs it (server.ts, tools/socket-server.ts, the bench's server
 * process, the integration tests): one HTTP server behind the Host check, /healthz, Socket.IO and
 * the board service on the store. Callers add only what is theirs (Next's pages, signals, IPC).
 */
export function startServer(opts: ServerOptions): StartedServer {
  const { config, log } = opts;
  const store = opts.store ?? createBoardStore(config);
  const hosts = hostGuard(config, log, () => sockets.metrics.count("refusedHosts"));
  const handle: RequestListener = opts.handle ?? notFound;
  const httpServer = createServer(hosts.request((req, res) => (req.url === HEALTH_PATH ? health(req, res) : handle(req, res))));
  const sockets = createSocketServer(httpServer, config, log, store);
  const health = healthHandler(sockets, store.kind, config);

  // Socket.IO answers its own upgrades (and leaves the others open: `destroyUpgrade: false`).
  httpServer.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (req.url?.startsWith(SOCKET_PATH) || !hosts.upgrade(req, socket)) return;
    if (opts.upgrade) opts.upgrade(req, socket, head);
    else socket.destroy();
  });

  return {
    httpServer,
    sockets,
    store,
    listen(port = config.port, host = config.host) {
      return new Promise((resolve, reject) => {
        httpServer.once("error", reject);
        httpServer.listen(port, host, () => {
          httpServer.off("error", reject);
          resolve(`http://${host.includes(":") ? `[${host}]` : host}:${(httpServer.address() as AddressInfo).port}`);
        });
      });
    },
    async close() {
      await sockets.close();
      if (!opts.store) await store.close();
    },
  };
}

/**
 * Runs a started server as the process's job (server.ts, tools/socket-server.ts): stops it
 * gracefully on SIGINT or SIGTERM (then `closeAlso`, e.g. Next), listens, and prints the ready
 * line. A port it cannot listen on is said and ends the process.
 */
export async function runAsProcess(
  server: StartedServer,
  opts: { config: Config; log: Logger; detail: string; host?: string; closeAlso?: () => Promise<void> },
): Promise<void> {
  const { config, log } = opts;
  const host = opts.host ?? config.host;
  handleShutdownSignals({
    httpServer: server.httpServer,
    log,
    graceMs: config.shutdownGraceMs,
    onRejection: () => server.sockets.metrics.count("unhandledRejections"),
    closeApp: async () => {
      await server.close();
      await opts.closeAlso?.();
    },
  });
  try {
    const url = await server.listen(config.port, host);
    console.log(readyLine(url, `${opts.detail}, ${server.store.kind} storage`));
  } catch (err) {
    log.error(`cannot listen on ${host}:${config.port}: ${(err as Error).message}`);
    process.exit(1);
  }
}

const notFound: RequestListener = (_req, res) => {
  res.statusCode = 404;
  res.end();
};
