import { isLobbyRoom, leaveRooms, type ScribbleSocket } from "./rooms";
import type { Context } from "./types";

/**
 * Takes a socket out of every board room (nobody hears a board without being on its people
 * list); a lobby in the same tab keeps watching. The others hear of the leave from the room's
 * events (see room-events.ts), on every node.
 */
export function leaveBoardRooms(socket: ScribbleSocket): void {
  leaveRooms(socket, (room) => !isLobbyRoom(room));
}

/** Takes a tab off its board, as if it had left; what it was sending for that board (a join's strokes) stops. */
export function leaveBoard(ctx: Context, socket: ScribbleSocket): void {
  leaveBoardRooms(socket);
  ctx.boards.leave(socket.id);
  socket.data = { lobby: socket.data.lobby, joinId: (socket.data.joinId ?? 0) + 1 };
}
