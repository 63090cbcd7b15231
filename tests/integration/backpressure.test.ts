import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { setImmediate as nextTurn } from "node:timers/promises";
import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import { PROTOCOL_VERSION, type StrokeInput } from "@/lib/protocol";
import type { Config } from "@/lib/server/config";
import { DRAIN_BELOW_BYTES } from "@/lib/server/outbound";
import { addOp, commit, joinLoaded, newClientId, next, seedBoard, startServer, strokeInput, type TestServer } from "./harness";
import { RawClient } from "./support/raw-client";

v8.setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Small limits, so that a few MB of board show what gigabytes would. */
const CAP = 1_000_000;
/** Above the largest message sent here: a join chunk of these strokes is 15 of them (30,000 points), 0.54 MB. */
const CHUNK = 1_000_000;
const SLOW_READERS = 6;

/** A stroke of 2,000 points, the most one may have, written out as a tab writes them (two decimals): 36 KB of JSON. */
function bigStroke(id: string): StrokeInput {
  const points: number[] = [];
  for (let i = 0; i < 2_000; i++) points.push(Math.round(((i * 7.31) % 1_600) * 100) / 100, Math.round(((i * 3.77) % 1_000) * 100) / 100, 0.5);
  return strokeInput(id, { points });
}

const STROKE_BYTES = JSON.stringify(bigStroke("seed-0")).length;

const bigAdds = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => addOp(`add-${prefix}-${i}`, bigStroke(`${prefix}-${i}`)));

/** What engine.io holds for one connection, seen from outside: its packet queue and, for a WebSocket, the socket's unsent bytes. */
interface EngineConn {
  id: string;
  readyState: string;
  writeBuffer: { data?: string | Buffer }[];
  transport: { name: string; socket?: { bufferedAmount: number } };
  on(event: "packetCreate", listener: () => void): unknown;
  once(event: "close", listener: () => void): unknown;
}

/** Bytes queued on the server for one connection, counted the slow way (the test's own measure, not the server's). */
function queuedBytes(conn: EngineConn): number {
  let bytes = conn.transport.socket?.bufferedAmount ?? 0;
  for (const packet of conn.writeBuffer) bytes += packet.data?.length ?? 0;
  return bytes;
}

/** Heap and array buffers (where socket write queues live) after a full GC. */
async function memoryNow(): Promise<number> {
  // A turn first: buffers a socket has done with are let go of in callbacks.
  await nextTurn();
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

const MB = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

interface Watched {
  conn: EngineConn;
  closed: Promise<void>;
  /** The largest queue the connection had so far. */
  peak(): number;
}

/**
 * Every engine.io connection the server opens from now on, by id. A queue grows only when a packet
 * is added: it is measured as each next packet is made (which sees all before it), as the
 * connection closes, and when asked.
 */
function engineConns(server: TestServer): Map<string, Watched> {
  const conns = new Map<string, Watched>();
  server.sockets.io.engine.on("connection", (conn: EngineConn) => {
    let peak = 0;
    let closed = false;
    const measure = () => (peak = Math.max(peak, queuedBytes(conn)));
    conn.on("packetCreate", measure);
    conns.set(conn.id, {
      conn,
      closed: new Promise((resolve) =>
        conn.once("close", () => {
          measure();
          closed = true;
          resolve();
        }),
      ),
      peak: () => (closed ? peak : measure()),
    });
  });
  return conns;
}

/** Resolves true when `promise` settles within `ms`, false otherwise: the bound a test waits for a close. */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = await Promise.race([promise.then(() => true as const), late]);
  clearTimeout(timer);
  return settled;
}

/** What the server logged of the connections it closed for not reading. */
const warnings = (server: TestServer) => server.logs.filter((l) => l.level === "warn" && /not reading/.test(l.msg));

