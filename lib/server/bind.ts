import type { z } from "zod";
import type { Ack, ClientToServerEvents, ErrorCode, ProtocolError } from "../protocol";
import type { Context, ScribbleSocket } from "./types";

type Reply = Ack<object>;

export function fail(code: ErrorCode, message: string): { ok: false; error: ProtocolError } {
  return { ok: false, error: { code, message } };
}

/**
 * Registers one inbound event behind the boundary every event shares: the payload is parsed
 * with its schema, a refusal is answered with `{code, message}` (through the ack, or an `error`
 * event when the client gave none) and logged, and a handler that throws is answered, not fatal.
 * `schema` is null for events that carry nothing but their ack.
 */
export function bind<S extends z.ZodType | null>(
  ctx: Context,
  socket: ScribbleSocket,
  event: keyof ClientToServerEvents,
  schema: S,
  handler: (input: S extends z.ZodType ? z.output<S> : undefined) => Reply | Promise<Reply> | void,
): void {
  const listener = async (...args: unknown[]) => {
    const ack = typeof args.at(-1) === "function" ? (args.pop() as (res: Reply) => void) : undefined;
    const reply = (res: Reply) => {
      if (ack) ack(res);
      else if (!res.ok) socket.emit("error", res.error);
    };
    let input: unknown;
    if (schema) {
      const parsed = schema.safeParse(args[0]);
      if (!parsed.success) {
        const message = `${event}: ${describeIssues(parsed.error)}`;
        ctx.log.warn("refused payload", { socket: socket.id, event, message });
        reply(fail("INVALID_PAYLOAD", message));
        return;
      }
      input = parsed.data;
    }
    try {
      const res = await handler(input as Parameters<typeof handler>[0]);
      if (res) {
        if (!res.ok) ctx.log.info("refused", { socket: socket.id, event, error: res.error });
        reply(res);
      }
    } catch (err) {
      ctx.log.error("handler failed", { socket: socket.id, event, error: String((err as Error)?.stack ?? err) });
      reply(fail("INTERNAL", `${event} failed on the server; nothing was changed.`));
    }
  };
  // The typed `on` cannot express one listener for any event; the schema above is the real type.
  (socket.on as (ev: string, fn: (...args: unknown[]) => void) => void)(event, listener);
}

/** "name: name is empty; color: colour must be #rrggbb", one clause per problem. */
function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join(".") : "payload"}: ${i.message}`).join("; ");
}
