import { lobbyWatchSchema } from "../../protocol";
import { bind } from "../bind";
import { isLobbyRoom, leaveRooms, LOBBIES, lobbyRoom, type ScribbleSocket } from "../rooms";
import type { Context } from "../types";

export function registerLobbyHandlers(ctx: Context, socket: ScribbleSocket): void {
  const { lobby } = ctx;
  const unwatch = () => {
    leaveRooms(socket, isLobbyRoom);
    socket.data.lobby = undefined;
  };
  bind(ctx, socket, "lobby:watch", lobbyWatchSchema, async ({ boards }) => {
    const listed = await lobby.listed();
    // After the read, in one turn: a watch sent meanwhile replaces this one whole, never half.
    unwatch();
    const named = [...new Set(boards)];
    socket.data.lobby = named;
    socket.join([LOBBIES, ...named.map(lobbyRoom), ...listed.map(lobbyRoom)]);
    return { ok: true, boards: named.map((id) => lobby.summary(id)), listed: listed.map((id) => lobby.summary(id)) };
  });
  bind(ctx, socket, "lobby:unwatch", null, unwatch);
}
