import type { ClientToServerEvents } from "../protocol";
import type { BoardService } from "./board-service";
import type { Config } from "./config";
import type { CursorHub } from "./cursors";
import type { Lobby } from "./lobby";
import type { EventLimit } from "./event-limits";
import type { Logger } from "./log";
import type { Metrics } from "./metrics";
import type { Allowance, RateLimiter } from "./rate-limit";
import type { ScribbleServer } from "./rooms";

/** What every handler may use: built once by `createSocketServer`. */
export interface Context {
  io: ScribbleServer;
  config: Config;
  log: Logger;
  boards: BoardService;
  lobby: Lobby;
  cursors: CursorHub;
  /** Per client address: points of strokes sent in `strokes:get` answers. */
  fetchLimits: RateLimiter;
  /** Chat messages per person (`boardId/clientId`), shared by their tabs (on any node of a cluster) and kept a while after they leave. */
  chatLimits: Allowance;
  /** Owners' changes per client address (each rewrites a board's access record). */
  manageLimits: RateLimiter;
  /** History lists and moments per client address (each walks a board's history). */
  historyLimits: RateLimiter;
  /** New boards claimed (each stores a board) per client address. */
  claimLimits: RateLimiter;
  /** Bytes of ops per client address, shared by all its connections. */
  writeLimits: RateLimiter;
  /** Per connection, by event. */
  limits: Record<keyof ClientToServerEvents, EventLimit>;
  metrics: Metrics;
}
