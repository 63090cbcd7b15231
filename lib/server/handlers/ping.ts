import { bind } from "../bind";
import type { ScribbleSocket } from "../rooms";
import type { Context } from "../types";

/** An ack round trip the client times to show its latency; in a cluster it also names the node. */
export function registerPingHandler(ctx: Context, socket: ScribbleSocket): void {
  const node = ctx.config.redisUrl ? { node: ctx.config.nodeId } : {};
  bind(ctx, socket, "ping", null, () => ({ ok: true, now: Date.now(), ...node }));
}
