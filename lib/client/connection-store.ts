import { createStore } from "zustand/vanilla";

export type ConnectionState = "connecting" | "connected" | "reconnecting" | "offline";

export interface ConnectionStore {
  state: ConnectionState;
  transport: string | null;
  /** Round-trip time of the last ack ping, in ms. */
  rttMs: number | null;
  /** Why we are not connected, in words for people. */
  detail: string | null;
  /** In a cluster, the node serving this tab (its NODE_ID). */
  node: string | null;
}

/** Tab-wide, not per board: the tab has one socket, shared by the lobby and every board it opens. */
export const connectionStore = createStore<ConnectionStore>(() => ({
  state: "connecting",
  transport: null,
  rttMs: null,
  detail: null,
  node: null,
}));
