import { describe, expect, it } from "vitest";
import { Board, BOARD_FULL_MESSAGE, DEDUPE_WINDOW, DEFAULT_CIRCLE_COLOR, type CommitResult } from "@/lib/board";
import { LIMITS, type AppliedOp, type OpRequest } from "@/lib/protocol";
import { addOp, circleOp, clearOp, committedStroke, eraseOp, restoreOp, strokeInput } from "./fixtures";

/** Commits and hands back the AppliedOp, failing the test if the board refused or deduped it. */
function commit(board: Board, req: OpRequest, author = "u-ada"): AppliedOp {
  const res = board.commit(req, author);
  if (!res.ok || res.duplicate) throw new Error(`expected a fresh commit, got ${JSON.stringify(res)}`);
  return res.applied;
}

const ids = (board: Board) => board.visibleStrokes().map((s) => s.id);

/** A board that already holds strokes a, b, c at seq 1, 2, 3. */
function boardWithThree(): Board {
  const board = new Board("room-1");
  for (const id of ["a", "b", "c"]) commit(board, addOp(`add-${id}`, strokeInput(id)));
  return board;
}

describe("Board: the circle", () => {
  it("starts at seq 0 with the default circle, version 0, and no strokes", () => {
    const board = new Board("room-1");
    expect(board.id).toBe("room-1");
    expect(board.seq).toBe(0);
    expect(board.circle).toEqual({ color: DEFAULT_CIRCLE_COLOR, version: 0 });
    expect(board.visibleStrokes()).toEqual([]);
  });

  it("gives every new op the next seq and stamps the circle with it", () => {
    const board = new Board("room-1");

    expect(board.commit(circleOp("op-1", "#ff0000"), "u-ada")).toEqual({
      ok: true,
      duplicate: false,
      applied: { seq: 1, author: "u-ada", op: { type: "circle:set", opId: "op-1", color: "#ff0000" } },
    });
    expect(board.circle).toEqual({ color: "#ff0000", version: 1 });
    commit(board, circleOp("op-2", "#00ff00"));
    commit(board, circleOp("op-3", "#0000ff"), "u-bob");

    expect(board.seq).toBe(3);
    expect(board.circle).toEqual({ color: "#0000ff", version: 3 });
  });

  it("treats a resent opId as a no-op that answers with the original seq", () => {
    const board = new Board("room-1");
    commit(board, circleOp("op-1", "#ff0000"));
    commit(board, circleOp("op-2", "#0000ff"));

    // A different colour under the same opId proves the resend is recognised by id, not content.
    expect(board.commit(circleOp("op-1", "#00ff00"), "u-ada")).toEqual({ ok: true, duplicate: true, seq: 1 });

    expect(board.seq).toBe(2);
    expect(board.circle).toEqual({ color: "#0000ff", version: 2 });
  });

  it(`remembers the last ${DEDUPE_WINDOW} opIds and forgets the oldest beyond that`, () => {
    const board = new Board("room-1");
    for (let i = 0; i < DEDUPE_WINDOW; i++) commit(board, circleOp(`op-${i}`, "#ff0000"));
    expect(board.commit(circleOp("op-0", "#ff0000"), "u-ada")).toEqual({ ok: true, duplicate: true, seq: 1 });

    commit(board, circleOp(`op-${DEDUPE_WINDOW}`, "#ff0000"));

    // op-1 is now the oldest remembered; op-0 has fallen out and counts as new.
    expect(board.commit(circleOp("op-1", "#ff0000"), "u-ada")).toEqual({ ok: true, duplicate: true, seq: 2 });
    expect(commit(board, circleOp("op-0", "#00ff00")).seq).toBe(DEDUPE_WINDOW + 2);
    expect(board.circle).toEqual({ color: "#00ff00", version: DEDUPE_WINDOW + 2 });
  });
});

