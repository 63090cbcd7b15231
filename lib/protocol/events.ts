import type { Ack, ProtocolError } from "./errors";
import type { CircleSetRequest, JoinRequest } from "./schemas";

/** A colour as it travels: lowercase `#rrggbb`. */
export type Color = string;

export interface User {
  /** Stable for as long as the person has at least one tab on the board. */
  id: string;
  name: string;
  color: Color;
}

export interface Circle {
  color: Color;
  /** The board `seq` of the change that set this colour (0: never set). */
  version: number;
}

export interface BoardSummary {
  boardId: string;
  /** People on the board now (a person with several tabs counts once). */
  count: number;
}

export interface JoinSnapshot {
  self: User;
  users: User[];
  circle: Circle;
  seq: number;
}

export interface CircleChanged {
  circle: Circle;
  seq: number;
}

export interface ClientToServerEvents {
  "lobby:watch": (ack: (res: Ack<{ boards: BoardSummary[] }>) => void) => void;
  "lobby:unwatch": () => void;
  "board:join": (req: JoinRequest, ack: (res: Ack<JoinSnapshot>) => void) => void;
  "board:leave": () => void;
  "circle:set": (req: CircleSetRequest, ack: (res: Ack<{ seq: number }>) => void) => void;
  ping: (ack: (res: Ack<{ now: number }>) => void) => void;
}

export interface ServerToClientEvents {
  "lobby:boards": (boards: BoardSummary[]) => void;
  "presence:joined": (user: User) => void;
  "presence:left": (userId: string) => void;
  "circle:changed": (change: CircleChanged) => void;
  /** Sent before a graceful shutdown: the client keeps reconnecting until the server is back. */
  "server:shutdown": () => void;
  /** The answer to a refused event that carried no ack callback. */
  error: (error: ProtocolError) => void;
}

/** No server-to-server events yet: one process serves every board. */
export type InterServerEvents = Record<string, never>;

export interface SocketData {
  boardId?: string;
  userId?: string;
  clientId?: string;
  watchingLobby?: boolean;
}
