import { describe, expect, it } from "vitest";
import type { AppliedOp, OpRequest } from "@/lib/protocol";
import { MemoryStore } from "@/lib/server/storage";
import {
  addOp,
  barrier,
  clearOp,
  commit,
  drawStrokes,
  eraseOp,
  idsOf,
  join,
  joinLoaded,
  lateJoiner,
  next,
  record,
  replay,
  restoreOp,
  sendOp,
  SlowStore,
  startServer,
  strokeInput,
  strokeOf,
  useServer,
} from "./harness";

const server = useServer();

describe("strokes", () => {
  it("acks the author with the committed stroke and sends it to the others on the board only", async () => {
    const [a, b, c] = await Promise.all([server().connect(), server().connect(), server().connect()]);
    const ada = await join(a, "room-1", "Ada");
    await join(b, "room-1", "Bob");
    await join(c, "room-2", "Cy");
    const toA = record(a, "op");
    const toC = record(c, "op");
    const toB = next(b, "op");
    const input = strokeInput("s-1", { color: "#EF4444", width: 8, simulatePressure: false, points: [10, 20, 0.2, 30, 40, 0.9] });

    const ack = await sendOp(a, addOp("op-1", input));

    const applied: AppliedOp = {
      seq: 1,
      author: ada.self.id,
      name: expect.any(String),
      at: expect.any(Number),
      op: { type: "stroke:add", opId: "op-1", stroke: { ...input, color: "#ef4444", author: ada.self.id, seq: 1 } },
    };
    expect(ack).toEqual({ ok: true, seq: 1, applied });
    expect(await toB).toEqual(applied);
    await Promise.all([barrier(a), barrier(c)]);
    expect(toA).toEqual([]);
    expect(toC).toEqual([]);
    const late = await lateJoiner(server(), "room-1");
    expect(late.strokes).toEqual([strokeOf(applied)]);
    expect((await lateJoiner(server(), "room-2")).strokeCount).toBe(0);
  });

  it("relays erase, restore and clear with what the server decided", async () => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    const ada = await join(a, "room-1", "Ada");
    const bob = await join(b, "room-1", "Bob");
    const [s1] = await drawStrokes(a, "s", 2);

    let toB = next(b, "op");
    await commit(a, eraseOp("erase-1", "s-0"));
    expect(await toB).toEqual({ seq: 3, author: ada.self.id, name: expect.any(String), at: expect.any(Number), op: { type: "stroke:erase", opId: "erase-1", strokeIds: ["s-0"] } });

    toB = next(b, "op");
    await commit(a, restoreOp("restore-1", "s-0"));
    expect(await toB).toEqual({ seq: 4, author: ada.self.id, name: expect.any(String), at: expect.any(Number), op: { type: "stroke:restore", opId: "restore-1", strokeIds: [strokeOf(s1!).id] } });

    const toA = next(a, "op");
    const cleared = await commit(b, clearOp("clear-1"));
    expect(cleared).toEqual({ seq: 5, author: bob.self.id, name: expect.any(String), at: expect.any(Number), op: { type: "board:clear", opId: "clear-1", strokeIds: ["s-0", "s-1"] } });
    expect(await toA).toEqual(cleared);

    expect(await lateJoiner(server(), "room-1")).toMatchObject({ seq: 5, strokeCount: 0, strokes: [] });
  });

  it("undoes and redoes a stroke for everyone: B sees it go and come back with the same data", async () => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    await join(a, "room-1", "Ada");
    const bLoaded = await joinLoaded(b, "room-1", "Bob");
    const toB = record(b, "op");

    const drawn = await commit(a, addOp("draw", strokeInput("mine", { color: "#22c55e", points: [5, 5, 0.1, 50, 60, 0.7, 90, 10, 1] })));
    // Undo is an ordinary erase of one's own stroke; redo an ordinary restore.
    const undone = await commit(a, eraseOp("undo", "mine"));
    await barrier(b);
    expect(replay(bLoaded, toB as AppliedOp[]).visibleStrokes()).toEqual([]);
    const cy = await server().connect();
    const lateAfterUndo = await joinLoaded(cy, "room-1", "Cy");
    expect(lateAfterUndo.strokes).toEqual([]);

    const redone = await commit(a, restoreOp("redo", "mine"));
    await barrier(b);

    expect(toB).toEqual([drawn, undone, redone]);
    const committed = strokeOf(drawn);
    expect(replay(bLoaded, toB as AppliedOp[]).visibleStrokes()).toEqual([committed]);
    // A tab that joined while the stroke was erased never had it: it asks for what the restore names.
    const late = replay(lateAfterUndo, [redone]);
    expect(late.missingStrokeIds(10)).toEqual(["mine"]);
    const fetched = await cy.emitWithAck("strokes:get", { strokeIds: late.missingStrokeIds(10) });
    if (!fetched.ok) throw new Error(fetched.error.message);
    late.fill(["mine"], fetched.strokes);
    expect(late.visibleStrokes()).toEqual([committed]);
  });

  it("acks a resent stroke:add with its original seq, stores it once and sends it to nobody again", async () => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    await join(a, "room-1", "Ada");
    await join(b, "room-1", "Bob");
    const toB = record(b, "op");
    const first = await commit(a, addOp("op-1", strokeInput("s-1")));
    await commit(a, addOp("op-2", strokeInput("s-2")));

    // As after a lost ack: the same opId again, here even with other content.
    const resend = await sendOp(a, addOp("op-1", strokeInput("s-1", { color: "#ff0000" })));

    expect(resend).toEqual({ ok: true, seq: 1 });
    await barrier(b);
    expect(toB.map((op) => (op as AppliedOp).seq)).toEqual([1, 2]);
    const late = await lateJoiner(server(), "room-1");
    expect(late.seq).toBe(2);
    expect(late.strokes).toEqual([strokeOf(first), expect.objectContaining({ id: "s-2" })]);
  });

  it("acks a resend only once the op it repeats is stored, as it acks the op itself", async () => {
    const store = new SlowStore();
    const slow = await startServer({}, store);
    const acks: string[] = [];
    let sent: Promise<unknown>[] = [];
    try {
      const a = await slow.connect();
      await join(a, "room-1", "Ada");
      store.hold();
      const first = sendOp(a, addOp("op-1", strokeInput("s-1")));
      // As after a lost connection: the same op again before the first answer came.
      const resend = sendOp(a, addOp("op-1", strokeInput("s-1")));
      sent = [first.then(() => acks.push("first")), resend.then(() => acks.push("resend"))];
      // The server answers the ping after it handled both: an ack sent meanwhile is in by now.
      await barrier(a);
      expect(acks).toEqual([]);

      store.release();
      expect(await resend).toEqual({ ok: true, seq: 1 });
      expect(await first).toMatchObject({ ok: true, seq: 1 });
    } finally {
      store.release();
      await Promise.allSettled(sent);
      await slow.close();
    }
  });

  it("refuses an op its store fails to keep, and closes the board's connections so that its tabs load it afresh", async () => {
    const store = new (class extends MemoryStore {
      failing = false;
      override async append(...args: Parameters<MemoryStore["append"]>): Promise<void> {
        if (this.failing) throw new Error("disk full");
        return super.append(...args);
      }
    })();
    const failing = await startServer({}, store);
    try {
      const [a, b, c] = await Promise.all([failing.connect(), failing.connect(), failing.connect()]);
      await join(a, "room-1", "Ada");
      await join(b, "room-1", "Bob");
      await join(c, "room-2", "Cy");
      await commit(a, addOp("op-1", strokeInput("s-1")));
      const closed = Promise.all([a, b].map((s) => new Promise((resolve) => s.once("disconnect", resolve))));
      store.failing = true;

      expect(await sendOp(a, addOp("op-2", strokeInput("s-2")))).toMatchObject({ ok: false, error: { code: "INTERNAL" } });
      await closed;
      store.failing = false;
      await barrier(c);
      expect(c.connected).toBe(true);
      const late = await lateJoiner(failing, "room-1");
      expect(late.seq).toBe(1);
      expect(idsOf(late.strokes)).toEqual(["s-1"]);
    } finally {
      await failing.close();
    }
  });

  it("refuses a stroke id already on the board under a new opId with STROKE_EXISTS, and sends nothing", async () => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    await join(a, "room-1", "Ada");
    await join(b, "room-1", "Bob");
    await commit(a, addOp("op-1", strokeInput("s-1")));
    const toA = record(a, "op");

    const res = await sendOp(b, addOp("op-2", strokeInput("s-1", { color: "#ff0000" })));

    expect(res).toEqual({ ok: false, error: { code: "STROKE_EXISTS", message: expect.not.stringContaining("s-1") } });
    await barrier(a);
    expect(toA).toEqual([]);
    const late = await lateJoiner(server(), "room-1");
    expect(late.seq).toBe(1);
    expect(late.strokes.map((s) => s.color)).toEqual(["#1f2937"]);
    expect(server().logs).toContainEqual(
      expect.objectContaining({ level: "info", msg: "refused", fields: expect.objectContaining({ error: expect.objectContaining({ code: "STROKE_EXISTS" }) }) }),
    );
  });

  it.each([
    ["erasing", eraseOp("op-x", "s-0", "nope")],
    ["restoring", restoreOp("op-x", "nope")],
  ])("refuses %s an unknown id with UNKNOWN_STROKE and changes nothing", async (_label, req) => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    await join(a, "room-1", "Ada");
    await join(b, "room-1", "Bob");
    await drawStrokes(a, "s", 1);
    const toB = record(b, "op");

    const res = await sendOp(a, req);

    expect(res).toEqual({ ok: false, error: { code: "UNKNOWN_STROKE", message: expect.not.stringContaining("nope") } });
    await barrier(b);
    expect(toB).toEqual([]);
    expect(await lateJoiner(server(), "room-1")).toMatchObject({ seq: 1, strokeCount: 1 });
  });

  it("converges when people draw, erase and clear at the same time: every tab ends with the server's board", async () => {
    const [a, b, c] = await Promise.all([server().connect(), server().connect(), server().connect()]);
    const loaded = await Promise.all([joinLoaded(a, "room-1", "Ada"), joinLoaded(b, "room-1", "Bob"), joinLoaded(c, "room-1", "Cy")]);
    const heard = [a, b, c].map((s) => record(s, "op") as AppliedOp[]);
    const base = await drawStrokes(a, "base", 5);

    const script = (who: string): OpRequest[] => [
      addOp(`${who}-1`, strokeInput(`${who}-1`)),
      eraseOp(`${who}-erase`, "base-0"),
      addOp(`${who}-2`, strokeInput(`${who}-2`)),
      ...(who === "c" ? [clearOp("c-clear")] : [restoreOp(`${who}-restore`, "base-0")]),
      addOp(`${who}-3`, strokeInput(`${who}-3`)),
    ];
    const own = await Promise.all(
      (["a", "b", "c"] as const).map((who, i) => Promise.all(script(who).map((req) => commit([a, b, c][i]!, req)))),
    );
    await Promise.all([a, b, c].map((s) => barrier(s)));

    const late = await lateJoiner(server(), "room-1");
    expect(late.seq).toBe(5 + 15);
    for (let i = 0; i < 3; i++) {
      // Each tab learns the others' ops from broadcasts and its own from acks.
      const view = replay(loaded[i]!, [...heard[i]!, ...own[i]!, ...(i === 0 ? base : [])]);
      expect(view.seq).toBe(late.seq);
      expect(view.visibleStrokes()).toEqual(late.strokes);
    }
    expect(idsOf(late.strokes)).toContain("c-3");
  });
});