describe("Board: strokes", () => {
  it("commits a stroke under the next seq, stamped with its author and seq", () => {
    const board = new Board("room-1");
    commit(board, circleOp("op-0", "#ff0000"));
    const input = strokeInput("s-1");

    const applied = commit(board, addOp("op-1", input), "u-bob");

    const stroke = { ...input, author: "u-bob", seq: 2 };
    expect(applied).toEqual({ seq: 2, author: "u-bob", op: { type: "stroke:add", opId: "op-1", stroke } });
    expect(board.seq).toBe(2);
    expect(board.visibleStrokes()).toEqual([stroke]);
    expect(board.stroke("s-1")).toEqual(stroke);
    expect(board.visibleCount).toBe(1);
  });

  it("dedupes a resent stroke:add by opId, even after the stroke was erased", () => {
    const board = boardWithThree();
    commit(board, eraseOp("erase-a", "a"));

    expect(board.commit(addOp("add-a", strokeInput("a")), "u-ada")).toEqual({ ok: true, duplicate: true, seq: 1 });
    expect(board.seq).toBe(4);
    expect(ids(board)).toEqual(["b", "c"]);
  });

  it("refuses a reused stroke id under a new opId with STROKE_EXISTS, erased or not, and changes nothing", () => {
    const board = boardWithThree();
    commit(board, eraseOp("erase-a", "a"));

    for (const id of ["a", "b"]) {
      const res = board.commit(addOp(`again-${id}`, strokeInput(id, { color: "#ff0000" })), "u-bob");
      // A fixed message: the id the client sent is never quoted back.
      expect(res).toEqual({ ok: false, error: { code: "STROKE_EXISTS", message: "A stroke with this id is on the board already." } });
    }
    expect(board.seq).toBe(4);
    expect(ids(board)).toEqual(["b", "c"]);
    expect(board.stroke("b")?.color).toBe("#1f2937");
  });

  it("erases by marking: the stroke leaves the visible list but is still known", () => {
    const board = boardWithThree();

    const applied = commit(board, eraseOp("erase-1", "b", "b"), "u-bob");

    // Duplicate ids in a request are folded, so the op says once what it hid.
    expect(applied).toEqual({ seq: 4, author: "u-bob", op: { type: "stroke:erase", opId: "erase-1", strokeIds: ["b"] } });
    expect(ids(board)).toEqual(["a", "c"]);
    expect(board.isVisible("b")).toBe(false);
    expect(board.stroke("b")).toEqual(committedStroke("b", 2));
    expect(board.visibleCount).toBe(2);
  });

  it("restores an erased stroke in its seq position, and the op names the strokes by id only", () => {
    const board = boardWithThree();
    commit(board, eraseOp("erase-1", "a", "b"));

    const applied = commit(board, restoreOp("restore-1", "b", "a", "b"));

    expect(applied.op).toEqual({ type: "stroke:restore", opId: "restore-1", strokeIds: ["b", "a"] });
    expect(ids(board)).toEqual(["a", "b", "c"]);
    expect(board.isVisible("a")).toBe(true);
  });

  it.each([
    ["erase", eraseOp("op-x", "a", "nope")],
    ["restore", restoreOp("op-x", "nope", "b")],
  ])("refuses to %s an unknown id with UNKNOWN_STROKE and changes nothing, known ids included", (_label, req) => {
    const board = boardWithThree();
    commit(board, eraseOp("erase-b", "b"));

    const res = board.commit(req, "u-ada");

    expect(res).toEqual({ ok: false, error: { code: "UNKNOWN_STROKE", message: "Some of these strokes are not on this board." } });
    expect(board.seq).toBe(4);
    expect(ids(board)).toEqual(["a", "c"]);
    // A refused op is not remembered: the same opId may be sent again once it is valid.
    expect(board.commit(eraseOp("op-x", "a"), "u-ada")).toMatchObject({ ok: true, duplicate: false });
  });

  it("clears exactly the visible strokes and says which, so that the clear can be undone", () => {
    const board = boardWithThree();
    commit(board, eraseOp("erase-b", "b"));

    const applied = commit(board, clearOp("clear-1"));

    expect(applied.op).toEqual({ type: "board:clear", opId: "clear-1", strokeIds: ["a", "c"] });
    expect(board.visibleStrokes()).toEqual([]);
    expect(board.stroke("a")).toBeDefined();

    commit(board, restoreOp("undo-clear", ...(applied.op.type === "board:clear" ? applied.op.strokeIds : [])));
    expect(ids(board)).toEqual(["a", "c"]);
  });

  it("gives a clear of an empty board a seq and an empty list", () => {
    const board = new Board("room-1");
    expect(commit(board, clearOp("clear-1"))).toEqual({
      seq: 1,
      author: "u-ada",
      op: { type: "board:clear", opId: "clear-1", strokeIds: [] },
    });
  });

  it(`refuses a stroke beyond ${LIMITS.boardStrokesMax} with BOARD_FULL, counting erased strokes`, () => {
    const strokes = Array.from({ length: LIMITS.boardStrokesMax - 1 }, (_, i) => committedStroke(`s-${i}`, i + 1));
    const board = new Board("room-1", { seq: strokes.length, circle: { color: DEFAULT_CIRCLE_COLOR, version: 0 }, strokes });
    commit(board, addOp("last", strokeInput("last")));
    commit(board, eraseOp("erase-last", "last"));
    expect(board.visibleCount).toBe(LIMITS.boardStrokesMax - 1);

    const res = board.commit(addOp("one-more", strokeInput("one-more")), "u-ada");

    expect(res).toEqual({ ok: false, error: { code: "BOARD_FULL", message: expect.stringMatching(/\S/) } });
    expect(board.seq).toBe(LIMITS.boardStrokesMax + 1);
    expect(board.stroke("one-more")).toBeUndefined();
    // Erasing and restoring still work on a full board: they add nothing.
    expect(board.commit(restoreOp("restore-last", "last"), "u-ada")).toMatchObject({ ok: true, duplicate: false });
  });
});

