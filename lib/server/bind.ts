import type { z } from "zod";
import { refuse, type ClientToServerEvents } from "../protocol";
import type { Member } from "./board-service";
import type { EventLimit } from "./event-limits";
import { strike } from "./packet-guard";
import { TokenBucket } from "./rate-limit";
import { ackOf, rateLimited, replier, type Reply } from "./reply";
import type { ScribbleSocket } from "./rooms";
import type { Context } from "./types";


/** Refusals logged per connection before the rest are only counted (a flood must not flood logs). */
const LOGGED_REFUSALS = 5;

const refusalsLogged = new WeakMap<ScribbleSocket, number>();

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
  const logged = refusalsLogged.get(socket) ?? 0;
  refusalsLogged.set(socket, logged + 1);
  if (logged < LOGGED_REFUSALS) ctx.log[level](msg, { socket: socket.id, ...fields });
  else if (logged === LOGGED_REFUSALS) ctx.log.warn("further refusals on this connection are counted, not logged", { socket: socket.id });
}

type Input<S> = S extends z.ZodType ? z.output<S> : undefined;
type Result = Reply | void | Promise<Reply | void>;

/**
 * Registers one inbound event behind the boundary every event shares (after `guardEvents`): its
 * rate is checked (over it, the event is refused with RATE_LIMITED and a retry hint, or dropped
 * for volatile traffic), the payload is parsed with its schema, then, with `{ member: true }`,
 * the socket must be on a board (else NOT_JOINED) and the handler gets the member. A refusal is
 * answered with `{code, message}` (through the ack, or an `error` event when the client gave
 * none) and logged, and a handler that throws is answered, never fatal. `schema` is null for
 * events that carry nothing but their ack.
 */
export function bind<S extends z.ZodType | null>(
  ctx: Context,
  socket: ScribbleSocket,
  event: keyof ClientToServerEvents,
  schema: S,
  handler: (input: Input<S>) => Result,
): void;
export function bind<S extends z.ZodType | null>(
  ctx: Context,
  socket: ScribbleSocket,
  event: keyof ClientToServerEvents,
  schema: S,
  options: { member: true },
  handler: (input: Input<S>, member: Member) => Result,
): void;
export function bind(
  ctx: Context,
  socket: ScribbleSocket,
  event: keyof ClientToServerEvents,
  schema: z.ZodType | null,
  ...rest: [(input: unknown) => Result] | [{ member: true }, (input: unknown, member: Member) => Result]
): void {
  const limit: EventLimit = ctx.limits[event];
  const bucket = new TokenBucket(limit.burst, limit.perSecond, Date.now());
  const handle = (input: unknown): Result => {
    if (rest.length === 1) return rest[0](input);
    const member = ctx.boards.memberOf(socket.id);
    return member ? rest[1](input, member) : refuse("NOT_JOINED", "Join a board before sending to it.");
  };

  const listener = async (...args: unknown[]) => {
    const ack = ackOf(args);
    if (ack) args.pop();
    const reply = replier(socket, ack);
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
        reply(refuse("INVALID_PAYLOAD", message));
        strike(ctx, socket);
        return;
      }
      input = parsed.data;
    }
    try {
      const res = await handle(input);
      if (res) {
        if (!res.ok) logRefusal(ctx, socket, "info", "refused", { event, error: res.error });
        reply(res);
      }
    } catch (err) {
      ctx.metrics.count("handlerErrors");
      ctx.log.error("handler failed", { socket: socket.id, event, error: String((err as Error)?.stack ?? err) });
      reply(refuse("INTERNAL", `${event} failed on the server; nothing was changed.`));
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
