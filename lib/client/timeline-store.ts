import { createStore, type StoreApi } from "zustand/vanilla";
import type { Circle, HistoryEntry, Stroke } from "../protocol";

/** The board as it was at one moment, shown in this tab only. */
export interface Moment {
  seq: number;
  /** Visible then, in z-order. */
  strokes: Stroke[];
  circle: Circle;
}

export interface TimelineStore {
  /** The history panel is open. */
  open: boolean;
  /** Runs of changes, oldest first, and the earliest moment the board can show. */
  entries: HistoryEntry[];
  firstSeq: number;
  /** The moment shown instead of the board as it is; null for the board now. */
  moment: Moment | null;
  /** A list or a moment is on its way. */
  loading: boolean;
  error: string | null;
}

export const createTimelineStore = (): StoreApi<TimelineStore> =>
  createStore<TimelineStore>(() => ({ open: false, entries: [], firstSeq: 0, moment: null, loading: false, error: null }));