describe("Board.applyCommitted", () => {
  /** Every AppliedOp a server board made, to replay on client boards. */
  function serverLog(reqs: OpRequest[]): { server: Board; log: AppliedOp[] } {
    const server = new Board("room-1");
    return { server, log: reqs.map((req, i) => commit(server, req, i % 2 ? "u-bob" : "u-ada")) };
  }

  const script: OpRequest[] = [
    addOp("o1", strokeInput("a")),
    circleOp("o2", "#ff0000"),
    addOp("o3", strokeInput("b")),
    eraseOp("o4", "a"),
    addOp("o5", strokeInput("c")),
    // Everything after this point is replayed on top of a snapshot taken here.
    clearOp("o6"),
    restoreOp("o7", "a", "c"),
    addOp("o8", strokeInput("d")),
    eraseOp("o9", "c"),
    circleOp("o10", "#00ff00"),
    restoreOp("o11", "b"),
  ];

  it("brings a client board to the server's state, op by op", () => {
    const { server, log } = serverLog(script);
    const client = new Board("room-1");

    for (const op of log) expect(client.applyCommitted(op)).toBe(true);

    expect(client.seq).toBe(server.seq);
    expect(client.circle).toEqual(server.circle);
    expect(client.visibleStrokes()).toEqual(server.visibleStrokes());
    expect(ids(client)).toEqual(["a", "b", "d"]);
  });

  it("ignores an op applied before, and returns false", () => {
    const { log } = serverLog(script.slice(0, 4));
    const client = new Board("room-1");
    for (const op of log) client.applyCommitted(op);
    const before = { seq: client.seq, strokes: client.visibleStrokes(), circle: client.circle };

    expect(client.applyCommitted(log[3]!)).toBe(false);
    expect(client.applyCommitted(log[0]!)).toBe(false);

    expect({ seq: client.seq, strokes: client.visibleStrokes(), circle: client.circle }).toEqual(before);
  });

  it("throws on an op that skips a seq, and leaves the board as it was", () => {
    const { log } = serverLog(script.slice(0, 3));
    const client = new Board("room-1");
    client.applyCommitted(log[0]!);

    expect(() => client.applyCommitted(log[2]!)).toThrow(/3.*1/);
    expect(client.seq).toBe(1);
    expect(ids(client)).toEqual(["a"]);
  });

  it("reaches the same state from a snapshot plus the later ops as from every op", () => {
    const server = new Board("room-1");
    const early = script.slice(0, 5).map((req) => commit(server, req));
    const snapshot = server.snapshot();
    const later = script.slice(5).map((req) => commit(server, req));
    const fromStart = new Board("room-1");
    for (const op of [...early, ...later]) fromStart.applyCommitted(op);

    // Stroke "a" was erased before the snapshot: o7 names it, and this board has to fetch it.
    expect(snapshot.strokes.map((s) => s.id)).toEqual(["b", "c"]);
    const fromSnapshot = new Board("room-1", snapshot);
    for (const op of later) expect(fromSnapshot.applyCommitted(op)).toBe(true);
    expect(fromSnapshot.missingStrokeIds(10)).toEqual(["a"]);
    expect(fromSnapshot.fill(["a"], [server.stroke("a")!])).toBe(true);

    for (const board of [fromStart, fromSnapshot]) {
      expect(board.seq).toBe(server.seq);
      expect(board.circle).toEqual(server.circle);
      expect(board.visibleStrokes()).toEqual(server.visibleStrokes());
    }
  });

  it("places a restored stroke it never had by its seq, under newer strokes, once it has it", () => {
    const client = new Board("room-1", {
      seq: 10,
      circle: { color: DEFAULT_CIRCLE_COLOR, version: 0 },
      strokes: [committedStroke("s3", 3), committedStroke("s9", 9)],
    });

    client.applyCommitted({ seq: 11, author: "u-bob", op: { type: "stroke:restore", opId: "r", strokeIds: ["s5", "s1", "s3"] } });
    expect(ids(client)).toEqual(["s3", "s9"]);
    expect(client.missingStrokeIds(10)).toEqual(["s5", "s1"]);

    expect(client.fill(["s5", "s1"], [committedStroke("s5", 5), committedStroke("s1", 1)])).toBe(true);

    expect(ids(client)).toEqual(["s1", "s3", "s5", "s9"]);
    expect(client.stroke("s5")).toEqual(committedStroke("s5", 5));
    expect(client.missingStrokeIds(10)).toEqual([]);
  });

  it("skips ids of an erase or clear it does not know (erased before it joined)", () => {
    const client = new Board("room-1", {
      seq: 4,
      circle: { color: DEFAULT_CIRCLE_COLOR, version: 0 },
      strokes: [committedStroke("s1", 1)],
    });

    client.applyCommitted({ seq: 5, author: "u-bob", op: { type: "board:clear", opId: "c", strokeIds: ["s1", "gone"] } });

    expect(client.visibleCount).toBe(0);
    expect(client.stroke("gone")).toBeUndefined();
  });

  it("loads strokes in chunks after a snapshot header", () => {
    const client = new Board("room-1", { seq: 3, circle: { color: DEFAULT_CIRCLE_COLOR, version: 0 }, strokes: [] });
    client.addStrokes([committedStroke("s1", 1)]);
    client.addStrokes([committedStroke("s2", 2), committedStroke("s3", 3)]);
    expect(ids(client)).toEqual(["s1", "s2", "s3"]);
    expect(client.seq).toBe(3);
  });

  it("remembers applied opIds, so that a commit of the same opId on a replayed board is a resend", () => {
    const { log } = serverLog(script.slice(0, 2));
    const replica = new Board("room-1");
    for (const op of log) replica.applyCommitted(op);

    const res: CommitResult = replica.commit(circleOp("o2", "#0000ff"), "u-ada");

    expect(res).toEqual({ ok: true, duplicate: true, seq: 2 });
  });
});

