import { io } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import type { ClientSocket } from "@/lib/client/socket";
import type { AppliedOp, OpAck, Stroke, StrokeInput } from "@/lib/protocol";
import { STROKE_FETCH_LIMIT } from "@/lib/server/event-limits";
import { MemoryStore } from "@/lib/server/storage";
import {
  addOp,
  barrier,
  clearOp,
  commit,
  emitRawWithAck,
  eraseOp,
  join,
  joinLoaded,
  lateJoiner,
  next,
  record,
  restoreOp,
  seedBoard,
  sendOp,
  startServer,
  strokeInput,
  strokeOf,
  type TestServer,
} from "./harness";

/** A MemoryStore that counts the bytes of the ops it is asked to keep. */
class CountingStore extends MemoryStore {
  opBytes = 0;

  override async append(...args: Parameters<MemoryStore["append"]>): Promise<void> {
    this.opBytes += JSON.stringify(args[1]).length;
    return super.append(...args);
  }
}

/** Counts the bytes a client receives, every engine.io packet of every kind. */
function countReceived(socket: ClientSocket): { bytes: number } {
  const counter = { bytes: 0 };
  socket.io.engine.on("packet", (packet: { data?: unknown }) => {
    const { data } = packet;
    counter.bytes += typeof data === "string" ? data.length : data instanceof ArrayBuffer ? data.byteLength : 0;
  });
  return counter;
}

