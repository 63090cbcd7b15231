/**
 * Undo and redo of one person's own canvas actions. Every action is a set of strokes that became
 * visible (drawn) or hidden (erased, cleared); undoing it hides or shows them again through an
 * ordinary erase or restore, which the server orders like any change. Others' actions never
 * enter this history, so undo never takes back someone else's work.
 */
export type StrokeChange = "erase" | "restore";

export interface Action {
  /** The op that made the action, so that a refused op can be taken out again. */
  opId: string;
  /** What undoing it sends, in order (a restored moment both erases and brings back strokes). */
  undo: HistoryStep[];
}

export interface HistoryStep {
  change: StrokeChange;
  strokeIds: string[];
}

const inverse = (c: StrokeChange): StrokeChange => (c === "erase" ? "restore" : "erase");

export class UndoHistory {
  private readonly done: Action[] = [];
  private readonly undone: Action[] = [];

  constructor(private readonly limit = 200) {}

  /** A new own action: it can be undone, and what was undone before can no longer be redone. */
  record(action: Action): void {
    this.done.push(action);
    if (this.done.length > this.limit) this.done.shift();
    this.undone.length = 0;
  }

  /** Takes back a recorded action whose op the server refused: it never happened. */
  forget(opId: string): void {
    for (const stack of [this.done, this.undone]) {
      const i = stack.findIndex((a) => a.opId === opId);
      if (i >= 0) stack.splice(i, 1);
    }
  }

  get canUndo(): boolean {
    return this.done.length > 0;
  }

  get canRedo(): boolean {
    return this.undone.length > 0;
  }

  undo(): HistoryStep[] | null {
    const action = this.done.pop();
    if (!action) return null;
    this.undone.push(action);
    return action.undo;
  }

  /** The undo's steps turned around: each inverted, the last first. */
  redo(): HistoryStep[] | null {
    const action = this.undone.pop();
    if (!action) return null;
    this.done.push(action);
    return [...action.undo].reverse().map((step) => ({ change: inverse(step.change), strokeIds: step.strokeIds }));
  }
}
