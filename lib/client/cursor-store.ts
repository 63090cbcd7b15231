import { createStore, type StoreApi } from "zustand/vanilla";
import type { CursorUpdate } from "../protocol";

export interface CursorStore {
  /** userId → latest position in board units; a hidden cursor is simply absent. */
  positions: Map<string, { x: number; y: number }>;
  /** Bumped on every change; the cursor layer reads positions transiently. */
  tick: number;
  apply(updates: readonly CursorUpdate[]): void;
  remove(userId: string): void;
  clear(): void;
}

export const createCursorStore = (): StoreApi<CursorStore> => createStore<CursorStore>((set, get) => ({
  positions: new Map(),
  tick: 0,
  apply: (updates) => {
    const next = new Map(get().positions);
    for (const u of updates) {
      if ("hidden" in u) next.delete(u.id);
      else next.set(u.id, { x: u.x, y: u.y });
    }
    set({ positions: next, tick: get().tick + 1 });
  },
  remove: (userId) => {
    if (!get().positions.has(userId)) return;
    const next = new Map(get().positions);
    next.delete(userId);
    set({ positions: next, tick: get().tick + 1 });
  },
  clear: () => set({ positions: new Map(), tick: get().tick + 1 }),
}));

/** The ids with a visible cursor, as one string, so that React re-renders only when that set changes. */
export const visibleCursorIds = (s: CursorStore): string => [...s.positions.keys()].sort().join(" ");
