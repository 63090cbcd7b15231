import { manageRequestSchema } from "../../protocol";
import { handshakeKey } from "../admission";
import { bind } from "../bind";
import { overLimit } from "../reply";
import type { Managed } from "../board-room";
import { boardRoom, ownersRoom, type ScribbleSocket } from "../rooms";
import type { Context } from "../types";

/** Owners' controls: settings, one person's role, removal and readmission, ending the session. */
export function registerManageHandler(ctx: Context, socket: ScribbleSocket): void {
  const address = handshakeKey(socket.handshake, ctx.config.trustProxy);
  bind(ctx, socket, "board:manage", manageRequestSchema, { member: true }, async (req, member) => {
    // Only owners' changes spend the address's allowance: students behind the teacher's NAT,
    // refused anyway, must not use it up.
    const res = await ctx.boards.manage(member, req, Date.now(), () => overLimit(ctx.manageLimits, address, "changes to the board's settings"));
    if (!res.ok) return res;
    await deliverManaged(ctx, member.boardId, res);
    ctx.log.info("board managed", { board: member.boardId, by: member.user.name, type: req.type });
    return { ok: true };
  });
}

/** Tells everyone on a board, and its owners, what a change by an owner or the operator did, then takes off the tabs it sends away. */
export async function deliverManaged(ctx: Context, boardId: string, managed: Managed): Promise<void> {
  for (const change of managed.changes) ctx.io.to(boardRoom(boardId)).emit("board:access", change);
  for (const change of managed.ownerChanges) ctx.io.to(ownersRoom(boardId)).emit("board:access", change);
  if (managed.removed) ctx.io.to(ownersRoom(boardId)).emit("owner:removed", managed.removed);
  if (managed.viewKey) ctx.io.to(ownersRoom(boardId)).emit("owner:view-key", managed.viewKey);
  if (managed.relist) ctx.lobby.listingChange();
  if (managed.dismiss) await ctx.boards.dismiss(boardId, managed.dismiss.socketIds, managed.dismiss.dismissal);
}
