import { manageRequestSchema } from "../../protocol";
import { bind } from "../bind";
import { leaveBoard } from "../departure";
import { boardRoom, ownersRoom, type ScribbleSocket } from "../rooms";
import type { Context } from "../types";

/** Owners' controls: settings, one person's role, removal and readmission, ending the session. */
export function registerManageHandler(ctx: Context, socket: ScribbleSocket): void {
  bind(ctx, socket, "board:manage", manageRequestSchema, { member: true }, async (req, member) => {
    const res = await ctx.boards.manage(member, req, Date.now());
    if (!res.ok) return res;
    const { boardId } = member;
    for (const change of res.changes) ctx.io.to(boardRoom(boardId)).emit("board:access", change);
    for (const change of res.ownerChanges) ctx.io.to(ownersRoom(boardId)).emit("board:access", change);
    if (res.removed) ctx.io.to(ownersRoom(boardId)).emit("owner:removed", res.removed);
    if (res.dismiss) {
      for (const id of res.dismiss.socketIds) {
        const tab = ctx.io.sockets.sockets.get(id);
        if (!tab) continue;
        tab.emit("board:dismissed", res.dismiss.dismissal);
        leaveBoard(ctx, tab);
      }
    }
    ctx.log.info("board managed", { board: boardId, by: member.user.name, type: req.type });
    if (req.type === "settings" && req.settings.listed !== undefined) ctx.lobby.listingChange();
    return { ok: true };
  });
}
