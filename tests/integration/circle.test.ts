import { describe, expect, it } from "vitest";
import { DEFAULT_CIRCLE_COLOR } from "@/lib/board";
import type { AppliedOp } from "@/lib/protocol";
import { barrier, circleOp, commit, join, lateJoiner, newClientId, next, record, sendOp, useServer } from "./harness";

const server = useServer();

/** The AppliedOp of a circle change, as the author's ack and everyone else's `op` carry it. */
/** A committed circle change as it travels: with its author's name and the server's time. */
const circleSet = (seq: number, author: string, opId: string, color: string): AppliedOp => ({
  seq,
  author,
  name: expect.any(String) as string,
  at: expect.any(Number) as number,
  op: { type: "circle:set", opId, color },
});

/** What a client ends on: of every circle change it heard of, the one with the highest seq. */
function finalColor(heard: AppliedOp[]): { seq: number; color: string } {
  const last = heard.reduce((a, b) => (b.seq > a.seq ? b : a));
  if (last.op.type !== "circle:set") throw new Error(`not a circle change: ${last.op.type}`);
  return { seq: last.seq, color: last.op.color };
}

describe("colour circle", () => {
  it("acks the author, sends to the others on the board only, never to the author or another board", async () => {
    const [a, b, c] = await Promise.all([server().connect(), server().connect(), server().connect()]);
    const ada = await join(a, "room-1", "Ada");
    await join(b, "room-1", "Bob");
    await join(c, "room-2", "Cy");
    const toA = record(a, "op");
    const toC = record(c, "op");
    const toB = next(b, "op");

    const ack = await sendOp(a, circleOp("op-1", "#EF4444"));

    const applied = circleSet(1, ada.self.id, "op-1", "#ef4444");
    expect(ack).toEqual({ ok: true, seq: 1, applied });
    expect(await toB).toEqual(applied);
    await Promise.all([barrier(a), barrier(c)]);
    expect(toA).toEqual([]);
    expect(toC).toEqual([]);
  });

  it("sends the change to the author's other tab, which is another socket", async () => {
    const [tab1, tab2] = await Promise.all([server().connect(), server().connect()]);
    const clientId = newClientId();
    const ada = await join(tab1, "room-1", "Ada", clientId);
    await join(tab2, "room-1", "Ada", clientId);
    const toTab1 = record(tab1, "op");
    const toTab2 = next(tab2, "op");

    await commit(tab1, circleOp("op-1", "#22c55e"));

    expect(await toTab2).toEqual(circleSet(1, ada.self.id, "op-1", "#22c55e"));
    await barrier(tab1);
    expect(toTab1).toEqual([]);
  });

  it("gives a late joiner the current colour and seq in its join ack", async () => {
    const a = await server().connect();
    await join(a, "room-1", "Ada");
    await commit(a, circleOp("op-1", "#ef4444"));
    await commit(a, circleOp("op-2", "#3B82F6"));

    const snapshot = await lateJoiner(server(), "room-1");

    expect(snapshot.circle).toEqual({ color: "#3b82f6", version: 2 });
    expect(snapshot.seq).toBe(2);
  });

  it("gives the joiner of an untouched board the default circle at seq 0", async () => {
    const snapshot = await lateJoiner(server(), "fresh");
    expect(snapshot.circle).toEqual({ color: DEFAULT_CIRCLE_COLOR, version: 0 });
    expect(snapshot.seq).toBe(0);
  });

  it("keeps each board's seq and circle apart", async () => {
    const [a, c] = await Promise.all([server().connect(), server().connect()]);
    await join(a, "room-1", "Ada");
    await join(c, "room-2", "Cy");
    await commit(a, circleOp("op-1", "#ef4444"));

    // The same opId on another board is another op.
    expect(await sendOp(c, circleOp("op-1", "#22c55e"))).toMatchObject({ ok: true, seq: 1 });
    expect((await lateJoiner(server(), "room-1")).circle).toEqual({ color: "#ef4444", version: 1 });
    expect((await lateJoiner(server(), "room-2")).circle).toEqual({ color: "#22c55e", version: 1 });
  });

  it("converges when two people change the colour at the same time", async () => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    await join(a, "room-1", "Ada");
    await join(b, "room-1", "Bob");
    const aHears = next(a, "op");
    const bHears = next(b, "op");

    const [appliedA, appliedB] = await Promise.all([
      commit(a, circleOp("a-1", "#ef4444")),
      commit(b, circleOp("b-1", "#3b82f6")),
    ]);
    expect([appliedA.seq, appliedB.seq].sort()).toEqual([1, 2]);

    const viewA = finalColor([appliedA, await aHears]);
    const viewB = finalColor([appliedB, await bHears]);
    const winner = appliedA.seq > appliedB.seq ? "#ef4444" : "#3b82f6";

    expect(viewA).toEqual(viewB);
    expect(viewA).toEqual({ seq: 2, color: winner });
    expect((await lateJoiner(server(), "room-1")).circle).toEqual({ color: winner, version: 2 });
  });

  it("acks a resent opId with its original seq and no AppliedOp, and sends it to nobody again", async () => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    await join(a, "room-1", "Ada");
    await join(b, "room-1", "Bob");
    const first = next(b, "op");
    await commit(a, circleOp("op-1", "#ef4444"));
    await first;
    await commit(b, circleOp("op-b", "#3b82f6"));
    const toB = record(b, "op");

    // A different colour under the resent opId: only the opId makes it the same op.
    const resend = await sendOp(a, circleOp("op-1", "#22c55e"));

    expect(resend).toEqual({ ok: true, seq: 1 });
    await barrier(b);
    expect(toB).toEqual([]);
    const snapshot = await lateJoiner(server(), "room-1");
    expect(snapshot.circle).toEqual({ color: "#3b82f6", version: 2 });
    expect(snapshot.seq).toBe(2);
  });
});
