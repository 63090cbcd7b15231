import { describe, expect, it } from "vitest";
import { Board } from "@/lib/board";
import type { AppliedOp } from "@/lib/protocol";
import { upgradeOp, upgradeStored } from "@/lib/server/storage/upgrade";
import { applied, committedStroke } from "./fixtures";

/** A restore as the previous version stored it: with the strokes themselves. */
const legacyRestore = (seq: number, ...ids: string[]) =>
  ({ seq, author: "u-ada", op: { type: "stroke:restore", opId: `restore-${seq}`, strokes: ids.map((id, i) => committedStroke(id, i + 1)) } }) as unknown as AppliedOp;

describe("upgrading stored ops", () => {
  it("turns a legacy restore into its ids and leaves every other op as it is", () => {
    const add = applied(1, { type: "stroke:add", opId: "add-a", stroke: committedStroke("a", 1) });
    const erase = applied(3, { type: "stroke:erase", opId: "erase", strokeIds: ["a", "b"] });
    const current = applied(5, { type: "stroke:restore", opId: "r", strokeIds: ["a"] });

    expect(upgradeOp(legacyRestore(4, "a", "b"))).toEqual(applied(4, { type: "stroke:restore", opId: "restore-4", strokeIds: ["a", "b"] }));
    for (const op of [add, erase, current]) expect(upgradeOp(op)).toBe(op);
  });

  it("upgrades a loaded board's log, keeps its other fields, and passes a missing board through", () => {
    const log = [
      applied(1, { type: "stroke:add", opId: "add-a", stroke: committedStroke("a", 1) }),
      applied(2, { type: "stroke:erase", opId: "erase", strokeIds: ["a"] }),
      legacyRestore(3, "a"),
    ];
    const upgraded = upgradeStored({ epoch: "e", snapshot: null, ops: log, chat: [] });

    expect(upgraded).toMatchObject({ epoch: "e", snapshot: null, chat: [] });
    const board = new Board("room-1");
    for (const op of upgraded!.ops) board.applyCommitted(op);
    expect(board.visibleStrokes()).toEqual([committedStroke("a", 1)]);
    expect(upgradeStored(null)).toBeNull();
  });
});
