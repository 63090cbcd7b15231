import type { ClientSocket } from "../../lib/client/socket";
import type { BotIdentity } from "../lib/contracts";
import type { Meter } from "../lib/meter";

/** A bot that has joined: its socket, the user id the server gave it, who it is and where. */
export interface JoinedBot {
  socket: ClientSocket;
  userId: string;
  bot: BotIdentity;
  /** The board it is on now. */
  boardId: string;
}

/** Something every bot of a client process does until stopped: move a cursor, draw strokes... */
export interface Behaviour {
  stop(): void;
}

export type StartBehaviour = (bots: readonly JoinedBot[], options: Record<string, number>, meter: Meter) => Behaviour;
