import { bind } from "../bind";
import { LOBBY_ROOM, type ScribbleSocket } from "../rooms";
import type { Context } from "../types";

export function registerLobbyHandlers(ctx: Context, socket: ScribbleSocket): void {
  bind(ctx, socket, "lobby:watch", null, () => {
    socket.join(LOBBY_ROOM);
    return { ok: true, boards: ctx.boards.activeBoards() };
  });
  bind(ctx, socket, "lobby:unwatch", null, () => {
    socket.leave(LOBBY_ROOM);
  });
}
