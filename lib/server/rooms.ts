import type { Server, Socket } from "socket.io";
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from "../protocol";

/** The Socket.IO server and socket, typed with the protocol's events. */
export type ScribbleServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ScribbleSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** Everyone on one board. */
export const boardRoom = (boardId: string) => `board:${boardId}`;
/** Every tab of one person on one board: where direct messages go. */
export const userRoom = (boardId: string, userId: string) => `user:${boardId}:${userId}`;
/** Every tab of the board's owners: what only owners are told. */
export const ownersRoom = (boardId: string) => `owners:${boardId}`;
/** The lobbies watching one board's head count. */
export const lobbyRoom = (boardId: string) => `lobby:${boardId}`;
/** Every lobby: told when the listed boards change. */
export const LOBBIES = "lobby";
export const isLobbyRoom = (room: string) => room === LOBBIES || room.startsWith("lobby:");

/** Takes the socket out of the rooms `which` picks, never its own (the room named by its id). */
export function leaveRooms(socket: ScribbleSocket, which: (room: string) => boolean): void {
  for (const room of [...socket.rooms]) if (room !== socket.id && which(room)) void socket.leave(room);
}

/** The sockets in one room now. */
export function* roomSockets(io: ScribbleServer, room: string): Generator<ScribbleSocket> {
  for (const id of io.sockets.adapter.rooms.get(room) ?? []) {
    const socket = io.sockets.sockets.get(id);
    if (socket) yield socket;
  }
}

/** The sockets on one board now. */
export const boardSockets = (io: ScribbleServer, boardId: string) => roomSockets(io, boardRoom(boardId));

/**
 * Closes the connections of every tab on a board, so that they reconnect and load it afresh
 * (after a storage failure the board in memory no longer matches what is stored). The
 * connections, not the sockets: a socket disconnected by the server would not reconnect.
 */
export function closeBoardConnections(io: ScribbleServer, boardId: string): void {
  for (const socket of [...boardSockets(io, boardId)]) socket.conn.close();
}
