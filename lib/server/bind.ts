import type { z } from "zod";
import type { Ack, ClientToServerEvents, ErrorCode, ProtocolError } from "../protocol";
import { TokenBucket } from "./rate-limit";
import type { Context, ScribbleSocket } from "./types";

type Reply = Ack<object>;

export function fail(code: ErrorCode, message: string): { ok: false; error: ProtocolError } {
  return { ok: false, error: { code, message } };
}

/** Refusals logged per connection before the rest are only counted (a flood must not flood logs). */
const LOGGED_REFUSALS = 5;
const refusalLogs = new WeakMap<ScribbleSocket, number>();

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
  const logged = refusalLogs.get(socket) ?? 0;
  refusalLogs.set(socket, logged + 1);
  if (logged < LOGGED_REFUSALS) ctx.log[level](msg, { socket: socket.id, ...fields });
  else if (logged === LOGGED_REFUSALS) ctx.log.warn("further refusals on this connection are counted, not logged", { socket: socket.id });
}

/**
 * Registers one inbound event behind the boundary every event shares: its rate is checked (over
 * it, the event is refused with RATE_LIMITED and a retry hint, or dropped for volatile traffic),
 * the payload is parsed with its schema, a refusal is answered with `{code, message}` (through
 * the ack, or an `error` event when the client gave none) and logged, and a handler that throws
 * is answered, never fatal. `schema` is null for events that carry nothing but their ack.
 */
export function bind<S extends z.ZodType | null>(
  ctx: Context,
  socket: ScribbleSocket,
  event: keyof ClientToServerEvents,
  schema: S,
  handler: (input: S extends z.ZodType ? z.output<S> : undefined) => Reply | void | Promise<Reply | void>,
): void {
  const limit = ctx.limits[event];
  const bucket = limit && new TokenBucket(limit.burst, limit.perSecond, Date.now());

  const listener = async (...args: unknown[]) => {
    const ack = typeof args.at(-1) === "function" ? (args.pop() as (res: Reply) => void) : undefined;
    const reply = (res: Reply) => {
      if (ack) ack(res);
      else if (!res.ok) socket.emit("error", res.error);
    };
    if (bucket && limit) {
      const allowed = bucket.take(Date.now());
      if (!allowed.ok) {
        ctx.metrics.count("rateLimited");
        if (limit.excess === "drop") return;
        logRefusal(ctx, socket, "warn", "rate limited", { event });
        reply({
          ok: false,
          error: { code: "RATE_LIMITED", message: `Too many ${event} at once; try again shortly.`, retryAfterMs: allowed.retryAfterMs },
        });
        return;
      }
    }
    let input: unknown;
    if (schema) {
      const parsed = schema.safeParse(args[0]);
      if (!parsed.success) {
        const message = `${event}: ${describeIssues(parsed.error)}`;
        ctx.metrics.count("invalidPayloads");
        logRefusal(ctx, socket, "warn", "refused payload", { event, message });
        reply(fail("INVALID_PAYLOAD", message));
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

/** "name: name is empty; color: colour must be #rrggbb", one clause per problem. */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join(".") : "payload"}: ${i.message}`)
    .join("; ");
}
