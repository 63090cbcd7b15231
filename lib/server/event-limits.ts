import type { ClientToServerEvents } from "../protocol";
import type { Config } from "./config";

export interface EventLimit {
  /** Events allowed at once. */
  burst: number;
  perSecond: number;
  /** `refuse`: answer RATE_LIMITED with a retry hint; `drop`: ignore silently (volatile traffic). */
  excess: "refuse" | "drop";
}

/**
 * Per-connection rates. Generous for a person (a fast drawer commits a few strokes a second;
 * previews and cursors come at most once per frame), tight enough that a flood from one
 * connection cannot crowd out everyone else. Chat has its own per-person limit.
 */
export function eventLimits(config: Config): Partial<Record<keyof ClientToServerEvents, EventLimit>> {
  return {
    op: { burst: config.opsPerSecond * 2, perSecond: config.opsPerSecond, excess: "refuse" },
    "board:join": { burst: 10, perSecond: config.joinsPerMinute / 60, excess: "refuse" },
    "stroke:preview": { burst: 120, perSecond: 90, excess: "drop" },
    cursor: { burst: 60, perSecond: 45, excess: "drop" },
    "presence:state": { burst: 10, perSecond: 2, excess: "drop" },
    // A tab pings every few seconds; tools and tests use it as a round trip after their sends.
    ping: { burst: 60, perSecond: 20, excess: "refuse" },
    "lobby:watch": { burst: 10, perSecond: 1, excess: "refuse" },
    "lobby:unwatch": { burst: 10, perSecond: 1, excess: "drop" },
  };
}
