import type { z } from "zod";
import { CLIENT_EVENTS, type Ack, type ClientToServerEvents, type ErrorCode, type ProtocolError } from "../protocol";
import { INVALID_INPUT_LIMIT, UNKNOWN_EVENT_LIMIT, type EventLimit } from "./event-limits";
import { TokenBucket } from "./rate-limit";
import type { Context, ScribbleSocket } from "./types";

type Reply = Ack<object>;
type AckFn = (res: Reply) => void;

export function fail(code: ErrorCode, message: string): { ok: false; error: ProtocolError } {
  return { ok: false, error: { code, message } };
}

/** Refusals logged per connection before the rest are only counted (a flood must not flood logs). */
const LOGGED_REFUSALS = 5;

/** What the boundary keeps per connection: its refusal log count and its invalid-input allowance. */
interface ConnectionState {
  logged: number;
  invalid: TokenBucket;
}
const connections = new WeakMap<ScribbleSocket, ConnectionState>();

function stateOf(socket: ScribbleSocket): ConnectionState {
  let state = connections.get(socket);
  if (!state) {
    state = { logged: 0, invalid: new TokenBucket(INVALID_INPUT_LIMIT.burst, INVALID_INPUT_LIMIT.perSecond, Date.now()) };
    connections.set(socket, state);
  }
  return state;
}

/**
 * Logs a refusal, up to LOGGED_REFUSALS per connection: at warn for input that breaks the
 * protocol (bad payloads, floods), at info for the everyday ones (a taken name, say).
 */
export function logRefusal(
  ctx: Context,
  socket: ScribbleSocket,
  level: "warn" | "info",
  msg: string,
  fields: Record<string, unknown>,
): void {
  const state = stateOf(socket);
  const logged = state.logged++;
  if (logged < LOGGED_REFUSALS) ctx.log[level](msg, { socket: socket.id, ...fields });
  else if (logged === LOGGED_REFUSALS) ctx.log.warn("further refusals on this connection are counted, not logged", { socket: socket.id });
}

/** Answers through the ack when the client gave one, else with an `error` event. */
function replier(socket: ScribbleSocket, ack: AckFn | undefined): AckFn {
  return (res) => {
    if (ack) ack(res);
    else if (!res.ok) socket.emit("error", res.error);
  };
}

function rateLimited(event: string, retryAfterMs: number): Reply {
  return { ok: false, error: { code: "RATE_LIMITED", message: `Too many ${event} at once; try again shortly.`, retryAfterMs } };
}

/**
 * The first gate of every packet, before any listener or schema sees it: the connection's bytes
 * (whatever it sends, counted as they arrive) and, for events no handler knows (any name, of any
 * type: `42[7]` names event 7), a small rate of their own. Over either, the event goes no further.
 */
export function guardPackets(ctx: Context, socket: ScribbleSocket): void {
  const { config, metrics } = ctx;
  const bytes = new TokenBucket(Math.max(config.inboundBytesPerSecond * 4, config.maxHttpBufferSize), config.inboundBytesPerSecond, Date.now());
  const unknown = new TokenBucket(UNKNOWN_EVENT_LIMIT.burst, UNKNOWN_EVENT_LIMIT.perSecond, Date.now());
  // Engine.IO hands over each packet before Socket.IO decodes it: bytes are billed to the event they make.
  let unbilled = 0;
  socket.conn.on("packet", (packet: { data?: unknown }) => {
    const { data } = packet;
    unbilled += typeof data === "string" ? data.length : Buffer.isBuffer(data) ? data.byteLength : 1;
  });

  socket.use((packet, next) => {
    const [event] = packet;
    const ack = typeof packet.at(-1) === "function" ? (packet.at(-1) as AckFn) : undefined;
    const now = Date.now();
    const cost = unbilled;
    unbilled = 0;
    const known = typeof event === "string" && CLIENT_EVENTS.has(event);
    const name = known ? event : "unknown event";
    const paid = bytes.spend(now, cost);
    if (!paid.ok) {
      metrics.count("rateLimited");
      // A tab waits when told to; one that sends another burst's worth meanwhile is a flood.
      if (paid.overdrawn) return cutOff(ctx, socket, "sending far past its byte rate");
      const excess = known ? ctx.limits[event as keyof ClientToServerEvents].excess : "drop";
      if (excess === "drop") return;
      logRefusal(ctx, socket, "warn", "rate limited (bytes)", { event: name });
      replier(socket, ack)(rateLimited("bytes", paid.retryAfterMs));
      return;
    }
    if (!known) {
      metrics.count("unknownEvents");
      if (!unknown.take(now).ok) metrics.count("rateLimited");
      else ctx.log.debug("unknown event ignored", { socket: socket.id, event: String(event) });
      return;
    }
    next();
  });
}

