import { cursorSchema, type CursorUpdate } from "../../protocol";
import { bind } from "../bind";
import type { Member } from "../board-service";
import { boardRoom, type ScribbleSocket } from "../rooms";
import type { Context } from "../types";

export function registerCursorHandlers(ctx: Context, socket: ScribbleSocket): void {
  const { config, cursors } = ctx;

  const publish = (member: Member, update: (id: string) => CursorUpdate) => {
    if (config.cursorMode === "relay") {
      socket.volatile.broadcast.to(boardRoom(member.boardId)).emit("cursors", [update(member.user.id)]);
    } else {
      cursors.update(member.boardId, update(member.user.id));
    }
  };

  bind(ctx, socket, "cursor", cursorSchema, { member: true }, ({ x, y }, member) => publish(member, (id) => ({ id, x, y })));
  bind(ctx, socket, "cursor:hide", null, { member: true }, (_, member) => publish(member, (id) => ({ id, hidden: true })));
}
