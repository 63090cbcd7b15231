import { cursorSchema, laserSchema, type CursorUpdate } from "../../protocol";
import { bind } from "../bind";
import type { Member } from "../board-service";
import { boardRoom, ownersRoom, type ScribbleSocket } from "../rooms";
import type { Context } from "../types";

export function registerCursorHandlers(ctx: Context, socket: ScribbleSocket): void {
  const { boards, config, cursors } = ctx;

  const publish = (member: Member, update: (id: string) => CursorUpdate) => {
    const forbidden = boards.forbidden(member, "cursor");
    if (forbidden) return forbidden;
    if (config.cursorMode === "relay") {
      const audience = boards.cursorAudience(member.boardId);
      const room = audience && member.role !== "owner" ? ownersRoom(member.boardId) : boardRoom(member.boardId);
      socket.volatile.broadcast.to(room).emit("cursors", [update(member.user.id)]);
    } else {
      cursors.update(member.boardId, update(member.user.id));
    }
  };

  bind(ctx, socket, "cursor", cursorSchema, { member: true }, ({ x, y }, member) => publish(member, (id) => ({ id, x, y })));
  bind(ctx, socket, "cursor:hide", null, { member: true }, (_, member) => publish(member, (id) => ({ id, hidden: true })));

  // Everyone sees a laser (that is its point), whatever the board's cursor setting.
  bind(ctx, socket, "laser", laserSchema, { member: true }, ({ points }, member) => {
    const forbidden = boards.forbidden(member, "laser");
    if (forbidden) return forbidden;
    socket.volatile.broadcast.to(boardRoom(member.boardId)).emit("laser", { userId: member.user.id, points });
  });
}