describe("Board: ops that change nothing", () => {
  it("orders an erase of erased strokes and a restore of visible ones like any op, with no ids, so that a resend is recognised", () => {
    const board = new Board("room-1");
    commit(board, addOp("add-1", strokeInput("s-1")));
    commit(board, addOp("add-2", strokeInput("s-2")));
    commit(board, eraseOp("erase-1", "s-1"));

    expect(commit(board, eraseOp("erase-again", "s-1"), "u-bob")).toEqual({
      seq: 4,
      author: "u-bob",
      op: { type: "stroke:erase", opId: "erase-again", strokeIds: [] },
    });
    expect(commit(board, restoreOp("restore-visible", "s-2"), "u-bob").op).toEqual({ type: "stroke:restore", opId: "restore-visible", strokeIds: [] });
    expect(board.seq).toBe(5);
    expect(ids(board)).toEqual(["s-2"]);

    // Someone restores s-1; the no-change erase, resent, is the op it was: s-1 stays.
    commit(board, restoreOp("restore-1", "s-1"));
    expect(board.commit(eraseOp("erase-again", "s-1"), "u-ada")).toEqual({ ok: true, duplicate: true, seq: 4 });
    expect(ids(board)).toEqual(["s-1", "s-2"]);

    // A mix lists only what changes.
    commit(board, eraseOp("erase-2", "s-2"));
    expect(commit(board, restoreOp("restore-mixed", "s-1", "s-2")).op).toMatchObject({ type: "stroke:restore", strokeIds: ["s-2"] });
  });

  it("remembers a no-change op across a snapshot of the board, as every op", () => {
    const board = boardWithThree();
    commit(board, eraseOp("erase-a", "a"));
    commit(board, eraseOp("erase-a-again", "a"));

    const reopened = Board.fromPersisted("room-1", board.toPersisted());
    commit(reopened, restoreOp("restore-a", "a"));

    expect(reopened.commit(eraseOp("erase-a-again", "a"), "u-ada")).toEqual({ ok: true, duplicate: true, seq: 5 });
    expect(ids(reopened)).toEqual(["a", "b", "c"]);
  });

  it("applies an empty erase, restore or clear as a step of seq and nothing else", () => {
    const client = boardWithThree();
    client.applyCommitted({ seq: 4, author: "u-bob", op: { type: "stroke:erase", opId: "e", strokeIds: [] } });
    client.applyCommitted({ seq: 5, author: "u-bob", op: { type: "stroke:restore", opId: "r", strokeIds: [] } });
    client.applyCommitted({ seq: 6, author: "u-bob", op: { type: "board:clear", opId: "c", strokeIds: [] } });
    expect(client.seq).toBe(6);
    expect(ids(client)).toEqual(["a", "b", "c"]);
  });
});

