import { refuse, type Ack, type Refusal } from "../protocol";
import type { RateLimiter } from "./rate-limit";
import type { ScribbleSocket } from "./rooms";

export type Reply = Ack<object>;
export type AckFn = (res: Reply) => void;

/** Over a rate: the client waits `retryAfterMs` and sends the same again (the app does so by itself). */
export function rateLimited(what: string, retryAfterMs: number): Refusal {
  return refuse("RATE_LIMITED", `Too many ${what} at once; try again shortly.`, { retryAfterMs });
}

/** Takes one of `key`'s allowance in `limiter`; RATE_LIMITED (about `what`) when it has none left. */
export function overLimit(limiter: RateLimiter, key: string, what: string): Refusal | undefined {
  const allowed = limiter.take(key, Date.now());
  return allowed.ok ? undefined : rateLimited(what, allowed.retryAfterMs);
}

/** The ack callback a client sent with an event, if any: Socket.IO passes it last. */
export function ackOf(args: unknown[]): AckFn | undefined {
  const last = args.at(-1);
  return typeof last === "function" ? (last as AckFn) : undefined;
}

/** Answers through the ack when the client gave one, else a refusal with an `error` event. */
export function replier(socket: ScribbleSocket, ack: AckFn | undefined): AckFn {
  return (res) => {
    if (ack) ack(res);
    else if (!res.ok) socket.emit("error", res.error);
  };
}
