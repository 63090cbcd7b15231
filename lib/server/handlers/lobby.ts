import { lobbyWatchSchema } from "../../protocol";
import { bind } from "../bind";
import { isLobbyRoom, leaveRooms, LOBBIES, lobbyRoom, type ScribbleSocket } from "../rooms";
import type { Context } from "../types";

export function registerLobbyHandlers(ctx: Context, socket: ScribbleSocket): void {
  const { lobby } = ctx;
  // Counts watches and unwatches: one answered after a later one must change nothing.
  let latest = 0;
  const unwatch = () => {
    latest += 1;
    leaveRooms(socket, isLobbyRoom);
    socket.data.lobby = undefined;
  };
  bind(ctx, socket, "lobby:watch", lobbyWatchSchema, async ({ boards }) => {
    const mine = ++latest;
    const listed = await lobby.listed();
    if (mine !== latest) return { ok: true, boards: [], listed: [] };
    // After the read, in one turn: this watch replaces the last one whole, never half.
    unwatch();
    const named = [...new Set(boards)];
    socket.data.lobby = named;
    socket.join([LOBBIES, ...named.map(lobbyRoom), ...listed.map(lobbyRoom)]);
    return { ok: true, boards: named.map((id) => lobby.summary(id)), listed: listed.map((id) => lobby.summary(id)) };
  });
  bind(ctx, socket, "lobby:unwatch", null, unwatch);
}
