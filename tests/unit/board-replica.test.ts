import { beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_CIRCLE_COLOR } from "@/lib/board";
import { createReplicaStore } from "@/lib/client/board-replica";
import { OPEN_BOARD, type JoinSnapshot } from "@/lib/protocol";
import { addOp, applied, circleOp, committedStroke, strokeInput } from "./fixtures";

let replica = createReplicaStore();
const store = () => replica.getState();
const ids = () => store().board.visibleStrokes().map((s) => s.id);
const added = (seq: number, id: string) => applied(seq, { type: "stroke:add", opId: `add-${id}`, stroke: committedStroke(id, seq) });

function snapshot(seq: number, strokeCount: number, epoch = "epoch-1", sync: JoinSnapshot["sync"] = "full"): JoinSnapshot {
  const self = { id: "u-ada", name: "Ada", color: "#e11d48", state: "active" as const, role: "editor" as const };
  return { self, users: [self], chat: [], circle: { color: DEFAULT_CIRCLE_COLOR, version: 0 }, seq, epoch, sync, strokeCount, owned: false, settings: OPEN_BOARD };
}

beforeEach(() => {
  replica = createReplicaStore();
  store().begin("room-1", snapshot(0, 0));
});

describe("board replica: joining", () => {
  it("starts a fresh board at the snapshot's seq and circle and waits for its strokes", () => {
    const version = store().version;
    store().begin("room-1", { ...snapshot(7, 3), circle: { color: "#ff0000", version: 4 } });

    expect(store().board.id).toBe("room-1");
    expect(store().epoch).toBe("epoch-1");
    expect(store().board.seq).toBe(7);
    expect(store().board.circle).toEqual({ color: "#ff0000", version: 4 });
    expect(store().loading).toEqual({ received: 0, total: 3 });
    expect(store().version).toBeGreaterThan(version);
  });

  it("loads the strokes chunk by chunk and stops loading at the done chunk", () => {
    store().begin("room-1", snapshot(3, 3));

    store().chunk({ strokes: [committedStroke("s1", 1), committedStroke("s2", 2)], done: false });
    expect(store().loading).toEqual({ received: 2, total: 3 });
    expect(ids()).toEqual(["s1", "s2"]);

    store().chunk({ strokes: [committedStroke("s3", 3)], done: true });
    expect(store().loading).toBeNull();
    expect(ids()).toEqual(["s1", "s2", "s3"]);
  });

  it("is not loading for an empty board, and its one empty done chunk changes nothing", () => {
    store().begin("room-1", snapshot(4, 0));
    expect(store().loading).toBeNull();

    store().chunk({ strokes: [], done: true });

    expect(store().loading).toBeNull();
    expect(store().board.seq).toBe(4);
    expect(ids()).toEqual([]);
  });

  it("holds ops that arrive while loading and applies them, in order, after the done chunk", () => {
    store().begin("room-1", snapshot(2, 2));
    store().remote(added(4, "late-2"));
    store().remote(applied(3, { type: "stroke:erase", opId: "erase-s1", strokeIds: ["s1"] }));
    // The erase names a stroke that has not arrived yet: applying it now would lose it.
    expect(store().board.seq).toBe(2);

    store().chunk({ strokes: [committedStroke("s1", 1)], done: false });
    expect(ids()).toEqual(["s1"]);
    store().chunk({ strokes: [committedStroke("s2", 2)], done: true });

    expect(store().board.seq).toBe(4);
    expect(ids()).toEqual(["s2", "late-2"]);
  });

  it("after a reconnect, starts from the new snapshot and never applies held ops it already covers", () => {
    store().begin("room-1", snapshot(0, 0));
    store().remote(added(1, "s1"));
    // seq 3 arrives before 2: it waits.
    store().remote(applied(3, { type: "stroke:erase", opId: "erase-s1", strokeIds: ["s1"] }));
    expect(ids()).toEqual(["s1"]);

    // Meanwhile seq 2 and 3 happened, and s1 was restored at seq 4: the new snapshot shows it.
    // The held erase (seq 3) is part of that history and must not hide s1 again.
    store().begin("room-1", snapshot(4, 1));
    store().chunk({ strokes: [committedStroke("s1", 1)], done: true });
    store().remote(added(5, "s5"));

    expect(store().board.seq).toBe(5);
    expect(ids()).toEqual(["s1", "s5"]);
  });

  it("keeps own unacked ops across a new join, to send them again", () => {
    store().local(addOp("op-1", strokeInput("mine")));
    store().begin("room-1", snapshot(5, 0));
    expect(store().pending.map((p) => p.opId)).toEqual(["op-1"]);
  });

  it("forgets ops held for another board when it joins a new one", () => {
    store().begin("room-1", snapshot(5, 1));
    store().remote(added(6, "room-1-stroke"));

    store().begin("room-2", snapshot(5, 0));

    expect(store().board.id).toBe("room-2");
    expect(store().board.seq).toBe(5);
    expect(ids()).toEqual([]);
  });

  it("forgets ops held for a board that was made anew under the same id (a new epoch starts at seq 0)", () => {
    store().begin("room-1", snapshot(5, 1, "epoch-1"));
    store().remote(added(6, "old-epoch"));

    // E.g. a server without durable storage restarted: the board starts over and reuses seqs.
    store().begin("room-1", snapshot(0, 0, "epoch-2"));
    for (let seq = 1; seq <= 6; seq++) store().remote(added(seq, `new-${seq}`));

    expect(store().board.seq).toBe(6);
    expect(ids()).toEqual(["new-1", "new-2", "new-3", "new-4", "new-5", "new-6"]);
  });

  it("keeps the board, its epoch and the pending ops when a join resumes, and applies the missed ops after it", () => {
    store().begin("room-1", snapshot(1, 1, "epoch-1"));
    store().chunk({ strokes: [committedStroke("s1", 1)], done: true });
    store().local(addOp("op-mine", strokeInput("mine")));
    const board = store().board;

    store().resume(snapshot(3, 0, "epoch-1", "delta"));
    store().remote(added(3, "missed-3"));
    store().remote(added(2, "missed-2"));

    expect(store().board).toBe(board);
    expect(store().epoch).toBe("epoch-1");
    expect(store().loading).toBeNull();
    expect(store().board.seq).toBe(3);
    expect(ids()).toEqual(["s1", "missed-2", "missed-3"]);
    expect(store().pending.map((p) => p.opId)).toEqual(["op-mine"]);
  });
});

