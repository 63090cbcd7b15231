import { createStore } from "zustand/vanilla";
import type { Circle, Color } from "../protocol";

interface PendingColor {
  opId: string;
  color: Color;
}

export interface BoardStore {
  /** The circle as the server last ordered it. */
  confirmed: Circle;
  /** Own changes sent but not yet acked, oldest first; the newest is what this tab shows. */
  pending: PendingColor[];
  /** The board's latest sequence number this tab has seen. */
  seq: number;
  reset(circle: Circle, seq: number): void;
  setLocal(opId: string, color: Color): void;
  acked(opId: string, seq: number): void;
  refused(opId: string): void;
  remote(circle: Circle, seq: number): void;
}

/**
 * Optimistic, server-ordered circle: a click shows at once; the server's order decides the
 * colour everybody ends on. A change with a higher `version` (board seq) always wins, whether
 * it arrives as someone else's broadcast or as the ack of our own.
 */
export const boardStore = createStore<BoardStore>((set, get) => ({
  confirmed: { color: "#000000", version: 0 },
  pending: [],
  seq: 0,
  reset: (circle, seq) => set({ confirmed: circle, seq: Math.max(seq, circle.version) }),
  setLocal: (opId, color) => set({ pending: [...get().pending, { opId, color }] }),
  acked: (opId, seq) => {
    const op = get().pending.find((p) => p.opId === opId);
    if (!op) return;
    const pending = get().pending.filter((p) => p.opId !== opId);
    const newer = seq > get().confirmed.version;
    set({
      pending,
      confirmed: newer ? { color: op.color, version: seq } : get().confirmed,
      seq: Math.max(get().seq, seq),
    });
  },
  refused: (opId) => set({ pending: get().pending.filter((p) => p.opId !== opId) }),
  remote: (circle, seq) => {
    if (circle.version <= get().confirmed.version) return;
    set({ confirmed: circle, seq: Math.max(get().seq, seq) });
  },
}));

export const displayedColor = (s: BoardStore): Color => s.pending.at(-1)?.color ?? s.confirmed.color;
