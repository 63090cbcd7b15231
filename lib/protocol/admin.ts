import { z } from "zod";
import type { BoardSettings, Role } from "./access";
import type { Ack } from "./errors";
import type { ActivityState } from "./primitives";
import { boardIdSchema } from "./schemas";

/**
 * The `/admin` namespace: what whoever runs the server sees and does, live. Open only when the
 * server has ADMIN_TOKEN; a connection shows it as `auth: { token }`.
 */
export const ADMIN_NAMESPACE = "/admin";

/** The author of a change the server's operator made from /admin (in `AccessChange.by`). */
export const OPERATOR = "operator";

export interface AdminPerson {
  id: string;
  name: string;
  role: Role;
  state: ActivityState;
  tabs: number;
}

export interface AdminBoard {
  boardId: string;
  owned: boolean;
  settings: BoardSettings;
  people: AdminPerson[];
  /** Changes and chat messages a second, over the last report's interval. */
  opsPerSecond: number;
  messagesPerSecond: number;
}

export interface AdminStats {
  /** Server time of the report, ms since the epoch. */
  at: number;
  uptimeSeconds: number;
  connections: number;
  boardsInMemory: number;
  memory: { rssMb: number; heapUsedMb: number };
  /** Boards with people on them, the busiest first (at most 100). */
  boards: AdminBoard[];
  /** Refusals and drops since the start, by kind (see Metrics). */
  counters: Record<string, number>;
}

export const adminBoardSchema = z.strictObject({ boardId: boardIdSchema });
export const adminLockSchema = z.strictObject({ boardId: boardIdSchema, locked: z.boolean() });
export const adminRemoveSchema = z.strictObject({ boardId: boardIdSchema, userId: z.string().min(1).max(64) });

export interface AdminClientToServerEvents {
  "admin:lock": (req: z.input<typeof adminLockSchema>, ack: (res: Ack) => void) => void;
  "admin:remove": (req: z.input<typeof adminRemoveSchema>, ack: (res: Ack) => void) => void;
  /** Deletes the board for good: everyone on it is sent away, and the store forgets it. */
  "admin:delete": (req: z.input<typeof adminBoardSchema>, ack: (res: Ack) => void) => void;
}

export interface AdminServerToClientEvents {
  /** Once a second while connected. */
  "admin:stats": (stats: AdminStats) => void;
}
