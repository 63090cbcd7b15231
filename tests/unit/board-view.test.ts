import { describe, expect, it } from "vitest";
import { Board, DEFAULT_CIRCLE_COLOR } from "@/lib/board";
import type { BoardReplica } from "@/lib/client/board-replica";
import { computeView, selectView } from "@/lib/client/board-view";
import type { OpRequest } from "@/lib/protocol";
import { addOp, applied, circleOp, clearOp, committedStroke, eraseOp, restoreOp, strokeInput } from "./fixtures";

/** Strokes a, b, c at seq 1..3; b erased at seq 4; the circle red since seq 5. */
function confirmed(): Board {
  const board = new Board("room-1", {
    seq: 3,
    circle: { color: DEFAULT_CIRCLE_COLOR, version: 0 },
    strokes: [committedStroke("a", 1), committedStroke("b", 2), committedStroke("c", 3)],
  });
  board.applyCommitted(applied(4, { type: "stroke:erase", opId: "e", strokeIds: ["b"] }));
  board.applyCommitted(applied(5, { type: "circle:set", opId: "c", color: "#ff0000" }));
  return board;
}

const viewIds = (pending: OpRequest[]) => computeView(confirmed(), pending).strokes.map((s) => s.id);

describe("computeView", () => {
  it("is the confirmed board when nothing is pending", () => {
    const board = confirmed();
    expect(computeView(board, [])).toEqual({ circleColor: "#ff0000", strokes: board.visibleStrokes() });
  });

  it("shows a pending stroke at once, on top of every confirmed one", () => {
    const view = computeView(confirmed(), [addOp("op-1", strokeInput("mine"))]);
    expect(view.strokes.map((s) => s.id)).toEqual(["a", "c", "mine"]);
    expect(view.strokes.at(-1)).toEqual(strokeInput("mine"));
  });

  it("shows a pending stroke once only when the board already has it (acked before it left pending)", () => {
    expect(viewIds([addOp("op-1", strokeInput("a"))])).toEqual(["a", "c"]);
  });

  it("hides strokes a pending erase names, confirmed or pending", () => {
    expect(viewIds([eraseOp("op-1", "a")])).toEqual(["c"]);
    expect(viewIds([addOp("op-1", strokeInput("mine")), eraseOp("op-2", "mine")])).toEqual(["a", "c"]);
  });

  it("hides everything under a pending clear, pending strokes before it included, but not strokes after it", () => {
    expect(viewIds([addOp("op-1", strokeInput("before")), clearOp("op-2")])).toEqual([]);
    expect(viewIds([addOp("op-1", strokeInput("before")), clearOp("op-2"), addOp("op-3", strokeInput("after"))])).toEqual([
      "after",
    ]);
  });

  it("does not bring back a stroke restored before a pending clear", () => {
    expect(viewIds([restoreOp("op-1", "b"), clearOp("op-2")])).toEqual([]);
  });

  it("shows an erased stroke a pending restore names in its seq position, not on top", () => {
    expect(viewIds([restoreOp("op-1", "b")])).toEqual(["a", "b", "c"]);
    expect(viewIds([restoreOp("op-1", "b"), addOp("op-2", strokeInput("mine"))])).toEqual(["a", "b", "c", "mine"]);
  });

  it("follows the pending ops in order: erase then restore shows, restore then erase hides", () => {
    expect(viewIds([eraseOp("op-1", "a"), restoreOp("op-2", "a")])).toEqual(["a", "c"]);
    expect(viewIds([restoreOp("op-1", "b"), eraseOp("op-2", "b")])).toEqual(["a", "c"]);
    expect(viewIds([clearOp("op-1"), restoreOp("op-2", "c")])).toEqual(["c"]);
  });

  it("shows the newest pending circle colour over the confirmed one", () => {
    expect(computeView(confirmed(), [circleOp("op-1", "#00ff00")]).circleColor).toBe("#00ff00");
    expect(computeView(confirmed(), [circleOp("op-1", "#00ff00"), circleOp("op-2", "#0000ff")]).circleColor).toBe("#0000ff");
    // Stroke ops leave the circle alone.
    expect(computeView(confirmed(), [clearOp("op-1")]).circleColor).toBe("#ff0000");
  });

  it("leaves the board itself untouched", () => {
    const board = confirmed();
    computeView(board, [clearOp("op-1"), addOp("op-2", strokeInput("mine")), circleOp("op-3", "#00ff00")]);
    expect(board.visibleStrokes().map((s) => s.id)).toEqual(["a", "c"]);
    expect(board.circle).toEqual({ color: "#ff0000", version: 5 });
  });
});

describe("selectView", () => {
  const state = (board: Board, version: number, pending: OpRequest[]) => ({ board, version, pending }) as unknown as BoardReplica;

  it("computes once per change: the same object until the version, pending list or board changes", () => {
    const board = confirmed();
    const pending: OpRequest[] = [];
    const first = selectView(state(board, 1, pending));

    expect(selectView(state(board, 1, pending))).toBe(first);

    board.applyCommitted(applied(6, { type: "stroke:add", opId: "x", stroke: committedStroke("d", 6) }));
    const afterOp = selectView(state(board, 2, pending));
    expect(afterOp).not.toBe(first);
    expect(afterOp.strokes.map((s) => s.id)).toEqual(["a", "c", "d"]);

    const withPending = selectView(state(board, 2, [eraseOp("op-1", "a")]));
    expect(withPending.strokes.map((s) => s.id)).toEqual(["c", "d"]);

    const otherBoard = selectView(state(new Board("room-2"), 2, pending));
    expect(otherBoard.strokes).toEqual([]);
  });
});

describe("computeView: restored strokes the tab lacks", () => {
  /** The confirmed board, plus a restore (seq 6) of x, a stroke this tab never had. */
  function withMissing(): Board {
    const board = confirmed();
    board.applyCommitted(applied(6, { type: "stroke:restore", opId: "r", strokeIds: ["x"] }));
    return board;
  }

  it("shows nothing of it until it arrives, then shows it in its seq position", () => {
    const board = withMissing();
    expect(computeView(board, []).strokes.map((s) => s.id)).toEqual(["a", "c"]);
    // An own restore of it pending changes nothing either: there is nothing to draw yet.
    expect(computeView(board, [restoreOp("op-1", "x")]).strokes.map((s) => s.id)).toEqual(["a", "c"]);

    board.fill(["x"], [committedStroke("x", 2)]);

    expect(computeView(board, []).strokes.map((s) => s.id)).toEqual(["a", "x", "c"]);
    expect(computeView(board, [eraseOp("op-2", "x")]).strokes.map((s) => s.id)).toEqual(["a", "c"]);
  });

  it("shows it under a pending own restore when it arrived hidden (an erase came first)", () => {
    const board = withMissing();
    board.applyCommitted(applied(7, { type: "stroke:erase", opId: "e2", strokeIds: ["x"] }));
    board.fill(["x"], [committedStroke("x", 2)]);

    expect(computeView(board, []).strokes.map((s) => s.id)).toEqual(["a", "c"]);
    expect(computeView(board, [restoreOp("op-1", "x")]).strokes.map((s) => s.id)).toEqual(["a", "x", "c"]);
  });
});
