import type { IncomingMessage, Server as HttpServer } from "node:http";
import { Server } from "socket.io";
import { hostAllowed, originAllowed } from "./admission";
import { guardConnections, guardEvents } from "./packet-guard";
import { BoardService } from "./board-service";
import { joinCluster } from "./cluster";
import type { Config } from "./config";
import { CLAIM_LIMIT, eventLimits, HISTORY_LIMIT, MANAGE_LIMIT, STROKE_FETCH_LIMIT } from "./event-limits";
import { CursorHub } from "./cursors";
import { registerBoardHandlers } from "./handlers/board";
import { registerChatHandlers } from "./handlers/chat";
import { registerCursorHandlers } from "./handlers/cursors";
import { registerAdmin } from "./admin";
import { registerHistoryHandlers } from "./handlers/history";
import { registerLobbyHandlers } from "./handlers/lobby";
import { registerManageHandler } from "./handlers/manage";
import { registerOpHandlers } from "./handlers/ops";
import { registerPingHandler } from "./handlers/ping";
import { Lobby } from "./lobby";
import type { Logger } from "./log";
import { Metrics } from "./metrics";
import { Outbound } from "./outbound";
import { RateLimiter } from "./rate-limit";
import { roomEvents } from "./room-events";
import { RedisStore, type BoardStore } from "./storage";
import { TransportLimit } from "./transport-limit";
import { closeBoardConnections, type ScribbleServer } from "./rooms";
import type { Context } from "./types";

export const SOCKET_PATH = "/socket.io/";

export interface SocketServer {
  io: ScribbleServer;
  boards: BoardService;
  cursors: CursorHub;
  metrics: Metrics;
  transports: TransportLimit;
  /** Tells every client the server is going away, then closes every connection. */
  close(): Promise<void>;
}

/**
 * Builds the Socket.IO server and the board service on an existing HTTP server. The store is the
 * caller's: it outlives the sockets at shutdown, to finish the writes in flight.
 */
export function createSocketServer(httpServer: HttpServer, config: Config, log: Logger, store: BoardStore): SocketServer {
  const transports = new TransportLimit(config.maxConnectionsPerIp, config.trustProxy);
  const io: ScribbleServer = new Server(httpServer, {
    path: SOCKET_PATH,
    serveClient: false,
    pingInterval: config.pingIntervalMs,
    pingTimeout: config.pingTimeoutMs,
    maxHttpBufferSize: config.maxHttpBufferSize,
    // Other upgrade requests (Next's hot reload in dev) are handed on by the caller, not cut.
    destroyUpgrade: false,
    // A transport that joins no namespace has no use: it is closed after this (Socket.IO's default is 45 s).
    connectTimeout: config.connectTimeoutMs,
    // No connection state recovery: it keeps every packet sent to every socket for its whole
    // window (a joiner's board, each refusal) and puts a recovered socket back in its rooms
    // without a join. Tabs resume with {epoch, seq} after every reconnect instead (one round trip).
    allowRequest: (req, callback) => {
      if (!originAllowed(req, config)) {
        metrics.count("refusedConnections");
        log.warn("connection refused: host or origin not allowed", { host: req.headers.host?.slice(0, 100), origin: req.headers.origin?.slice(0, 100) });
        callback("host or origin not allowed", false);
      } else if (!transports.admit(req)) {
        metrics.count("refusedConnections");
        log.warn("connection refused: too many from one address", { address: transports.addressOf(req) });
        callback("too many connections from this address", false);
      } else callback(null, true);
    },
    // Polling from another origin also needs CORS headers; WebSockets only the check above.
    ...(config.allowedOrigins.length > 0 ? { cors: { origin: config.allowedOrigins } } : {}),
  });
  transports.attach(io.engine);
  // `allowRequest` sees handshakes only: the requests of a session already open (long polls, the
  // upgrade to WebSocket) are held to the same Host check here, so that a session opened under an
  // allowed name cannot be carried on from a rebinding page.
  io.engine.use((req: IncomingMessage, _res: unknown, next: (err?: Error) => void) => {
    if (!/[?&]sid=/.test(req.url ?? "") || hostAllowed(req, config)) return next();
    metrics.count("refusedConnections");
    next(new Error("host not allowed"));
  });
  transports.limitSockets(httpServer, config.connectTimeoutMs);
  const metrics = new Metrics();
  // Cluster mode: the store is the Redis every node shares.
  const shared = store instanceof RedisStore ? store : undefined;
  const cluster = shared && joinCluster(io, config, log, shared, () => boards);
  const boards: BoardService = new BoardService(store, log, {
    snapshotEvery: config.snapshotEvery,
    idleMs: config.boardIdleMs,
    maxPeople: config.maxPeoplePerBoard,
    maxTabs: config.maxTabsPerPerson,
    maxBytes: config.boardMaxBytes,
    events: roomEvents(io, () => ctx),
    node: cluster?.node,
    shared,
    feed: cluster?.feed,
    onLost: (boardId) => closeBoardConnections(io, boardId),
    cursorsFrom: (boardId, updates) => cursors.merge(boardId, updates),
  });
  const lobby = new Lobby(io, boards, config.lobbyThrottleMs, log);
  const cursors = new CursorHub(io, config.cursorTickMs, (boardId) => boards.cursorAudience(boardId), cluster?.sendCursors);
  const outbound = new Outbound(io, { maxBytes: config.outboundMaxBytes, totalMaxBytes: config.outboundTotalMaxBytes, stallMs: config.outboundStallMs }, log, metrics);
  const chatLimits = cluster?.chatLimits ?? new RateLimiter(config.chatBurst, config.chatPerSecond);
  const writeLimits = new RateLimiter(config.writeBytesBurst, config.writeBytesPerSecond);
  const fetchLimits = new RateLimiter(STROKE_FETCH_LIMIT.burst, STROKE_FETCH_LIMIT.perSecond);
  const claimLimits = new RateLimiter(CLAIM_LIMIT.burst, CLAIM_LIMIT.perSecond);
  const historyLimits = new RateLimiter(HISTORY_LIMIT.burst, HISTORY_LIMIT.perSecond);
  const manageLimits = new RateLimiter(MANAGE_LIMIT.burst, MANAGE_LIMIT.perSecond);
  const ctx: Context = { io, config, log, boards, lobby, cursors, chatLimits, writeLimits, fetchLimits, claimLimits, historyLimits, manageLimits, limits: eventLimits(config), metrics };
  guardConnections(io, ctx);
  const admin = registerAdmin(ctx);

  io.on("connection", (socket) => {
    log.debug("connected", { socket: socket.id, transport: socket.conn.transport.name });
    guardEvents(ctx, socket);
    registerPingHandler(ctx, socket);
    registerLobbyHandlers(ctx, socket);
    registerBoardHandlers(ctx, socket);
    registerOpHandlers(ctx, socket);
    registerCursorHandlers(ctx, socket);
    registerChatHandlers(ctx, socket);
    registerManageHandler(ctx, socket);
    registerHistoryHandlers(ctx, socket);
    socket.on("disconnect", (reason) => {
      log.debug("disconnected", { socket: socket.id, reason });
      // A tab uses the main namespace only (/admin is a page of its own): a transport that left it
      // has no use, and must not stay open uncounted.
      if (reason === "client namespace disconnect") socket.conn.close();
    });
  });

  return {
    io,
    boards,
    cursors,
    metrics,
    transports,
    async close() {
      admin.close();
      lobby.close();
      cursors.close();
      outbound.close();
      boards.close();
      io.emit("server:shutdown");
      await io.close();
      await cluster?.close();
    },
  };
}
