import type { Server, Socket } from "socket.io";
import type { ClientToServerEvents, InterServerEvents, ServerToClientEvents, SocketData } from "../protocol";

/** The Socket.IO server and socket, typed with the protocol's events. */
export type ScribbleServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type ScribbleSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

/** Everyone on one board. */
export const boardRoom = (boardId: string) => `board:${boardId}`;
/** Every tab of one person on one board: where direct messages go. */
export const userRoom = (boardId: string, userId: string) => `user:${boardId}:${userId}`;
/** The tabs watching the lobby's board list. */
export const LOBBY_ROOM = "lobby";
