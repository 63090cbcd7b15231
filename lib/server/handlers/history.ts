import { historyMomentSchema } from "../../protocol";
import { handshakeKey } from "../admission";
import { bind } from "../bind";
import { overLimit } from "../reply";
import { closeBoardConnections, type ScribbleSocket } from "../rooms";
import type { Context } from "../types";

/** The board's history: its changes, the board at a moment, and (owners) that moment again for everyone. */
export function registerHistoryHandlers(ctx: Context, socket: ScribbleSocket): void {
  const { boards, io } = ctx;
  // Working out a moment walks the board's history: what one network asks is held to a person's pace, however many connections it has.
  const address = handshakeKey(socket.handshake, ctx.config.trustProxy);
  const paced = <T>(answer: () => T) => overLimit(ctx.historyLimits, address, "history requests") ?? answer();

  bind(ctx, socket, "history:list", null, { member: true }, (_, member) => paced(() => boards.history(member)));
  bind(ctx, socket, "history:at", historyMomentSchema, { member: true }, ({ seq }, member) => paced(() => boards.momentAt(member, seq)));

  bind(ctx, socket, "history:restore", historyMomentSchema, { member: true }, async ({ seq }, member) => {
    const res = await boards.restoreTo(member, seq);
    if (res.ok) ctx.metrics.count("opsCommitted", res.applied.length);
    if (!res.ok) {
      if (res.reload) setImmediate(() => closeBoardConnections(io, member.boardId));
      return res;
    }
    ctx.log.info("board restored", { board: member.boardId, by: member.user.name, seq, ops: res.applied.length });
    return { ok: true, applied: res.applied };
  });
}