describe("Board: the byte budget", () => {
  const json = (board: Board, ...strokeIds: string[]) => strokeIds.reduce((n, id) => n + JSON.stringify(board.stroke(id)).length, 0);

  it("counts what its strokes take as JSON, erased ones included, whether loaded or committed", () => {
    const board = new Board("room-1", {
      seq: 2,
      circle: { color: DEFAULT_CIRCLE_COLOR, version: 0 },
      strokes: [committedStroke("a", 1), committedStroke("b", 2, "u-bob", { points: [1, 2, 0.5, 3, 4, 0.25] })],
    });
    expect(board.bytes).toBe(json(board, "a", "b"));

    commit(board, addOp("add-c", strokeInput("c")));
    commit(board, eraseOp("erase-a", "a"));
    commit(board, clearOp("clear"));

    expect(board.bytes).toBe(json(board, "a", "b", "c"));
    expect(Board.fromPersisted("room-1", board.toPersisted()).bytes).toBe(board.bytes);
  });

  it("refuses a stroke that would take the board past its budget with BOARD_FULL and a fixed message; erasing and clearing free nothing", () => {
    const board = new Board("room-1");
    const size = JSON.stringify({ ...strokeInput("s-0"), author: "u-ada", seq: 1 }).length;
    const budget = size * 2;
    commit(board, addOp("add-0", strokeInput("s-0")));
    expect(board.commit(addOp("add-1", strokeInput("s-1")), "u-ada", budget)).toMatchObject({ ok: true, duplicate: false });

    const full = board.commit(addOp("add-2", strokeInput("s-2")), "u-ada", budget);
    expect(full).toEqual({ ok: false, error: { code: "BOARD_FULL", message: BOARD_FULL_MESSAGE } });
    expect(BOARD_FULL_MESSAGE).toMatch(/erased and cleared ones too/);
    expect(board.seq).toBe(2);
    expect(board.stroke("s-2")).toBeUndefined();

    commit(board, clearOp("clear"));
    expect(board.commit(addOp("add-3", strokeInput("s-3")), "u-ada", budget)).toMatchObject({ ok: false, error: { code: "BOARD_FULL" } });
    // Restoring adds nothing: it still works on a full board.
    expect(board.commit(restoreOp("restore", "s-0", "s-1"), "u-ada", budget)).toMatchObject({ ok: true, duplicate: false });
  });
});

