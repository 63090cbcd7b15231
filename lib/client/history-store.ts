import { createStore } from "zustand/vanilla";
import { UndoHistory } from "../board";

export interface HistoryStore {
  history: UndoHistory;
  canUndo: boolean;
  canRedo: boolean;
  /** Re-reads canUndo/canRedo after the history changed. */
  sync(): void;
  reset(): void;
}

export const historyStore = createStore<HistoryStore>((set, get) => ({
  history: new UndoHistory(),
  canUndo: false,
  canRedo: false,
  sync: () => set({ canUndo: get().history.canUndo, canRedo: get().history.canRedo }),
  reset: () => set({ history: new UndoHistory(), canUndo: false, canRedo: false }),
}));
