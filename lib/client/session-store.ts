import { createStore, type StoreApi } from "zustand/vanilla";

/** `outdated`: the server speaks another protocol version; only a reload of the page helps. */
export type JoinPhase = "joining" | "refused" | "joined" | "outdated";

export interface SessionStore {
  phase: JoinPhase;
  /** Why the last join was refused (a taken name, say), shown beside the name field. */
  joinError: string | null;
  /** The latest change the server refused, told to the person once. */
  opError: { id: number; message: string } | null;
}

export const createSessionStore = (): StoreApi<SessionStore> =>
  createStore<SessionStore>(() => ({ phase: "joining", joinError: null, opError: null }));
