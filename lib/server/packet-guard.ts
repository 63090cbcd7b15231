import type { Socket as EngineSocket } from "engine.io";
import { ADMIN_NAMESPACE, CLIENT_EVENTS, type ClientToServerEvents } from "../protocol";
import type { Config } from "./config";
import { INVALID_INPUT_LIMIT, UNKNOWN_EVENT_LIMIT, type EventLimit } from "./event-limits";
import type { Logger } from "./log";
import type { Metrics } from "./metrics";
import { TokenBucket } from "./rate-limit";
import { ackOf, rateLimited, replier } from "./reply";
import type { ScribbleServer, ScribbleSocket } from "./rooms";

interface Deps {
  config: Config;
  log: Logger;
  metrics: Metrics;
  limits: Record<keyof ClientToServerEvents, EventLimit>;
}

/** What the guard keeps per connection (one Engine.IO transport session). */
interface Guarded {
  /** Bytes the connection may send: every packet pays, whatever it is. */
  bytes: TokenBucket;
  /** Bytes sent while refused: a tab waits when told to, a flood does not, and runs this dry. */
  refused: TokenBucket;
  /** Invalid input a connection may send before it is cut off. */
  invalid: TokenBucket;
  unknown: TokenBucket;
  /** Set when a packet went over the byte rate: the event it carries is refused with this hint. */
  overForMs?: number;
  socket?: ScribbleSocket;
  cut: boolean;
}

const guarded = new WeakMap<EngineSocket, Guarded>();

/**
 * The first gate of everything a connection sends, before Socket.IO decodes it and long before
 * any schema: its bytes, counted from Engine.IO's raw packets, so that acks, pongs and connects
 * to other namespaces pay as events do; packets this app never takes from a client (an ack, for
 * the server asks none; a connect to another namespace) count as invalid input; and a transport
 * that joins no namespace is closed by Socket.IO's connect timeout. A connection that goes on
 * sending another burst's worth of bytes after being told to wait, or that keeps sending invalid
 * input, is cut off.
 */
export function guardConnections(io: ScribbleServer, deps: Deps): void {
  const { config, metrics } = deps;
  const capacity = Math.max(config.inboundBytesPerSecond * 4, config.maxHttpBufferSize);
  io.engine.on("connection", (conn: EngineSocket) => {
    const now = Date.now();
    const state: Guarded = {
      bytes: new TokenBucket(capacity, config.inboundBytesPerSecond, now),
      refused: new TokenBucket(capacity, config.inboundBytesPerSecond, now),
      invalid: new TokenBucket(INVALID_INPUT_LIMIT.burst, INVALID_INPUT_LIMIT.perSecond, now),
      unknown: new TokenBucket(UNKNOWN_EVENT_LIMIT.burst, UNKNOWN_EVENT_LIMIT.perSecond, now),
      cut: false,
    };
    guarded.set(conn, state);
    conn.on("packet", ({ type, data }: { type: string; data?: unknown }) => {
      if (state.cut) return;
      const cost = typeof data === "string" ? data.length : Buffer.isBuffer(data) ? data.byteLength : 1;
      // Nothing this app sends is binary. Socket.IO would hold a binary event's attachments until
      // the last one came, however long that is: megabytes per connection, out of every count.
      if (type === "message" && (typeof data !== "string" || data.startsWith("45"))) return cutOff(deps, conn, state, "binary data");
      // Acks and binary acks are never the client's to send; nor a connect to a namespace but /admin.
      if (typeof data === "string" && (/^4[36]/.test(data) || (data.startsWith("40/") && !data.startsWith(`40${ADMIN_NAMESPACE},`)))) strikeState(deps, conn, state);
      const paid = state.bytes.take(Date.now(), cost);
      if (paid.ok) return;
      metrics.count("rateLimited");
      state.overForMs = paid.retryAfterMs;
      if (!state.refused.take(Date.now(), cost).ok) cutOff(deps, conn, state, "sending far past its byte rate");
    });
  });
}

/**
 * The gate for the events of one socket, as a Socket.IO middleware: it runs before any listener.
 * An event whose bytes went over the rate is refused (or dropped, for volatile traffic); an event
 * no handler knows, whatever the type of its name (`42[7]` names event 7), is ignored and counted
 * at a small rate of its own.
 */
export function guardEvents(deps: Deps, socket: ScribbleSocket): void {
  const state = guarded.get(socket.conn);
  if (!state) throw new Error("guardConnections() must watch the engine before sockets connect");
  state.socket = socket;
  socket.use((packet, next) => {
    const [event] = packet;
    const known = typeof event === "string" && CLIENT_EVENTS.has(event);
    const overForMs = state.overForMs;
    state.overForMs = undefined;
    if (overForMs !== undefined) {
      if (!known || deps.limits[event as keyof ClientToServerEvents].excess === "drop") return;
      replier(socket, ackOf(packet))(rateLimited("bytes", overForMs));
      return;
    }
    if (!known) {
      deps.metrics.count("unknownEvents");
      if (!state.unknown.take(Date.now()).ok) deps.metrics.count("rateLimited");
      else deps.log.debug("unknown event ignored", { socket: socket.id, event: String(event) });
      return;
    }
    next();
  });
}

/**
 * One invalid payload more on this socket's connection. A well-behaved client sends none; one
 * that keeps sending them is cut off once its small allowance is spent, so that a flood of junk
 * costs the server a few answers, not one per packet.
 */
export function strike(deps: Deps, socket: ScribbleSocket): void {
  const state = guarded.get(socket.conn);
  if (state) strikeState(deps, socket.conn, state);
}

function strikeState(deps: Deps, conn: EngineSocket, state: Guarded): void {
  if (!state.invalid.take(Date.now()).ok) cutOff(deps, conn, state, "too many invalid payloads");
}

/**
 * Closes a connection that abuses the server, telling it why when it has a socket to tell. The
 * server disconnects it: its tab does not reconnect by itself (a person reloads).
 */
function cutOff(deps: Deps, conn: EngineSocket, state: Guarded, reason: string): void {
  if (state.cut) return;
  state.cut = true;
  deps.metrics.count("connectionsCutOff");
  deps.log.warn(`connection cut off: ${reason}`, { socket: state.socket?.id });
  if (state.socket?.connected) {
    state.socket.emit("error", { code: "INVALID_PAYLOAD", message: "Too many invalid or oversized messages: this connection is closed." });
    state.socket.disconnect(true);
  }
  conn.close();
}
