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
    const named = [...new Set(boards)];
    const listed = await lobby.listed();
    const [namedCounts, listedCounts] = await Promise.all([lobby.summaries(named), lobby.summaries(listed)]);
    if (mine !== latest) return { ok: true, boards: [], listed: [] };
    // After the read, in one turn: this watch replaces the last one whole, never half.
    unwatch();
    socket.data.lobby = named;
    socket.join([LOBBIES, ...named.map(lobbyRoom), ...listed.map(lobbyRoom)]);
    return { ok: true, boards: namedCounts, listed: listedCounts };
  });
  bind(ctx, socket, "lobby:unwatch", null, unwatch);
}
