import type { Left } from "./board-service";
import { boardRoom, isLobbyRoom, leaveRooms, type ScribbleSocket } from "./rooms";
import type { Context } from "./types";

/**
 * After the service took a tab off its board (`left`): out of every board room first (nobody
 * hears a board without being on its people list), then the others hear of it. A lobby in the
 * same tab keeps watching.
 */
export function announceLeave(ctx: Context, socket: ScribbleSocket, left: Left | undefined): void {
  leaveRooms(socket, (room) => !isLobbyRoom(room));
  if (!left) return;
  const room = boardRoom(left.boardId);
  if (left.user) {
    ctx.cursors.remove(left.boardId, left.user.id);
    ctx.io.to(room).emit("presence:left", left.user.id);
    ctx.log.info("left", { board: left.boardId, user: left.user.name });
  }
  if (left.changed) ctx.io.to(room).emit("presence:state", { userId: left.changed.id, state: left.changed.state });
  ctx.lobby.changed(left.boardId);
}

/** Takes a tab off its board, as if it had left; what it was sending for that board (a join's strokes) stops. */
export function leaveBoard(ctx: Context, socket: ScribbleSocket): void {
  announceLeave(ctx, socket, ctx.boards.leave(socket.id));
  socket.data = { lobby: socket.data.lobby, joinId: (socket.data.joinId ?? 0) + 1 };
}
