import type { CommittedOp } from "./ops";

/** A run of changes of one kind by one person, as a history panel lists them. */
export interface HistoryEntry {
  /** The first and last change of the run: the board as it was after `toSeq` is this entry's moment. */
  fromSeq: number;
  toSeq: number;
  author: string;
  name?: string;
  at?: number;
  type: CommittedOp["type"];
  /** Strokes the run changed (drawn, erased, brought back); for a circle change, how many changes. */
  count: number;
}