/** The engine.io session id of a raw client (from its open packet). */
const sidOf = (client: RawClient) => (JSON.parse(client.frames.find((f) => f.startsWith("0{"))!.slice(1)) as { sid: string }).sid;

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(overrides: Partial<Config>): Promise<TestServer> {
  // Rates out of the way: the traffic here is what a whole class would make.
  const server = await startServer({
    outboundMaxBytes: CAP,
    inboundBytesPerSecond: 1_000_000_000,
    writeBytesPerSecond: 1_000_000_000,
    writeBytesBurst: 1_000_000_000,
    opsPerSecond: 100_000,
    ...overrides,
  });
  cleanups.push(() => server.close());
  return server;
}

/**
 * A raw client that joins `boardId`, stops reading the moment the join ack arrives, and keeps
 * answering the heartbeat blind ("3" now and then), as a paused tab whose TCP window is full would.
 */
async function slowReader(server: TestServer, boardId: string): Promise<RawClient> {
  const client = await RawClient.connect(server.url);
  cleanups.push(() => client.terminate());
  client.ws.on("message", (data: Buffer) => {
    if (data.toString("latin1", 0, 3) === "431") client.pause();
  });
  const pongs = setInterval(() => client.isOpen && client.send("3"), 200);
  cleanups.push(() => clearInterval(pongs));
  client.emit(["board:join", { protocol: PROTOCOL_VERSION, boardId, name: `Slow ${newClientId().slice(-6)}`, clientId: newClientId() }], 1);
  expect(await client.ack(1)).toMatchObject({ ok: true });
  return client;
}

