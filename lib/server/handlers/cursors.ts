import { cursorSchema, laserSchema, type CursorUpdate } from "../../protocol";
import { bind } from "../bind";
import type { Member } from "../board-service";
import { boardRoom, ownersRoom, type ScribbleSocket } from "../rooms";
import type { Context } from "../types";

export function registerCursorHandlers(ctx: Context, socket: ScribbleSocket): void {
  const { boards, config, cursors } = ctx;

  /** `toAll`: past the owners-only audience (a hide, which can only take a cursor away). */
  const publish = (member: Member, update: CursorUpdate, toAll = false) => {
    if (config.cursorMode === "coalesce") return cursors.update(member.boardId, update);
    const ownersOnly = !toAll && member.role !== "owner" && boards.cursorAudience(member.boardId) !== null;
    socket.volatile.broadcast.to(ownersOnly ? ownersRoom(member.boardId) : boardRoom(member.boardId)).emit("cursors", [update]);
  };

  bind(ctx, socket, "cursor", cursorSchema, { member: true }, ({ x, y }, member) => {
    const forbidden = boards.forbidden(member, "cursor");
    if (forbidden) return forbidden;
    publish(member, { id: member.user.id, x, y });
  });
  // Never refused: a lock or a role change leaves the cursor of someone made a viewer standing
  // until they hide it.
  bind(ctx, socket, "cursor:hide", null, { member: true }, (_, member) => publish(member, { id: member.user.id, hidden: true }, true));

  // Everyone sees a laser (that is its point), whatever the board's cursor setting.
  bind(ctx, socket, "laser", laserSchema, { member: true }, ({ points }, member) => {
    const forbidden = boards.forbidden(member, "laser");
    if (forbidden) return forbidden;
    socket.volatile.broadcast.to(boardRoom(member.boardId)).emit("laser", { userId: member.user.id, points });
  });
}