/**
 * One invalid payload more on this connection. A well-behaved client sends none; one that keeps
 * sending them is cut off once its small allowance is spent, so that a flood of junk costs the
 * server a few answers, not one per packet.
 */
function strike(ctx: Context, socket: ScribbleSocket): void {
  if (!stateOf(socket).invalid.take(Date.now()).ok) cutOff(ctx, socket, "too many invalid payloads");
}

/** Closes a connection that abuses the server, telling it why first. Its tab does not reconnect by itself. */
function cutOff(ctx: Context, socket: ScribbleSocket, reason: string): void {
  if (!socket.connected) return;
  ctx.metrics.count("connectionsCutOff");
  ctx.log.warn(`connection cut off: ${reason}`, { socket: socket.id });
  socket.emit("error", { code: "INVALID_PAYLOAD", message: "Too many invalid or oversized messages: this connection is closed." });
  socket.disconnect(true);
}

/**
 * Registers one inbound event behind the boundary every event shares (after `guardPackets`): its
 * rate is checked (over it, the event is refused with RATE_LIMITED and a retry hint, or dropped
 * for volatile traffic), the payload is parsed with its schema, a refusal is answered with
 * `{code, message}` (through the ack, or an `error` event when the client gave none) and logged,
 * and a handler that throws is answered, never fatal. `schema` is null for events that carry
 * nothing but their ack.
 */
export function bind<S extends z.ZodType | null>(
  ctx: Context,
  socket: ScribbleSocket,
  event: keyof ClientToServerEvents,
  schema: S,
  handler: (input: S extends z.ZodType ? z.output<S> : undefined) => Reply | void | Promise<Reply | void>,
): void {
  const limit: EventLimit = ctx.limits[event];
  const bucket = new TokenBucket(limit.burst, limit.perSecond, Date.now());

  const listener = async (...args: unknown[]) => {
    const reply = replier(socket, typeof args.at(-1) === "function" ? (args.pop() as AckFn) : undefined);
    const allowed = bucket.take(Date.now());
    if (!allowed.ok) {
      ctx.metrics.count("rateLimited");
      if (limit.excess === "drop") return;
      logRefusal(ctx, socket, "warn", "rate limited", { event });
      reply(rateLimited(event, allowed.retryAfterMs));
      return;
    }
    let input: unknown;
    if (schema) {
      const parsed = schema.safeParse(args[0]);
      if (!parsed.success) {
        const message = `${event}: ${describeIssues(parsed.error)}`;
        ctx.metrics.count("invalidPayloads");
        logRefusal(ctx, socket, "warn", "refused payload", { event, message });
        reply(fail("INVALID_PAYLOAD", message));
        strike(ctx, socket);
        return;
      }
      input = parsed.data;
    }
    try {
      const res = await handler(input as Parameters<typeof handler>[0]);
      if (res) {
        if (!res.ok) logRefusal(ctx, socket, "info", "refused", { event, error: res.error });
        reply(res);
      }
    } catch (err) {
      ctx.metrics.count("handlerErrors");
      ctx.log.error("handler failed", { socket: socket.id, event, error: String((err as Error)?.stack ?? err) });
      reply(fail("INTERNAL", `${event} failed on the server; nothing was changed.`));
    }
  };
  // The typed `on` cannot express one listener for any event; the schema above is the real type.
  (socket.on as (ev: string, fn: (...args: unknown[]) => void) => void)(event, listener);
}

/** Path segments the schemas name are short; anything longer did not come from a schema. */
const PATH_SEGMENT_MAX = 24;

/**
 * "color: colour must be #rrggbb; stroke.width: width is above 64", one clause per problem (at
 * most three). Built from the schema's own words and field names only: an unknown key is reported
 * as such, never quoted, so that a refusal can never carry back what the client sent.
 */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const path = issue.path.map((p) => String(p).slice(0, PATH_SEGMENT_MAX)).join(".") || "payload";
      return `${path}: ${issue.code === "unrecognized_keys" ? "holds a field this event does not take" : issue.message.slice(0, 100)}`;
    })
    .join("; ");
}
