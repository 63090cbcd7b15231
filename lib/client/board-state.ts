import { createAccessStore } from "./access-store";
import { createReplicaStore } from "./board-replica";
import { createChatStore } from "./chat-store";
import { createCursorStore } from "./cursor-store";
import { createHistoryStore } from "./history-store";
import { createLaserStore } from "./laser-store";
import { createLiveStore } from "./live-store";
import { createPresenceStore } from "./presence-store";
import { createSessionStore } from "./session-store";
import { createTimelineStore } from "./timeline-store";

/**
 * Everything a tab knows about the one board it is on, made anew for each board session: the
 * session writes it, React reads it (through BoardStateProvider). What belongs to the tab rather
 * than to a board (the connection's health, the chosen tool) lives in the tab-wide stores.
 */
export function createBoardState() {
  return {
    /** The board: the server's order plus own pending changes. */
    replica: createReplicaStore(),
    history: createHistoryStore(),
    presence: createPresenceStore(),
    chat: createChatStore(),
    /** Others' strokes in progress. */
    live: createLiveStore(),
    /** Laser trails, fading. */
    laser: createLaserStore(),
    cursors: createCursorStore(),
    /** Whether the board has owners, its settings, and what only owners see. */
    access: createAccessStore(),
    /** The history panel: the board's changes, and the moment shown instead of now. */
    timeline: createTimelineStore(),
    /** Join phase and refusals. */
    session: createSessionStore(),
  };
}

export type BoardState = ReturnType<typeof createBoardState>;
