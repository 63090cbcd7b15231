import { describe, expect, it } from "vitest";
import type { CircleChanged } from "@/lib/protocol";
import { DEFAULT_CIRCLE_COLOR } from "@/lib/board";
import { barrier, join, lateJoiner, newClientId, next, record, useServer } from "./harness";

const server = useServer();

/** What a client ends on: of everything it heard about the circle, the change with the highest seq. */
function finalColor(heard: { seq: number; color: string }[]): { seq: number; color: string } {
  return heard.reduce((a, b) => (b.seq > a.seq ? b : a));
}

describe("colour circle", () => {
  it("acks the author, sends to the others on the board only, never to the author or another board", async () => {
    const [a, b, c] = await Promise.all([server().connect(), server().connect(), server().connect()]);
    await join(a, "room-1", "Ada");
    await join(b, "room-1", "Bob");
    await join(c, "room-2", "Cy");
    const toA = record(a, "circle:changed");
    const toC = record(c, "circle:changed");
    const toB = next(b, "circle:changed");

    const ack = await a.emitWithAck("circle:set", { opId: "op-1", color: "#EF4444" });

    expect(ack).toEqual({ ok: true, seq: 1 });
    expect(await toB).toEqual({ circle: { color: "#ef4444", version: 1 }, seq: 1 });
    await Promise.all([barrier(a), barrier(c)]);
    expect(toA).toEqual([]);
    expect(toC).toEqual([]);
  });

  it("sends the change to the author's other tab, which is another socket", async () => {
    const [tab1, tab2] = await Promise.all([server().connect(), server().connect()]);
    const clientId = newClientId();
    await join(tab1, "room-1", "Ada", clientId);
    await join(tab2, "room-1", "Ada", clientId);
    const toTab1 = record(tab1, "circle:changed");
    const toTab2 = next(tab2, "circle:changed");

    await tab1.emitWithAck("circle:set", { opId: "op-1", color: "#22c55e" });

    expect(await toTab2).toEqual({ circle: { color: "#22c55e", version: 1 }, seq: 1 });
    await barrier(tab1);
    expect(toTab1).toEqual([]);
  });

  it("gives a late joiner the current colour and seq in its join ack", async () => {
    const a = await server().connect();
    await join(a, "room-1", "Ada");
    await a.emitWithAck("circle:set", { opId: "op-1", color: "#ef4444" });
    await a.emitWithAck("circle:set", { opId: "op-2", color: "#3B82F6" });

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
    await a.emitWithAck("circle:set", { opId: "op-1", color: "#ef4444" });

    expect(await c.emitWithAck("circle:set", { opId: "op-1", color: "#22c55e" })).toEqual({ ok: true, seq: 1 });
    expect((await lateJoiner(server(), "room-1")).circle).toEqual({ color: "#ef4444", version: 1 });
  });

  it("converges when two people change the colour at the same time", async () => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    await join(a, "room-1", "Ada");
    await join(b, "room-1", "Bob");
    const aHears = next(a, "circle:changed");
    const bHears = next(b, "circle:changed");

    const [ackA, ackB] = await Promise.all([
      a.emitWithAck("circle:set", { opId: "a-1", color: "#ef4444" }),
      b.emitWithAck("circle:set", { opId: "b-1", color: "#3b82f6" }),
    ]);
    if (!ackA.ok || !ackB.ok) throw new Error("a concurrent change was refused");
    expect([ackA.seq, ackB.seq].sort()).toEqual([1, 2]);

    const heard = (c: CircleChanged) => ({ seq: c.seq, color: c.circle.color });
    const viewA = finalColor([{ seq: ackA.seq, color: "#ef4444" }, heard(await aHears)]);
    const viewB = finalColor([{ seq: ackB.seq, color: "#3b82f6" }, heard(await bHears)]);
    const winner = ackA.seq > ackB.seq ? "#ef4444" : "#3b82f6";

    expect(viewA).toEqual(viewB);
    expect(viewA).toEqual({ seq: 2, color: winner });
    expect((await lateJoiner(server(), "room-1")).circle).toEqual({ color: winner, version: 2 });
  });

  it("acks a resent opId with its original seq and sends it to nobody again", async () => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    await join(a, "room-1", "Ada");
    await join(b, "room-1", "Bob");
    const first = next(b, "circle:changed");
    expect(await a.emitWithAck("circle:set", { opId: "op-1", color: "#ef4444" })).toEqual({ ok: true, seq: 1 });
    await first;
    await b.emitWithAck("circle:set", { opId: "op-b", color: "#3b82f6" });
    const toB = record(b, "circle:changed");

    // A different colour under the resent opId: only the opId makes it the same op.
    const resend = await a.emitWithAck("circle:set", { opId: "op-1", color: "#22c55e" });

    expect(resend).toEqual({ ok: true, seq: 1 });
    await barrier(b);
    expect(toB).toEqual([]);
    const snapshot = await lateJoiner(server(), "room-1");
    expect(snapshot.circle).toEqual({ color: "#3b82f6", version: 2 });
    expect(snapshot.seq).toBe(2);
  });
});
