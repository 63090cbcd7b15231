import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { io } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { Board } from "@/lib/board";
import type { ClientSocket } from "@/lib/client/socket";
import { PROTOCOL_VERSION, type AppliedOp, type OpAck } from "@/lib/protocol";
import { SqliteStore } from "@/lib/server/storage";
import {
  addOp,
  circleOp,
  clearOp,
  commit,
  eraseOp,
  idsOf,
  joinLoaded,
  newClientId,
  record,
  restoreOp,
  sendOp,
  startServer,
  strokeInput,
  type TestServer,
} from "./harness";
import { startServerProcess, type ServerProcess } from "./support/crashable";

const tempDir = () => mkdtempSync(joinPath(tmpdir(), "scribble-durability-"));

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function connectTo(url: string): Promise<ClientSocket> {
  const socket: ClientSocket = io(url, { forceNew: true, reconnection: false, transports: ["websocket"] });
  cleanups.push(async () => socket.disconnect());
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

async function processOn(dataDir: string, port = 0): Promise<ServerProcess> {
  const server = await startServerProcess(dataDir, port);
  cleanups.push(() => server.kill("SIGKILL"));
  return server;
}

describe("durability across a crash", () => {
  it("keeps every acked op, in order, when the server is killed with SIGKILL mid-burst", async () => {
    const dataDir = tempDir();
    const first = await processOn(dataDir);
    const a = await connectTo(first.url);
    await joinLoaded(a, "board", "Ada");

    // 300 ops in flight at once; the server dies as soon as 100 of them are acked.
    const acked: AppliedOp[] = [];
    let resolveHundred!: () => void;
    const hundred = new Promise<void>((r) => (resolveHundred = r));
    for (let i = 0; i < 300; i++) {
      // The rest are never answered: the server is gone.
      sendOp(a, addOp(`op-${i}`, strokeInput(`s-${i}`)))
        .then((res: OpAck) => {
          if (res.ok && res.applied) acked.push(res.applied);
          if (acked.length === 100) resolveHundred();
        })
        .catch(() => undefined);
    }
    await hundred;
    await first.kill("SIGKILL");
    // Acks that came in before the kill landed count too: each of them promised a stored op. They
    // came in order, with no gap: the server acks a burst's ops as it stores them, one after another.
    const ackedIds = acked.map((op) => (op.op.type === "stroke:add" ? op.op.stroke.id : ""));
    expect(ackedIds).toEqual(Array.from({ length: ackedIds.length }, (_, i) => `s-${i}`));
    expect(acked.map((op) => op.seq)).toEqual(Array.from({ length: acked.length }, (_, i) => i + 1));

    const second = await processOn(dataDir);
    const late = await connectTo(second.url);
    const { snapshot, strokes } = await joinLoaded(late, "board", "Late");

    const stored = idsOf(strokes);
    for (const id of ackedIds) expect(stored).toContain(id);
    // In order, and nothing beyond what was sent: the log is a prefix of the burst.
    expect(stored).toEqual(Array.from({ length: stored.length }, (_, i) => `s-${i}`));
    expect(snapshot.seq).toBe(stored.length);
  });

  it("a resend after the restart is recognised: same seq, nothing doubled", async () => {
    const dataDir = tempDir();
    const first = await processOn(dataDir);
    const a = await connectTo(first.url);
    await joinLoaded(a, "board", "Ada");
    const original = await commit(a, addOp("op-once", strokeInput("s-once")));
    await first.kill("SIGKILL");

    const second = await processOn(dataDir);
    const again = await connectTo(second.url);
    await joinLoaded(again, "board", "Ada");
    const resent = await sendOp(again, addOp("op-once", strokeInput("s-once")));

    expect(resent).toEqual({ ok: true, seq: original.seq });
    const late = await connectTo(second.url);
    expect(idsOf((await joinLoaded(late, "board", "Late")).strokes)).toEqual(["s-once"]);
  });

  it("on SIGTERM finishes the writes in flight, then exits 0", async () => {
    const dataDir = tempDir();
    const first = await processOn(dataDir);
    const a = await connectTo(first.url);
    await joinLoaded(a, "board", "Ada");
    const acked: string[] = [];
    const sends = Array.from({ length: 200 }, (_, i) =>
      sendOp(a, addOp(`op-${i}`, strokeInput(`s-${i}`)))
        .then((res) => {
          if (res.ok) acked.push(`s-${i}`);
        })
        .catch(() => undefined),
    );
    await sends[20];
    expect(await first.kill("SIGTERM")).toBe(0);
    await Promise.all(sends);

    const second = await processOn(dataDir);
    const late = await connectTo(second.url);
    const stored = idsOf((await joinLoaded(late, "board", "Late")).strokes);
    for (const id of acked) expect(stored).toContain(id);
  });
});

describe("resuming with lastSeq", () => {
  let server: TestServer;
  afterEach(async () => server?.close());

  it("hands a returning tab exactly the ops it missed, and a full snapshot when it cannot", async () => {
    server = await startServer();
    const [a, b] = await Promise.all([server.connect(), server.connect()]);
    await joinLoaded(a, "board", "Ada");
    const bClient = newClientId();
    const bJoin = await joinLoaded(b, "board", "Bob", bClient);
    for (let i = 0; i < 5; i++) await commit(a, addOp(`early-${i}`, strokeInput(`e-${i}`)));
    b.disconnect();
    const missed = [
      await commit(a, addOp("late-0", strokeInput("l-0"))),
      await commit(a, eraseOp("late-1", "e-0")),
      await commit(a, circleOp("late-2", "#22c55e")),
    ];

    const back = await server.connect();
    const ops = record(back, "op");
    const chunks = record(back, "board:strokes");
    const res = await back.emitWithAck("board:join", {
      protocol: PROTOCOL_VERSION,
      boardId: "board",
      name: "Bob",
      clientId: bClient,
      resume: { epoch: bJoin.snapshot.epoch, seq: 5 },
    });
    if (!res.ok) throw new Error(res.error.message);
    expect(res).toMatchObject({ sync: "delta", strokeCount: 0, seq: 8 });
    await expect.poll(() => ops.length).toBe(3);
    expect(ops).toEqual(missed);
    expect(chunks).toEqual([]);

    // Another board's epoch (the board was made anew): start over.
    const stranger = await server.connect();
    const full = await stranger.emitWithAck("board:join", {
      protocol: PROTOCOL_VERSION,
      boardId: "board",
      name: "Cy",
      clientId: newClientId(),
      resume: { epoch: "another-epoch", seq: 5 },
    });
    expect(full.ok && full.sync).toBe("full");
    // Ahead of the board (the server lost data): start over too.
    const ahead = await (await server.connect()).emitWithAck("board:join", {
      protocol: PROTOCOL_VERSION,
      boardId: "board",
      name: "Dee",
      clientId: newClientId(),
      resume: { epoch: bJoin.snapshot.epoch, seq: 99 },
    });
    expect(ahead.ok && ahead.sync).toBe("full");
  });

  it("a snapshot plus its tail gives the same board as the whole log replayed", async () => {
    const dataDir = tempDir();
    const store = new SqliteStore(joinPath(dataDir, "scribble.db"));
    server = await startServer({ snapshotEvery: 7 }, store);
    const a = await server.connect();
    await joinLoaded(a, "board", "Ada");
    const log: AppliedOp[] = [];
    for (let i = 0; i < 30; i++) {
      log.push(await commit(a, addOp(`add-${i}`, strokeInput(`s-${i}`, { color: i % 2 ? "#ef4444" : "#1f2937" }))));
      if (i % 5 === 4) log.push(await commit(a, eraseOp(`erase-${i}`, `s-${i - 2}`)));
      if (i === 20) log.push(await commit(a, clearOp("clear")));
      if (i === 22) log.push(await commit(a, restoreOp("restore", "s-3", "s-10")));
      if (i % 9 === 0) log.push(await commit(a, circleOp(`circle-${i}`, "#3b82f6")));
    }
    await server.close();

    const reopened = await store.load("board");
    expect(reopened?.snapshot?.seq).toBeGreaterThan(0);
    expect(reopened!.ops.length).toBeLessThan(log.length);

    const replayed = new Board("board");
    for (const op of log) replayed.applyCommitted(op);
    const restored = Board.fromPersisted("board", reopened!.snapshot!);
    for (const op of reopened!.ops) restored.applyCommitted(op);
    expect(restored.snapshot()).toEqual(replayed.snapshot());
    await store.close();
  });
});

describe("boards in memory", () => {
  let server: TestServer;
  afterEach(async () => server?.close());

  it("drops a board nobody is on after the idle time, and loads it again, whole, when someone comes", async () => {
    server = await startServer({ boardIdleMs: 20 });
    const a = await server.connect();
    await joinLoaded(a, "board", "Ada");
    for (let i = 0; i < 3; i++) await commit(a, addOp(`op-${i}`, strokeInput(`s-${i}`)));
    await commit(a, eraseOp("erase", "s-1"));
    a.emit("board:leave");
    await expect.poll(() => server.sockets.boards.loadedCount).toBe(0);

    const b = await server.connect();
    const { snapshot, strokes } = await joinLoaded(b, "board", "Bob");
    expect(idsOf(strokes)).toEqual(["s-0", "s-2"]);
    expect(snapshot.seq).toBe(4);
    // The erased stroke is still there to restore.
    expect((await commit(b, restoreOp("restore", "s-1"))).op).toMatchObject({ type: "stroke:restore" });
  });
});
