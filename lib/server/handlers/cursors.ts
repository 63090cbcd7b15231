import { cursorSchema, type CursorUpdate } from "../../protocol";
import { bind } from "../bind";
import { fail } from "../reply";
import { boardRoom, type ScribbleSocket } from "../rooms";
import type { Context } from "../types";

export function registerCursorHandlers(ctx: Context, socket: ScribbleSocket): void {
  const { boards, config, cursors } = ctx;

  const publish = (update: (id: string) => CursorUpdate) => {
    const member = boards.memberOf(socket.id);
    if (!member) return fail("NOT_JOINED", "Join a board before showing a cursor on it.");
    if (config.cursorMode === "relay") {
      socket.volatile.broadcast.to(boardRoom(member.boardId)).emit("cursors", [update(member.user.id)]);
    } else {
      cursors.update(member.boardId, update(member.user.id));
    }
  };

  bind(ctx, socket, "cursor", cursorSchema, ({ x, y }) => publish((id) => ({ id, x, y })));
  bind(ctx, socket, "cursor:hide", null, () => publish((id) => ({ id, hidden: true })));
}
