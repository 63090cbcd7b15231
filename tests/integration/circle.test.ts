import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { barrier, join, next, record, startServer, type TestServer } from "./harness";

let server: TestServer;
beforeEach(async () => {
  server = await startServer();
});
afterEach(async () => {
  await server.close();
});

describe("colour circle", () => {
  it("acks the author, sends to the others on the board only, never to the author or another board", async () => {
    const [a, b, c] = await Promise.all([server.connect(), server.connect(), server.connect()]);
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
});
