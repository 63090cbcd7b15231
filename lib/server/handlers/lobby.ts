import { lobbyWatchSchema } from "../../protocol";
import { bind } from "../bind";
import { isLobbyRoom, leaveRooms, lobbyRoom, type ScribbleSocket } from "../rooms";
import type { Context } from "../types";

export function registerLobbyHandlers(ctx: Context, socket: ScribbleSocket): void {
  const unwatch = () => leaveRooms(socket, isLobbyRoom);
  bind(ctx, socket, "lobby:watch", lobbyWatchSchema, ({ boards }) => {
    unwatch();
    const named = [...new Set(boards)];
    socket.join(named.map(lobbyRoom));
    return { ok: true, boards: named.map((boardId) => ({ boardId, count: ctx.boards.headCount(boardId) })) };
  });
  bind(ctx, socket, "lobby:unwatch", null, unwatch);
}