describe("Board: restored strokes a tab lacks", () => {
  /** A tab that joined while x was erased: it holds y only. */
  function lateTab(): Board {
    return new Board("room-1", { seq: 3, circle: { color: DEFAULT_CIRCLE_COLOR, version: 0 }, strokes: [committedStroke("y", 2)] });
  }
  const restore = (seq: number, ...strokeIds: string[]): AppliedOp => ({ seq, author: "u-bob", op: { type: "stroke:restore", opId: `r${seq}`, strokeIds } });
  const erase = (seq: number, ...strokeIds: string[]): AppliedOp => ({ seq, author: "u-bob", op: { type: "stroke:erase", opId: `e${seq}`, strokeIds } });

  it("keeps a stroke erased before it arrived hidden, and shows it at the next restore", () => {
    const tab = lateTab();
    tab.applyCommitted(restore(4, "x"));
    tab.applyCommitted(erase(5, "x"));

    expect(tab.fill(["x"], [committedStroke("x", 1)])).toBe(true);

    expect(ids(tab)).toEqual(["y"]);
    expect(tab.stroke("x")).toEqual(committedStroke("x", 1));
    tab.applyCommitted(restore(6, "x"));
    expect(ids(tab)).toEqual(["x", "y"]);
  });

  it("follows a clear too, and a restore after it", () => {
    const tab = lateTab();
    tab.applyCommitted(restore(4, "x"));
    tab.applyCommitted({ seq: 5, author: "u-bob", op: { type: "board:clear", opId: "c", strokeIds: ["x", "y"] } });
    tab.applyCommitted(restore(6, "x"));

    tab.fill(["x"], [committedStroke("x", 1)]);

    expect(ids(tab)).toEqual(["x"]);
  });

  it("gives up ids the answer lacks and ignores strokes it did not ask for", () => {
    const tab = lateTab();
    tab.applyCommitted(restore(4, "x", "gone"));

    expect(tab.fill(["x", "gone"], [committedStroke("x", 1), committedStroke("other", 7)])).toBe(true);

    expect(tab.missingStrokeIds(10)).toEqual([]);
    expect(ids(tab)).toEqual(["x", "y"]);
    expect(tab.stroke("other")).toBeUndefined();
    expect(tab.fill(["x"], [committedStroke("x", 1)])).toBe(false);
  });

  it("answers a request for strokes in the order asked, erased ones included, up to a number of points", () => {
    const server = new Board("room-1", {
      seq: 3,
      circle: { color: DEFAULT_CIRCLE_COLOR, version: 0 },
      strokes: [committedStroke("a", 1), committedStroke("b", 2), committedStroke("c", 3)],
    });
    server.applyCommitted(erase(4, "b"));
    // Each fixture stroke has 2 points.
    expect(server.strokesFor(["b", "gone", "a", "b", "c"], 4)).toEqual({ strokes: [committedStroke("b", 2), committedStroke("a", 1)], answered: 4 });
    expect(server.strokesFor(["c", "a"], 100)).toEqual({ strokes: [committedStroke("c", 3), committedStroke("a", 1)], answered: 2 });
    // At least one stroke, however big: an answer always moves on.
    expect(server.strokesFor(["gone", "a", "b"], 1)).toEqual({ strokes: [committedStroke("a", 1)], answered: 2 });
  });

  it("hands out at most as many missing ids as asked", () => {
    const tab = lateTab();
    tab.applyCommitted(restore(4, "m1", "m2", "m3"));
    expect(tab.missingStrokeIds(2)).toEqual(["m1", "m2"]);
  });
});