describe("a client that does not read cannot make the server queue without bound", () => {
  it("streams a big board to paused WebSockets one chunk at a time and closes them once stalled; others carry on", async () => {
    const server = await start({ outboundStallMs: 1_000 });
    await seedBoard(server.store, "big", bigAdds("seed", 420));
    const a = await server.connect();
    const b = await server.connect();
    const board = (await joinLoaded(a, "big", "Ada")).strokes.length;
    await joinLoaded(b, "big", "Bo");
    expect(board).toBe(420);
    const conns = engineConns(server);
    const before = await memoryNow();

    const slow = await Promise.all(Array.from({ length: SLOW_READERS }, () => slowReader(server, "big")));
    const slowConns = slow.map((c) => conns.get(sidOf(c))!);
    const peakQueue = () => Math.max(...slowConns.map((s) => s.peak()));
    let peakMemory = await memoryNow();
    const sampler = setInterval(async () => (peakMemory = Math.max(peakMemory, await memoryNow())), 250);
    cleanups.push(() => clearInterval(sampler));

    // Someone reading keeps drawing while the slow ones hang.
    const heard = next(b, "op");
    const applied = await commit(a, addOp("add-live", strokeInput("live")));
    expect((await heard).seq).toBe(applied.seq);

    const closedInTime = await within(Promise.all(slowConns.map((s) => s.closed)), 8_000);
    clearInterval(sampler);
    const growth = peakMemory - before;
    console.info(`${SLOW_READERS} paused WebSockets on a ${MB(board * STROKE_BYTES)} board: peak queue ${MB(peakQueue())}, memory +${MB(growth)}`);

    expect(peakQueue()).toBeLessThanOrEqual(CAP + CHUNK);
    // A chunk being written to a socket costs up to four times its length: the string, and the
    // three bytes per character Node reserves to write it as UTF-8 (reserved, mostly never touched).
    expect(growth).toBeLessThan(SLOW_READERS * 4 * CHUNK);
    expect(closedInTime).toBe(true);
    expect(server.sockets.metrics.counters.slowReadersClosed).toBe(SLOW_READERS);
    expect(warnings(server).map((w) => w.fields?.reason)).toEqual(Array(SLOW_READERS).fill(expect.stringMatching(/took nothing/)));
    // And the board is still there for whoever reads.
    const heardAfter = next(b, "op");
    await commit(a, addOp("add-after", strokeInput("after")));
    await heardAfter;
  });

  it("keeps what all connections have queued under the server's total cap, closing the slow readers that would pass it; others carry on", async () => {
    const totalCap = 3_000_000;
    const slowReaders = 16;
    // Only the total cap can close anyone here: each slow reader may hold far more than one chunk.
    const server = await start({ outboundMaxBytes: 10 * totalCap, outboundTotalMaxBytes: totalCap, outboundStallMs: 600_000 });
    await seedBoard(server.store, "big", bigAdds("seed", 420));
    const a = await server.connect();
    const b = await server.connect();
    const board = (await joinLoaded(a, "big", "Ada")).strokes.length;
    await joinLoaded(b, "big", "Bo");
    const conns = engineConns(server);
    // The sum of every open connection's queue, as each packet is made (which sees all before it).
    let peakTotal = 0;
    const total = () => [...conns.values()].reduce((sum, c) => sum + (c.conn.readyState === "closed" ? 0 : queuedBytes(c.conn)), 0);
    server.sockets.io.engine.on("connection", (conn: EngineConn) => conn.on("packetCreate", () => (peakTotal = Math.max(peakTotal, total()))));

    const slow = await Promise.all(Array.from({ length: slowReaders }, () => slowReader(server, "big")));
    const slowConns = slow.map((c) => conns.get(sidOf(c))!);
    let closed = 0;
    for (const s of slowConns) void s.closed.then(() => closed++);
    // Every slow reader ends up closed, or holding the chunk it will never take with its join stream waiting.
    await expect.poll(() => slowConns.every((s) => s.conn.readyState === "closed" || queuedBytes(s.conn) > DRAIN_BELOW_BYTES), { timeout: 8_000 }).toBe(true);
    const held = total();
    console.info(
      `${slowReaders} paused WebSockets on a ${MB(board * STROKE_BYTES)} board, total cap ${MB(totalCap)}: peak total queued ${MB(peakTotal)}, ${MB(held)} held at the end, ${closed} closed`,
    );

    expect(peakTotal).toBeLessThanOrEqual(totalCap + CHUNK);
    expect(held).toBeLessThanOrEqual(totalCap);
    expect(closed).toBeGreaterThan(0);
    expect(server.sockets.metrics.counters.slowReadersClosed).toBe(closed);
    expect(warnings(server).map((w) => w.fields?.reason)).toEqual(Array(closed).fill("server's total queue over the limit"));
    // Someone reading keeps drawing.
    const heard = next(b, "op");
    const applied = await commit(a, addOp("add-live", strokeInput("live")));
    expect((await heard).seq).toBe(applied.seq);
  });

  it("closes a paused WebSocket whose broadcasts pass the cap on a busy board", async () => {
    // Stalls are not what this test is about: only the cap can close the slow reader here.
    const server = await start({ outboundStallMs: 600_000 });
    const conns = engineConns(server);
    const a = await server.connect();
    await joinLoaded(a, "busy", "Ada");
    const slow = await slowReader(server, "busy");
    const slowConn = conns.get(sidOf(slow))!;

    // At most 20 MB of strokes, in bursts of 20, until the slow reader is gone.
    let sent = 0;
    let closed = false;
    void slowConn.closed.then(() => (closed = true));
    while (!closed && sent < 520) {
      await Promise.all(bigAdds(`busy-${sent}`, 20).map((req) => commit(a, req)));
      sent += 20;
    }
    console.info(`1 paused WebSocket, ${MB(sent * STROKE_BYTES)} of broadcasts: peak queue ${MB(slowConn.peak())}, closed: ${closed}`);

    expect(closed).toBe(true);
    expect(slowConn.peak()).toBeLessThanOrEqual(CAP + STROKE_BYTES + 1_000);
    expect(warnings(server)).toEqual([expect.objectContaining({ fields: expect.objectContaining({ transport: "websocket", reason: expect.stringMatching(/over the limit/) }) })]);
    expect(server.sockets.metrics.counters.slowReadersClosed).toBe(1);
  });

  it.each([
    { stops: "once its queue passes the cap", traffic: true, overrides: { outboundStallMs: 600_000 }, reason: /over the limit/ },
    { stops: "once it has taken nothing for a while", traffic: false, overrides: { outboundStallMs: 1_000 }, reason: /took nothing/ },
  ])("closes a long-polling session that never polls again but keeps sending pongs, $stops", async ({ traffic, overrides, reason }) => {
    const server = await start(overrides);
    await seedBoard(server.store, "polled", bigAdds("seed", 100));
    const conns = engineConns(server);
    const a = await server.connect();
    await joinLoaded(a, "polled", "Ada");

    const endpoint = `${server.url}/socket.io/?EIO=4&transport=polling`;
    const open = await (await fetch(endpoint)).text();
    const { sid } = JSON.parse(open.slice(1)) as { sid: string };
    const post = (body: string) => fetch(`${endpoint}&sid=${sid}`, { method: "POST", body }).then((res) => res.status);
    expect(await post("40")).toBe(200);
    const join = { protocol: PROTOCOL_VERSION, boardId: "polled", name: "Poller", clientId: newClientId() };
    expect(await post(`421${JSON.stringify(["board:join", join])}`)).toBe(200);
    const polled = conns.get(sid)!;
    let closed = false;
    void polled.closed.then(() => (closed = true));
    // The heartbeat, answered blind.
    const pongs = setInterval(() => !closed && void post("3"), 200);
    cleanups.push(() => clearInterval(pongs));

    // Traffic on the board (at most 8 MB of it) until the session is gone.
    let sent = 0;
    while (traffic && !closed && sent < 200) {
      await Promise.all(bigAdds(`polled-${sent}`, 10).map((req) => commit(a, req)));
      sent += 10;
    }
    const closedInTime = await within(polled.closed, 4_000);
    clearInterval(pongs);
    console.info(
      `1 long-polling session that stopped polling, ${MB(100 * STROKE_BYTES)} board + ${MB(sent * STROKE_BYTES)} of ops: peak queue ${MB(polled.peak())}, closed: ${closedInTime}`,
    );

    expect(polled.peak()).toBeLessThanOrEqual(CAP + CHUNK);
    expect(closedInTime).toBe(true);
    expect(warnings(server)).toEqual([expect.objectContaining({ fields: expect.objectContaining({ transport: "polling", reason: expect.stringMatching(reason) }) })]);
    expect(server.sockets.metrics.counters.slowReadersClosed).toBe(1);
    expect(await post("3")).toBe(400);
  });

  it("a long-polling client that polls on a fresh connection each time and never reads holds no more connections than its address may", async () => {
    const maxConnectionsPerIp = 4;
    const server = await start({ maxConnectionsPerIp, outboundStallMs: 600_000 });
    await seedBoard(server.store, "polled", bigAdds("seed", 100));
    const endpoint = `${server.url}/socket.io/?EIO=4&transport=polling`;
    const { sid } = JSON.parse((await (await fetch(endpoint)).text()).slice(1)) as { sid: string };
    const post = (body: string) => fetch(`${endpoint}&sid=${sid}`, { method: "POST", body }).then((res) => res.status, () => 0);
    expect(await post("40")).toBe(200);
    expect(await post(`421${JSON.stringify(["board:join", { protocol: PROTOCOL_VERSION, boardId: "polled", name: "Poller", clientId: newClientId() }])}`)).toBe(200);

    // The server's own TCP connections: whatever it lets stay open holds what it wrote there.
    const open = new Set<Socket>();
    let most = 0;
    server.sockets.io.httpServer.on("connection", (socket: Socket) => {
      if (socket.destroyed) return;
      open.add(socket);
      most = Math.max(most, open.size);
      socket.once("close", () => open.delete(socket));
    });
    const port = Number(new URL(server.url).port);
    for (let i = 0; i < 20; i++) {
      const socket = connect(port, "127.0.0.1");
      cleanups.push(() => socket.destroy());
      socket.on("error", () => undefined);
      socket.pause();
      await once(socket, "connect");
      socket.write(`GET /socket.io/?EIO=4&transport=polling&sid=${sid} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    }
    await post("3");
    console.info(`20 polls on fresh connections never read: at most ${most} connections held open`);
    expect(most).toBeLessThanOrEqual(maxConnectionsPerIp * 2);
  });
});
