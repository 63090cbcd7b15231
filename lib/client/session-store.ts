import { createStore, type StoreApi } from "zustand/vanilla";

/**
 * `outdated`: the server speaks another protocol version; only a reload of the page helps.
 * `dismissed`: off the board for good (see `SessionDismissal`); nothing more is sent.
 */
export type JoinPhase = "joining" | "refused" | "joined" | "outdated" | "dismissed";

/** Why a tab is off its board: an owner removed this browser or ended the session, the operator deleted the board, or its view-only link leads nowhere. */
export interface SessionDismissal {
  reason: "removed" | "ended" | "deleted" | "unknown-link";
  /** The owner who did it (a user id), when the board said. */
  by?: string;
}

export interface SessionStore {
  phase: JoinPhase;
  /** Why the last join was refused (a taken name, say), shown beside the name field. */
  joinError: string | null;
  dismissal: SessionDismissal | null;
  /** Joined on the current connection: changes go out (until then they wait in their queues). */
  live: boolean;
  /** The latest change the server refused, told to the person once. */
  opError: { id: number; message: string } | null;
}

export const createSessionStore = (): StoreApi<SessionStore> =>
  createStore<SessionStore>(() => ({ phase: "joining", joinError: null, dismissal: null, live: false, opError: null }));
