import { describe, expect, it } from "vitest";
import { UndoHistory, type Action } from "@/lib/board";

const drew = (opId: string, ...strokeIds: string[]): Action => ({ opId, undo: [{ change: "erase", strokeIds }] });
const erased = (opId: string, ...strokeIds: string[]): Action => ({ opId, undo: [{ change: "restore", strokeIds }] });

describe("UndoHistory", () => {
  it("has nothing to undo or redo when new", () => {
    const history = new UndoHistory();
    expect([history.canUndo, history.canRedo]).toEqual([false, false]);
    expect(history.undo()).toBeNull();
    expect(history.redo()).toBeNull();
  });

  it("undoes the newest action first with its inverse change, and redoes in reverse", () => {
    const history = new UndoHistory();
    history.record(drew("op-1", "s1"));
    history.record(erased("op-2", "s0", "s1"));

    expect(history.undo()).toEqual([{ change: "restore", strokeIds: ["s0", "s1"] }]);
    expect(history.undo()).toEqual([{ change: "erase", strokeIds: ["s1"] }]);
    expect(history.undo()).toBeNull();
    expect([history.canUndo, history.canRedo]).toEqual([false, true]);

    // Redoing a drawing shows the stroke again; redoing an erase hides the strokes again.
    expect(history.redo()).toEqual([{ change: "restore", strokeIds: ["s1"] }]);
    expect(history.redo()).toEqual([{ change: "erase", strokeIds: ["s0", "s1"] }]);
    expect(history.redo()).toBeNull();
    expect([history.canUndo, history.canRedo]).toEqual([true, false]);
  });

  it("lets an undone action be undone again after a redo", () => {
    const history = new UndoHistory();
    history.record(drew("op-1", "s1"));
    history.undo();
    history.redo();
    expect(history.undo()).toEqual([{ change: "erase", strokeIds: ["s1"] }]);
  });

  it("drops what could be redone once a new action is recorded", () => {
    const history = new UndoHistory();
    history.record(drew("op-1", "s1"));
    history.record(drew("op-2", "s2"));
    history.undo();
    expect(history.canRedo).toBe(true);

    history.record(drew("op-3", "s3"));

    expect(history.canRedo).toBe(false);
    expect(history.redo()).toBeNull();
    expect(history.undo()).toEqual([{ change: "erase", strokeIds: ["s3"] }]);
    expect(history.undo()).toEqual([{ change: "erase", strokeIds: ["s1"] }]);
  });

  it("forgets a refused action wherever it is, leaving the others in order", () => {
    const history = new UndoHistory();
    history.record(drew("op-1", "s1"));
    history.record(drew("op-2", "s2"));
    history.record(drew("op-3", "s3"));

    history.forget("op-2");
    expect(history.undo()).toEqual([{ change: "erase", strokeIds: ["s3"] }]);
    expect(history.undo()).toEqual([{ change: "erase", strokeIds: ["s1"] }]);
    expect(history.undo()).toBeNull();

    // op-1 and op-3 now wait to be redone; forgetting one there takes it out of that stack.
    history.forget("op-3");
    expect(history.redo()).toEqual([{ change: "restore", strokeIds: ["s1"] }]);
    expect(history.redo()).toBeNull();
  });

  it("ignores forgetting an opId it never recorded", () => {
    const history = new UndoHistory();
    history.record(drew("op-1", "s1"));
    history.forget("op-x");
    expect(history.undo()).toEqual([{ change: "erase", strokeIds: ["s1"] }]);
  });

  it("keeps only the newest `limit` actions", () => {
    const history = new UndoHistory(3);
    for (let i = 1; i <= 5; i++) history.record(drew(`op-${i}`, `s${i}`));

    const undone: string[][] = [];
    for (let steps = history.undo(); steps; steps = history.undo()) undone.push(steps[0]!.strokeIds);

    expect(undone).toEqual([["s5"], ["s4"], ["s3"]]);
  });

  it("undoes an action of several steps in order, and redoes their inverses in reverse order", () => {
    const history = new UndoHistory();
    // A restored moment: it erased s2 and brought back s1; undoing it brings back s2 and erases s1.
    history.record({ opId: "restore", undo: [{ change: "restore", strokeIds: ["s2"] }, { change: "erase", strokeIds: ["s1"] }] });
    expect(history.undo()).toEqual([{ change: "restore", strokeIds: ["s2"] }, { change: "erase", strokeIds: ["s1"] }]);
    expect(history.redo()).toEqual([{ change: "restore", strokeIds: ["s1"] }, { change: "erase", strokeIds: ["s2"] }]);
  });
});
