import { opRequestSchema, strokePreviewSchema } from "../../protocol";
import { bind, fail } from "../bind";
import { boardRoom, type Context, type ScribbleSocket } from "../types";

export function registerOpHandlers(ctx: Context, socket: ScribbleSocket): void {
  const { boards, io } = ctx;

  bind(ctx, socket, "op", opRequestSchema, async (req) => {
    const member = boards.memberOf(socket.id);
    const res = await boards.commit(socket.id, req);
    if (!res.ok) {
      // The board no longer matches its storage: its tabs reconnect and load it afresh. Their
      // connections are closed (not the sockets disconnected, which would stop them reconnecting),
      // after this answer has gone out.
      if (res.reload && member) {
        setImmediate(() => {
          for (const id of io.sockets.adapter.rooms.get(boardRoom(member.boardId)) ?? []) io.sockets.sockets.get(id)?.conn.close();
        });
      }
      return res;
    }
    // A resend of an op applied before is acked again but sent to nobody again.
    if (res.applied) {
      ctx.metrics.count("opsCommitted");
      socket.broadcast.to(boardRoom(res.boardId)).emit("op", res.applied);
    }
    return { ok: true, seq: res.seq, applied: res.applied };
  });

  bind(ctx, socket, "stroke:preview", strokePreviewSchema, (preview) => {
    const member = boards.memberOf(socket.id);
    if (!member) return fail("NOT_JOINED", "Join a board before drawing on it.");
    // Volatile: a preview that cannot be written now is worthless later; the commit carries all.
    socket.volatile.broadcast.to(boardRoom(member.boardId)).emit("stroke:preview", { ...preview, userId: member.user.id });
  });
}
