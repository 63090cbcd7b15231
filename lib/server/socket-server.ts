import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import { CLIENT_EVENTS } from "../protocol";
import { clientAddress, ConnectionCounter, originAllowed } from "./admission";
import { BoardService } from "./board-service";
import type { Config } from "./config";
import { eventLimits } from "./event-limits";
import { CursorHub } from "./cursors";
import { registerBoardHandlers } from "./handlers/board";
import { registerChatHandlers } from "./handlers/chat";
import { registerCursorHandlers } from "./handlers/cursors";
import { registerLobbyHandlers } from "./handlers/lobby";
import { registerOpHandlers } from "./handlers/ops";
import { registerPingHandler } from "./handlers/ping";
import { Lobby } from "./lobby";
import type { Logger } from "./log";
import { Metrics } from "./metrics";
import { RateLimiter } from "./rate-limit";
import type { BoardStore } from "./storage";
import type { Context, ScribbleServer } from "./types";

export const SOCKET_PATH = "/socket.io/";

export interface SocketServer {
  io: ScribbleServer;
  boards: BoardService;
  cursors: CursorHub;
  metrics: Metrics;
  /** Tells every client the server is going away, then closes every connection. */
  close(): Promise<void>;
}

/**
 * Builds the Socket.IO server and the board service on an existing HTTP server. The store is the
 * caller's: it outlives the sockets at shutdown, to finish the writes in flight.
 */
export function createSocketServer(httpServer: HttpServer, config: Config, log: Logger, store: BoardStore): SocketServer {
  const io: ScribbleServer = new Server(httpServer, {
    path: SOCKET_PATH,
    serveClient: false,
    pingInterval: config.pingIntervalMs,
    pingTimeout: config.pingTimeoutMs,
    maxHttpBufferSize: config.maxHttpBufferSize,
    // Other upgrade requests (Next's hot reload in dev) are handed on by the caller, not cut.
    destroyUpgrade: false,
    // A short drop resumes the same session with the packets it missed. A shortcut only: the
    // client joins again with its lastSeq after every reconnect, recovered or not.
    ...(config.recoveryMs > 0
      ? // Middlewares run again for a recovered session: admission counts every live connection.
        { connectionStateRecovery: { maxDisconnectionDuration: config.recoveryMs, skipMiddlewares: false } }
      : {}),
    allowRequest: (req, callback) => {
      const allowed = originAllowed(req, config);
      if (!allowed) {
        metrics.count("refusedConnections");
        log.warn("connection refused: origin not allowed", { origin: req.headers.origin });
      }
      callback(allowed ? null : "origin not allowed", allowed);
    },
    // Polling from another origin also needs CORS headers; WebSockets only the check above.
    ...(config.allowedOrigins.length > 0 ? { cors: { origin: config.allowedOrigins } } : {}),
  });
  const metrics = new Metrics();
  const boards = new BoardService(store, log, { snapshotEvery: config.snapshotEvery, idleMs: config.boardIdleMs });
  const lobby = new Lobby(io, boards, config.lobbyThrottleMs);
  const cursors = new CursorHub(io, config.cursorTickMs);
  const chatLimits = new RateLimiter(config.chatBurst, config.chatPerSecond);
  const ctx: Context = { io, config, log, boards, lobby, cursors, chatLimits, limits: eventLimits(config), metrics };

  const perAddress = new ConnectionCounter(config.maxConnectionsPerIp);
  io.use((socket, next) => {
    const address = clientAddress(socket.handshake.headers, socket.handshake.address, config.trustProxy);
    if (!perAddress.admit(address)) {
      metrics.count("refusedConnections");
      log.warn("connection refused: too many from one address", { address });
      next(new Error(`too many connections from ${address}`));
      return;
    }
    socket.once("disconnect", () => perAddress.release(address));
    next();
  });

  io.on("connection", (socket) => {
    log.debug("connected", { socket: socket.id, transport: socket.conn.transport.name });
    socket.onAny((event: string) => {
      if (CLIENT_EVENTS.has(event)) return;
      // Ignored: an old or foreign client. Counted, so that it shows.
      metrics.count("unknownEvents");
      log.debug("unknown event ignored", { socket: socket.id, event: event.slice(0, 64) });
    });
    registerPingHandler(ctx, socket);
    registerLobbyHandlers(ctx, socket);
    registerBoardHandlers(ctx, socket);
    registerOpHandlers(ctx, socket);
    registerCursorHandlers(ctx, socket);
    registerChatHandlers(ctx, socket);
    socket.on("disconnect", (reason) => log.debug("disconnected", { socket: socket.id, reason }));
  });

  return {
    io,
    boards,
    cursors,
    metrics,
    async close() {
      lobby.close();
      cursors.close();
      boards.close();
      io.emit("server:shutdown");
      await io.close();
    },
  };
}
