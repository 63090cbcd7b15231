import { createStore, type StoreApi } from "zustand/vanilla";
import { UndoHistory, type Action, type HistoryStep } from "../board";

export interface HistoryStore {
  canUndo: boolean;
  canRedo: boolean;
  record(action: Action): void;
  /** What to send to undo the latest action, in order, or null when there is none. */
  undo(): HistoryStep[] | null;
  redo(): HistoryStep[] | null;
  /** Takes back the action of an op the server refused. */
  forget(opId: string): void;
}

/** This tab's undo history on one board; every action keeps canUndo/canRedo true to it. */
export const createHistoryStore = (): StoreApi<HistoryStore> =>
  createStore<HistoryStore>((set) => {
    const history = new UndoHistory();
    const changed = <T>(result: T): T => {
      set({ canUndo: history.canUndo, canRedo: history.canRedo });
      return result;
    };
    return {
      canUndo: false,
      canRedo: false,
      record: (action) => changed(history.record(action)),
      undo: () => changed(history.undo()),
      redo: () => changed(history.redo()),
      forget: (opId) => changed(history.forget(opId)),
    };
  });
