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
 * Per-connection rates, one for every event: a record, so that an event added to the protocol
 * without a limit does not compile. Generous for a person (a fast drawer commits a few strokes a
 * second; previews and cursors come at most once per frame), tight enough that a flood from one
 * connection cannot crowd out everyone else. Chat also has its own per-person limit.
 */
export function eventLimits(config: Config): Record<keyof ClientToServerEvents, EventLimit> {
  return {
    op: { burst: config.opsPerSecond * 2, perSecond: config.opsPerSecond, excess: "refuse" },
    // A tab asks only after a restore of strokes it lacks, a chunk of ids at a time.
    "strokes:get": { burst: 20, perSecond: 10, excess: "refuse" },
    "board:join": { burst: 10, perSecond: config.joinsPerMinute / 60, excess: "refuse" },
    "board:leave": { burst: 10, perSecond: config.joinsPerMinute / 60, excess: "drop" },
    "stroke:preview": { burst: 120, perSecond: 90, excess: "drop" },
    cursor: { burst: 60, perSecond: 45, excess: "drop" },
    // Reliable (a lost hide leaves a cursor standing), but a pointer leaves the page a few times a second at most.
    "cursor:hide": { burst: 20, perSecond: 10, excess: "drop" },
    // Like the cursor: once per frame at most while pointing.
    laser: { burst: 60, perSecond: 45, excess: "drop" },
    "presence:state": { burst: 10, perSecond: 2, excess: "drop" },
    // Above the per-person limit, so that a person's tabs together meet that one first.
    "chat:send": { burst: config.chatBurst * 2, perSecond: config.chatPerSecond * 2, excess: "refuse" },
    // A tab pings every few seconds; tools and tests use it as a round trip after their sends.
    ping: { burst: 60, perSecond: 20, excess: "refuse" },
    "lobby:watch": { burst: 10, perSecond: 1, excess: "refuse" },
    "lobby:unwatch": { burst: 10, perSecond: 1, excess: "drop" },
    // A person clicking through settings; each change is a stored write.
    "board:manage": { burst: 20, perSecond: 4, excess: "refuse" },
    // Dragging the history slider asks for moment after moment, one at a time (the tab waits for each answer).
    "history:list": { burst: 5, perSecond: 1, excess: "refuse" },
    "history:at": { burst: 10, perSecond: 5, excess: "refuse" },
    "history:restore": { burst: 3, perSecond: 0.5, excess: "refuse" },
  };
}

/** New boards one address may make (each is stored at once): a class's worth at once, then one every 15 s. */
export const CLAIM_LIMIT = { burst: 30, perSecond: 1 / 15 } as const;

/**
 * Owners' changes one address may make, whatever its connections: each rewrites the board's
 * access record (up to about 120 KB with every role and removal kept).
 */
export const MANAGE_LIMIT = { burst: 20, perSecond: 4 } as const;

/** History lists and moments one address may ask for: a slider dragged by a person, whatever the connections. */
export const HISTORY_LIMIT = { burst: 20, perSecond: 5 } as const;

/** Events no handler knows (an old or foreign client): ignored and counted, and few of them. */
export const UNKNOWN_EVENT_LIMIT: EventLimit = { burst: 10, perSecond: 1, excess: "drop" };

/**
 * Invalid payloads a connection may send before it is cut off: a few (an old tab after a
 * deploy), then one every ten seconds. A well-behaved client never sends one.
 */
export const INVALID_INPUT_LIMIT = { burst: 10, perSecond: 0.1 } as const;

/**
 * Points of strokes one client address may be sent in `strokes:get` answers (all its connections
 * together, a class behind one NAT sharing it): an ask of a few ids can cost the server an answer
 * of megabytes to encode, so the answers are what is limited. About 2 MB of JSON a second: a tab
 * asks one answer (at most 30,000 points) at a time, and a class that lacks a whole big board
 * after an undone clear gets it within a minute or so.
 */
export const STROKE_FETCH_LIMIT = { burst: 120_000, perSecond: 100_000 } as const;
