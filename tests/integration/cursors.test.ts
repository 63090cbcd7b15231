import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import type { CursorUpdate } from "@/lib/protocol";
import { barrier, join, moved, next, record, useServer } from "./harness";

// A tick that never comes on its own: each test flushes the hub itself, so that "one batch per
// tick" is counted exactly rather than timed.
const server = useServer({ cursorTickMs: 1_000 });

describe("cursors, coalesced", () => {
  it("sends each member one batch per tick with the latest position of everyone else, never its own", async () => {
    const [a, b, c, r] = await Promise.all([server().connect(), server().connect(), server().connect(), server().connect()]);
    const ids = await Promise.all([join(a, "room", "Ada"), join(b, "room", "Bob"), join(c, "room", "Cy"), join(r, "room", "Ray")]);
    const toR = record(r, "cursors");
    const toA = record(a, "cursors");

    for (let i = 0; i < 5; i++) await Promise.all([moved(a, 10 + i, 10), moved(b, 20 + i, 20), moved(c, 30 + i, 30)]);
    server().sockets.cursors.flush();
    await Promise.all([barrier(r), barrier(a)]);

    expect(toR).toHaveLength(1);
    expect(new Set(toR[0] as CursorUpdate[])).toEqual(
      new Set([
        { id: ids[0].self.id, x: 14, y: 10 },
        { id: ids[1].self.id, x: 24, y: 20 },
        { id: ids[2].self.id, x: 34, y: 30 },
      ]),
    );
    expect(toA).toHaveLength(1);
    expect((toA[0] as CursorUpdate[]).map((u) => u.id).sort()).toEqual([ids[1].self.id, ids[2].self.id].sort());
  });

  it("sends nothing for a tick in which no cursor changed, nor for a position sent again", async () => {
    const [a, r] = await Promise.all([server().connect(), server().connect()]);
    await join(a, "room", "Ada");
    await join(r, "room", "Ray");
    const toR = record(r, "cursors");
    await moved(a, 100, 100);
    server().sockets.cursors.flush();
    await barrier(r);
    expect(toR).toHaveLength(1);

    server().sockets.cursors.flush();
    await moved(a, 100, 100);
    server().sockets.cursors.flush();
    await barrier(r);
    expect(toR).toHaveLength(1);
  });

  it("keeps each board's cursors to that board", async () => {
    const [a, r, other] = await Promise.all([server().connect(), server().connect(), server().connect()]);
    await join(a, "room", "Ada");
    await join(r, "room", "Ray");
    await join(other, "elsewhere", "Oz");
    const toOther = record(other, "cursors");
    const toR = next(r, "cursors");

    await moved(a, 5, 5);
    server().sockets.cursors.flush();

    expect(await toR).toHaveLength(1);
    await barrier(other);
    expect(toOther).toEqual([]);
  });

  it("hides a cursor on cursor:hide, and forgets it when its person leaves", async () => {
    const [a, r] = await Promise.all([server().connect(), server().connect()]);
    const ada = await join(a, "room", "Ada");
    await join(r, "room", "Ray");
    await moved(a, 5, 5);
    server().sockets.cursors.flush();
    await barrier(r);
    const toR = record(r, "cursors");

    a.emit("cursor:hide");
    await barrier(a);
    server().sockets.cursors.flush();
    await barrier(r);
    expect(toR).toEqual([[{ id: ada.self.id, hidden: true }]]);

    await moved(a, 6, 6);
    const left = next(r, "presence:left");
    a.disconnect();
    expect(await left).toBe(ada.self.id);
    server().sockets.cursors.flush();
    await barrier(r);
    expect(toR).toHaveLength(1);
  });

  it("never delivers a cursor emitted while disconnected, once the connection is back", async () => {
    const [a, r] = await Promise.all([server().connect(), server().connect()]);
    await join(a, "room", "Ada");
    await join(r, "room", "Ray");
    const toR = record(r, "cursors");
    // Were it buffered instead of dropped, it would go out right on reconnect, before the join,
    // and come back refused as NOT_JOINED.
    const errors = record(a, "error");

    a.disconnect();
    a.volatile.emit("cursor", { x: 111, y: 111 });
    a.connect();
    await new Promise<void>((resolve) => a.once("connect", () => resolve()));
    await join(a, "room", "Ada");
    await barrier(a);
    server().sockets.cursors.flush();
    await barrier(r);

    expect(toR).toEqual([]);
    expect(errors).toEqual([]);
  });

  it("does not queue batches for a receiver that stopped reading: they are dropped, not buffered", async () => {
    const [a, stalled, healthy] = await Promise.all([server().connect(), server().connect(), server().connect()]);
    await join(a, "room", "Ada");
    await join(stalled, "room", "Sid");
    await join(healthy, "room", "Hal");
    const serverSide = server().sockets.io.sockets.sockets.get(stalled.id!)!;
    const tcp = serverSide.conn.request.socket;
    // Engine.IO's queue of packets not yet handed to the transport: private, read-only here.
    const queued = () => (serverSide.conn as unknown as { writeBuffer: unknown[] }).writeBuffer.length;
    // Stop reading on the client's end of the TCP connection, as a frozen tab would.
    const ws = (stalled.io.engine.transport as unknown as { ws: { _socket: { pause(): void; resume(): void } } }).ws;
    ws._socket.pause();

    // Big batches (2,000 cursors, about 100 kB each), many ticks: some 40 MB if they queued, far
    // beyond what the kernel's socket buffers hold for a reader that stopped.
    const hub = server().sockets.cursors;
    let highWater = 0;
    for (let tick = 0; tick < 400; tick++) {
      for (let i = 0; i < 2_000; i++) hub.update("room", { id: `bot-${i}`, x: tick % 1600, y: i % 1000 });
      hub.flush();
      highWater = Math.max(highWater, queued(), tcp.writableLength);
      await nextTurn();
    }

    expect(queued()).toBeLessThanOrEqual(1);
    expect(tcp.writableLength).toBeLessThan(1_000_000);
    // Bounded throughout by about one batch in flight, not by what was offered.
    expect(highWater).toBeLessThan(1_000_000);
    await barrier(healthy);

    ws._socket.resume();
    const recovered = next(stalled, "cursors");
    await moved(a, 7, 7);
    hub.flush();
    expect(await recovered).toBeDefined();
  });
});

describe("cursors, relay mode", () => {
  const relay = useServer({ cursorMode: "relay" });

  it("relays every update to the others at once, one message each", async () => {
    const [a, r] = await Promise.all([relay().connect(), relay().connect()]);
    const ada = await join(a, "room", "Ada");
    await join(r, "room", "Ray");
    const toR = record(r, "cursors");
    const toA = record(a, "cursors");

    for (let i = 0; i < 3; i++) await moved(a, i, i);
    await barrier(r);

    expect(toR).toEqual([0, 1, 2].map((i) => [{ id: ada.self.id, x: i, y: i }]));
    expect(toA).toEqual([]);
  });
});
