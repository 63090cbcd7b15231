import { opRequestSchema, previewKey, refuse, strokePreviewSchema, strokesRequestSchema } from "../../protocol";
import { handshakeKey } from "../admission";
import { bind } from "../bind";
import { STROKE_FETCH_LIMIT } from "../event-limits";
import { rateLimited } from "../reply";
import { STROKE_CHUNK_POINTS } from "../join-stream";
import { boardRoom, closeBoardConnections, type ScribbleSocket } from "../rooms";
import type { Context } from "../types";

export function registerOpHandlers(ctx: Context, socket: ScribbleSocket): void {
  const { boards, config, fetchLimits, io, writeLimits } = ctx;
  // One address may hold many connections (a class behind one NAT): what it may store is shared.
  const address = handshakeKey(socket.handshake, config.trustProxy);

  bind(ctx, socket, "op", opRequestSchema, { member: true }, async (req, member) => {
    // An op stores about its own size. One bigger than the whole allowance is charged the
    // allowance, so that it still goes through once the bucket is full.
    const cost = Math.min(JSON.stringify(req).length, config.writeBytesBurst);
    const allowed = writeLimits.take(address, Date.now(), cost);
    if (!allowed.ok) {
      ctx.metrics.count("rateLimited");
      return refuse("RATE_LIMITED", "Too much drawing from your network at once; trying again shortly.", { retryAfterMs: allowed.retryAfterMs });
    }
    // The others hear of it from the room, in seq order; this tab from the answer.
    const res = await boards.commit(member, req, socket.id);
    // Only what is stored spends the address's allowance: not a refusal, not a resend.
    if (!res.ok || !res.applied) writeLimits.refund(address, cost);
    if (!res.ok) {
      // The board no longer matches its storage: its tabs reconnect and load it afresh, once this
      // answer has gone out.
      if (res.reload) setImmediate(() => closeBoardConnections(io, member.boardId));
      return res;
    }
    // A resend of an op applied before is acked again but sent to nobody again.
    if (res.applied) ctx.metrics.count("opsCommitted");
    return { ok: true, seq: res.seq, applied: res.applied };
  });

  // Answered in the same turn as it is read: ops are sent to this socket in order with the
  // answer, so the tab can tell what came before it (see Board.fill). An answer holds no more
  // points than a join chunk, so that it stays well under what a connection may have queued.
  bind(ctx, socket, "strokes:get", strokesRequestSchema, { member: true }, ({ strokeIds }, member) => {
    const res = boards.strokesOf(member, strokeIds, STROKE_CHUNK_POINTS);
    // Charged before the answer is encoded, by what it holds: the encoding is the cost.
    const points = res.strokes.reduce((n, stroke) => n + stroke.points.length / 3, 0);
    const allowed = fetchLimits.take(address, Date.now(), Math.min(points, STROKE_FETCH_LIMIT.burst));
    return allowed.ok ? { ok: true, ...res } : rateLimited("strokes asked for", allowed.retryAfterMs);
  });

  bind(ctx, socket, "stroke:preview", strokePreviewSchema, { member: true }, (preview, member) => {
    const forbidden = boards.forbidden(member, "draw");
    if (forbidden) return forbidden;
    // Volatile: a preview that cannot be written now is worthless later; the commit carries all.
    socket.volatile.broadcast
      .to(boardRoom(member.boardId))
      .emit("stroke:preview", { ...preview, id: previewKey(preview.id), userId: member.user.id });
  });
}