/** A maximum-size stroke (2000 points) whose numbers carry many digits: about 90 KB of JSON. */
function bigStroke(id: string): StrokeInput {
  const points: number[] = [];
  for (let i = 0; i < 2_000; i++) points.push(100 + i * 0.7 + 0.123456789012, 200 + (i % 500) + 0.987654321098, 0.5123456789);
  return strokeInput(id, { points });
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("a restore costs the size of its ids, not of the strokes", () => {
  it("a restore of 150 big erased strokes reaches the others and the store as ids", async () => {
    const store = new CountingStore();
    const ids = Array.from({ length: 150 }, (_, i) => `big-${i}`);
    await seedBoard(store, "room-1", [...ids.map((id) => addOp(`add-${id}`, bigStroke(id))), eraseOp("erase-all", ...ids)]);
    const strokeBytes = ids.length * JSON.stringify(bigStroke("big-0")).length;
    server = await startServer({}, store);
    const [a, b] = await Promise.all([server.connect(), server.connect()]);
    await joinLoaded(a, "room-1", "Ada");
    await joinLoaded(b, "room-1", "Bob");
    const storedBefore = store.opBytes;
    const received = countReceived(b);

    const toB = next(b, "op");
    const request = restoreOp("restore-all", ...ids);
    const ack = await sendOp(a, request);
    const op = await toB;
    await barrier(b);

    const requestBytes = JSON.stringify(request).length;
    // Reported figures: what one member received and what the store kept, against the request.
    console.info(`restore of ${ids.length} strokes (${(strokeBytes / 1e6).toFixed(1)} MB): request ${requestBytes} B, member received ${received.bytes} B, store +${store.opBytes - storedBefore} B`);
    expect(ack.ok).toBe(true);
    expect(op.op).toEqual({ type: "stroke:restore", opId: "restore-all", strokeIds: ids });
    expect(received.bytes).toBeLessThan(4 * requestBytes);
    expect(store.opBytes - storedBefore).toBeLessThan(2 * requestBytes);
    expect((await lateJoiner(server, "room-1")).strokeCount).toBe(ids.length);

    // B lacks them all (it joined while they were erased): it fetches them in answers of bounded
    // size, each well under what a connection may have queued, waiting when told to as the app
    // does, and stays connected.
    const fetched: string[] = [];
    for (let requests = 0; fetched.length < ids.length && requests < 40; requests++) {
      const asked = ids.filter((id) => !fetched.includes(id)).slice(0, 100);
      const res = (await emitRawWithAck(b, "strokes:get", { strokeIds: asked })) as
        | { ok: true; strokes: Stroke[]; answered: number }
        | { ok: false; error: { code: string; retryAfterMs: number } };
      if (!res.ok) {
        expect(res.error.code).toBe("RATE_LIMITED");
        await new Promise((resolve) => setTimeout(resolve, res.error.retryAfterMs));
        continue;
      }
      expect(res.strokes.map((s) => s.id)).toEqual(asked.slice(0, res.answered));
      expect(JSON.stringify(res).length).toBeLessThan(2_500_000);
      fetched.push(...res.strokes.map((s) => s.id));
    }
    expect(fetched).toEqual(ids);
    expect(b.connected).toBe(true);
  });

  it("hands a tab that lacks restored strokes (it joined after they were erased) those strokes on request", async () => {
    server = await startServer();
    const [a, b, c] = await Promise.all([server.connect(), server.connect(), server.connect()]);
    await joinLoaded(a, "room-1", "Ada");
    await joinLoaded(b, "room-1", "Bob");
    const drawn = strokeOf(await commit(a, addOp("add-x", strokeInput("x"))));
    await commit(a, addOp("add-y", strokeInput("y")));
    await commit(a, eraseOp("erase-x", "x"));
    const late = await joinLoaded(c, "room-1", "Cy");
    expect(late.strokes.map((s) => s.id)).toEqual(["y"]);

    const toC = next(c, "op");
    await commit(b, restoreOp("restore-x", "x"));
    expect((await toC).op).toEqual({ type: "stroke:restore", opId: "restore-x", strokeIds: ["x"] });

    // Erased or not, the board holds it; ids it does not hold are left out, never quoted back.
    expect(await emitRawWithAck(c, "strokes:get", { strokeIds: ["x", "nope", "x"] })).toEqual({ ok: true, strokes: [drawn], answered: 3 });
    await commit(a, eraseOp("erase-x-again", "x"));
    expect(await emitRawWithAck(c, "strokes:get", { strokeIds: ["x"] })).toEqual({ ok: true, strokes: [drawn], answered: 1 });
  });

  it("answers strokes:get only for members, only for their board, and at most a chunk of ids at once", async () => {
    server = await startServer();
    const [a, outsider, other] = await Promise.all([server.connect(), server.connect(), server.connect()]);
    await join(a, "room-1", "Ada");
    await commit(a, addOp("add-x", strokeInput("x")));
    await join(other, "room-2", "Oz");

    expect(await emitRawWithAck(outsider, "strokes:get", { strokeIds: ["x"] })).toMatchObject({ ok: false, error: { code: "NOT_JOINED" } });
    expect(await emitRawWithAck(other, "strokes:get", { strokeIds: ["x"] })).toEqual({ ok: true, strokes: [], answered: 1 });
    const tooMany = Array.from({ length: 101 }, (_, i) => `s-${i}`);
    const res = (await emitRawWithAck(a, "strokes:get", { strokeIds: tooMany })) as { ok: boolean; error: { code: string; message: string } };
    expect(res).toMatchObject({ ok: false, error: { code: "INVALID_PAYLOAD" } });
    expect(res.error.message).not.toContain("s-100");
  });
});

describe("what strokes:get answers cost", () => {
  it("is limited per address by the points sent: asking for the same big strokes again and again is refused with a hint", async () => {
    server = await startServer({ inboundBytesPerSecond: 1_000_000_000 });
    const ids = Array.from({ length: 15 }, (_, i) => `big-${i}`);
    await seedBoard(server.store, "room-1", ids.map((id) => addOp(`add-${id}`, bigStroke(id))));
    const [a, b] = await Promise.all([server.connect(), server.connect()]);
    await join(a, "room-1", "Ada");
    await join(b, "room-1", "Bob");

    // Two connections of one address asking again and again, one answer at a time each, as fast
    // as they come: 30,000 points an answer.
    const started = Date.now();
    type Answer = { ok: boolean; strokes?: Stroke[]; error?: { code: string; retryAfterMs: number } };
    const ask = async (s: ClientSocket) => {
      const answers: Answer[] = [];
      for (let i = 0; i < 20; i++) answers.push((await emitRawWithAck(s, "strokes:get", { strokeIds: ids })) as Answer);
      return answers;
    };
    const answers = (await Promise.all([ask(a), ask(b)])).flat();
    const seconds = (Date.now() - started) / 1000;
    const sent = answers.flatMap((r) => r.strokes ?? []).reduce((n, s) => n + s.points.length / 3, 0);
    const refused = answers.filter((r) => !r.ok);

    expect(sent).toBeLessThanOrEqual(STROKE_FETCH_LIMIT.burst + STROKE_FETCH_LIMIT.perSecond * seconds);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) expect(r.error).toMatchObject({ code: "RATE_LIMITED", retryAfterMs: expect.any(Number) });
  });
});

