import type { Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import { BoardService } from "./board-service";
import type { Config } from "./config";
import { CursorHub } from "./cursors";
import { registerBoardHandlers } from "./handlers/board";
import { registerChatHandlers } from "./handlers/chat";
import { registerCursorHandlers } from "./handlers/cursors";
import { registerLobbyHandlers } from "./handlers/lobby";
import { registerOpHandlers } from "./handlers/ops";
import { registerPingHandler } from "./handlers/ping";
import { Lobby } from "./lobby";
import type { Logger } from "./log";
import { RateLimiter } from "./rate-limit";
import type { BoardStore } from "./storage";
import type { Context, ScribbleServer } from "./types";

export const SOCKET_PATH = "/socket.io/";

export interface SocketServer {
  io: ScribbleServer;
  boards: BoardService;
  cursors: CursorHub;
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
    connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: true },
  });
  const boards = new BoardService(store, log, config.snapshotEvery);
  const lobby = new Lobby(io, boards, config.lobbyThrottleMs, log);
  const cursors = new CursorHub(io, config.cursorTickMs);
  const chatLimits = new RateLimiter(config.chatBurst, config.chatPerSecond);
  const ctx: Context = { io, config, log, boards, lobby, cursors, chatLimits };

  io.on("connection", (socket) => {
    log.debug("connected", { socket: socket.id, transport: socket.conn.transport.name });
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
    async close() {
      lobby.close();
      cursors.close();
      io.emit("server:shutdown");
      await io.close();
    },
  };
}
