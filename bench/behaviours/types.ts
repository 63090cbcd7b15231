import type { ClientSocket } from "../../lib/client/socket";
import type { Meter } from "../lib/meter";

/** A bot that has joined: its socket and the user id the server gave it. */
export interface JoinedBot {
  socket: ClientSocket;
  userId: string;
}

/** Something every bot of a client process does until stopped: move a cursor, draw strokes... */
export interface Behaviour {
  stop(): void;
}

export type StartBehaviour = (bots: readonly JoinedBot[], options: Record<string, number>, meter: Meter) => Behaviour;