describe("the board's byte budget", () => {
  it("refuses a stroke beyond the budget with BOARD_FULL, stores and sends nothing of it, and erasing or clearing frees nothing", async () => {
    const store = new CountingStore();
    const stroke = (id: string) => strokeInput(id, { points: Array.from({ length: 300 }, (_, i) => (i % 3 === 2 ? 0.5 : 100 + i)) });
    const size = JSON.stringify({ ...stroke("s-00"), author: "00000000-0000-0000-0000-000000000000", seq: 10 }).length;
    server = await startServer({ boardMaxBytes: Math.floor(size * 3.5) }, store);
    const [a, b] = await Promise.all([server.connect(), server.connect()]);
    await join(a, "room-1", "Ada");
    await join(b, "room-1", "Bob");
    const toB = record(b, "op");

    const answers: OpAck[] = [];
    for (let i = 0; i < 5; i++) answers.push(await sendOp(a, addOp(`add-${i}`, stroke(`s-0${i}`))));
    const storedAfterFull = store.opBytes;
    await commit(a, clearOp("clear"));
    answers.push(await sendOp(a, addOp("add-after-clear", stroke("s-after"))));

    expect(answers.map((r) => (r.ok ? "ok" : r.error.code))).toEqual(["ok", "ok", "ok", "BOARD_FULL", "BOARD_FULL", "BOARD_FULL"]);
    const refusal = answers[3]!;
    if (refusal.ok) throw new Error("expected a refusal");
    expect(refusal.error.message).toMatch(/full/i);
    expect(refusal.error.message).not.toMatch(/s-0/);
    await barrier(b);
    expect(toB.map((op) => (op as AppliedOp).op.type)).toEqual(["stroke:add", "stroke:add", "stroke:add", "board:clear"]);
    // Nothing of the refused strokes was stored: only the three strokes, then the clear.
    expect(storedAfterFull).toBeLessThan(3 * size + 1_000);
    expect((await lateJoiner(server, "room-1")).seq).toBe(4);
  });
});

describe("the write rate per address", () => {
  /** A client that says, through a trusted proxy, that it comes from `address`. */
  async function connectFrom(url: string, address: string): Promise<ClientSocket> {
    const socket: ClientSocket = io(url, { forceNew: true, reconnection: false, transports: ["websocket"], extraHeaders: { "x-forwarded-for": address } });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    });
    return socket;
  }

  const sockets: ClientSocket[] = [];
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });

  it("shares one byte budget among every connection of an address: over it, RATE_LIMITED with retryAfterMs, and the hint works", async () => {
    // About 8 KB a stroke; 50 KB at once, 100 KB/s after.
    const stroke = (id: string) => strokeInput(id, { points: Array.from({ length: 1_500 }, (_, i) => (i % 3 === 2 ? 0.5 : 100 + i / 4)) });
    const size = JSON.stringify(addOp("add-c0-0", stroke("c0-0"))).length;
    server = await startServer({ trustProxy: true, writeBytesPerSecond: 100_000, writeBytesBurst: 50_000 });
    const crowd = await Promise.all(Array.from({ length: 4 }, () => connectFrom(server!.url, "10.0.0.1")));
    const elsewhere = await connectFrom(server.url, "10.0.0.2");
    sockets.push(...crowd, elsewhere);
    await Promise.all(crowd.map((s, i) => join(s, "room-1", `Kid ${i}`)));
    await join(elsewhere, "room-1", "Teacher");

    // Each connection alone stays well inside the budget (3 strokes, 24 KB); together they do not.
    const sent = crowd.flatMap((s, c) => [0, 1, 2].map((i) => ({ socket: s, req: addOp(`add-c${c}-${i}`, stroke(`c${c}-${i}`)) })));
    const first = await Promise.all(sent.map(({ socket, req }) => sendOp(socket, req)));
    const refused = first.flatMap((res, i) => (res.ok ? [] : [{ ...sent[i]!, error: res.error }]));

    console.info(`12 strokes of ${size} B from 4 connections of one address: ${12 - refused.length} accepted at once, ${refused.length} refused`);
    expect(refused.length).toBeGreaterThanOrEqual(12 - Math.ceil(50_000 / size) - 2);
    for (const { error } of refused) {
      expect(error).toEqual({ code: "RATE_LIMITED", message: expect.any(String), retryAfterMs: expect.any(Number) });
      expect(error.retryAfterMs).toBeGreaterThan(0);
      expect(error.message).not.toContain("10.0.0.1");
    }
    // Another address is not held back by this one.
    expect((await sendOp(elsewhere, addOp("add-t", stroke("t")))).ok).toBe(true);

    // As the app does: wait as told, send the same op again, until it goes through.
    for (const { socket, req, error } of refused) {
      let wait = error.retryAfterMs!;
      for (let tries = 0; tries < 50; tries++) {
        await new Promise((resolve) => setTimeout(resolve, wait));
        const res = await sendOp(socket, req);
        if (res.ok) break;
        expect(res.error.code).toBe("RATE_LIMITED");
        wait = res.error.retryAfterMs!;
      }
    }
    expect((await lateJoiner(server, "room-1")).strokeCount).toBe(13);
  });
});
