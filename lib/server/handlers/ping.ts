import { bind } from "../bind";
import type { ScribbleSocket } from "../rooms";
import type { Context } from "../types";

/** An ack round trip the client times to show its latency. */
export function registerPingHandler(ctx: Context, socket: ScribbleSocket): void {
  bind(ctx, socket, "ping", null, () => ({ ok: true, now: Date.now() }));
}