describe("board replica: ops", () => {
  it("applies remote ops in seq order and bumps the version", () => {
    const version = store().version;
    store().remote(added(1, "s1"));
    store().remote(applied(2, { type: "circle:set", opId: "c", color: "#00ff00" }));

    expect(store().board.seq).toBe(2);
    expect(ids()).toEqual(["s1"]);
    expect(store().board.circle).toEqual({ color: "#00ff00", version: 2 });
    expect(store().version).toBe(version + 2);
  });

  it("ignores an op it has applied already, without a new version", () => {
    store().remote(added(1, "s1"));
    const version = store().version;

    store().remote(added(1, "s1"));

    expect(store().version).toBe(version);
    expect(store().board.seq).toBe(1);
  });

  it("applies an ack that overtook a broadcast only once the broadcast is in: ack 3 before broadcast 2", () => {
    store().remote(added(1, "theirs-1"));
    store().local(addOp("add-mine", strokeInput("mine")));

    store().acked("add-mine", added(3, "mine"));
    // Still pending, and so still shown, until the board holds it.
    expect(store().pending.map((p) => p.opId)).toEqual(["add-mine"]);
    expect(store().board.seq).toBe(1);
    expect(store().board.stroke("mine")).toBeUndefined();

    store().remote(added(2, "theirs-2"));

    expect(store().board.seq).toBe(3);
    expect(store().pending).toEqual([]);
    expect(ids()).toEqual(["theirs-1", "theirs-2", "mine"]);
  });

  it("shows an own op as pending until acked, then as part of the board", () => {
    store().local(addOp("add-mine", strokeInput("mine")));
    expect(store().pending).toEqual([addOp("add-mine", strokeInput("mine"))]);
    expect(store().board.stroke("mine")).toBeUndefined();

    store().acked("add-mine", added(1, "mine"));

    expect(store().pending).toEqual([]);
    expect(store().board.stroke("mine")).toEqual(committedStroke("mine", 1));
  });

  it("settles a resent op acked without `applied`: nothing new to apply", () => {
    store().remote(added(1, "mine"));
    store().local(addOp("add-mine", strokeInput("mine")));

    store().acked("add-mine");

    expect(store().pending).toEqual([]);
    expect(store().board.seq).toBe(1);
    expect(ids()).toEqual(["mine"]);
  });

  it("drops a refused op and only that one", () => {
    store().local(circleOp("op-1", "#ff0000"));
    store().local(circleOp("op-2", "#00ff00"));

    store().refused("op-1");

    expect(store().pending).toEqual([circleOp("op-2", "#00ff00")]);
    expect(store().board.seq).toBe(0);
  });
});

describe("board replica: restored strokes it lacks", () => {
  const restored = (seq: number, ...strokeIds: string[]) => applied(seq, { type: "stroke:restore", opId: `restore-${seq}`, strokeIds });
  const erased = (seq: number, ...strokeIds: string[]) => applied(seq, { type: "stroke:erase", opId: `erase-${seq}`, strokeIds });

  /** A tab that joined at seq 3 while x (seq 1) was erased: it holds y only. */
  function lateTab(): void {
    store().begin("room-1", snapshot(3, 1));
    store().chunk({ strokes: [committedStroke("y", 2)], done: true });
  }

  it("shows a restored stroke once its answer comes, with a new version", () => {
    lateTab();
    store().remote(restored(4, "x"));
    const board = store().board;
    expect(board.missingStrokeIds(10)).toEqual(["x"]);
    expect(ids()).toEqual(["y"]);
    const version = store().version;

    store().fill(board, ["x"], [committedStroke("x", 1)]);

    expect(ids()).toEqual(["x", "y"]);
    expect(store().version).toBe(version + 1);
  });

  it("keeps it hidden when an erase came before the answer", () => {
    lateTab();
    store().remote(restored(4, "x"));
    store().remote(erased(5, "x"));

    store().fill(store().board, ["x"], [committedStroke("x", 1)]);

    expect(ids()).toEqual(["y"]);
    store().remote(restored(6, "x"));
    expect(ids()).toEqual(["x", "y"]);
  });

  it("applies an erase that waited for an earlier seq after the answer came, in order", () => {
    lateTab();
    store().remote(restored(4, "x"));
    // seq 6 (an erase of x) overtook seq 5: it waits; the answer comes meanwhile.
    store().remote(erased(6, "x"));
    store().fill(store().board, ["x"], [committedStroke("x", 1)]);
    expect(ids()).toEqual(["x", "y"]);

    store().remote(added(5, "z"));

    expect(store().board.seq).toBe(6);
    expect(ids()).toEqual(["y", "z"]);
  });

  it("ignores an answer meant for a board it has since started over on", () => {
    lateTab();
    store().remote(restored(4, "x"));
    const before = store().board;

    store().begin("room-1", snapshot(4, 0, "epoch-2"));
    store().fill(before, ["x"], [committedStroke("x", 1)]);

    expect(store().board.stroke("x")).toBeUndefined();
    expect(ids()).toEqual([]);
  });
});
