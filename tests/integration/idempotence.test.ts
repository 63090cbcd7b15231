import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { ClientSocket } from "@/lib/client/socket";
import type { AppliedOp, OpAck, OpRequest } from "@/lib/protocol";
import { databaseFile, SqliteStore } from "@/lib/server/storage";
import {
  addOp,
  barrier,
  clearOp,
  commit,
  eraseOp,
  idsOf,
  joinLoaded,
  lateJoiner,
  newClientId,
  record,
  replay,
  restoreOp,
  sendOp,
  startServer,
  strokeInput,
  type TestServer,
} from "./harness";

const servers: TestServer[] = [];
const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
  for (const s of stores.splice(0)) await s.close();
});

async function serve(store?: SqliteStore, snapshotEvery?: number): Promise<TestServer> {
  const server = await startServer(snapshotEvery ? { snapshotEvery } : {}, store);
  servers.push(server);
  return server;
}

/** The first answer to each op, by opId, to compare a resend's answer with. */
function acks(): { send(socket: ClientSocket, req: OpRequest): Promise<OpAck>; first: Map<string, OpAck> } {
  const first = new Map<string, OpAck>();
  return {
    first,
    async send(socket, req) {
      const res = await sendOp(socket, req);
      if (!first.has(req.opId)) first.set(req.opId, res);
      return res;
    },
  };
}

/** What a resend of `first` must be answered with: the same seq, and nothing applied again. */
const sameAnswer = (first: OpAck | undefined) => (first?.ok ? { ok: true, seq: first.seq } : first);

describe("a resent op that changed nothing gets its first answer", () => {
  it("erase, erase again (E2), another restores, E2 resent: the stroke stays", async () => {
    const server = await serve();
    const [a, b] = await Promise.all([server.connect(), server.connect()]);
    const aClient = newClientId();
    const ada = await joinLoaded(a, "room-1", "Ada", aClient);
    await joinLoaded(b, "room-1", "Bob");
    const toA = record(a, "op") as AppliedOp[];
    const { send, first } = acks();

    await send(a, addOp("add-x", strokeInput("x")));
    await send(a, eraseOp("erase-1", "x"));
    const e2 = await send(a, eraseOp("erase-2", "x"));
    expect(e2.ok).toBe(true);
    const restored = await commit(b, restoreOp("restore-b", "x"));

    // As after a lost ack: the same opId again.
    const resent = await sendOp(a, eraseOp("erase-2", "x"));

    console.info(`E2 first answered ${JSON.stringify(first.get("erase-2"))}, resent answered ${JSON.stringify(resent)}`);
    expect(resent).toEqual(sameAnswer(first.get("erase-2")));
    const late = await lateJoiner(server, "room-1");
    expect(idsOf(late.strokes)).toEqual(["x"]);
    expect(late.seq).toBe(restored.seq);
    // Every tab ends where the server is: A learned its own ops from its acks, B's from broadcasts.
    await barrier(a);
    const own = [...first.values()].flatMap((r) => (r.ok && r.applied ? [r.applied] : []));
    expect(replay(ada, [...own, ...toA]).visibleStrokes()).toEqual(late.strokes);
  });

  it.each([
    ["a restore of a visible stroke", restoreOp("restore-2", "x"), eraseOp("erase-b", "x"), []],
    ["a clear of an empty board", clearOp("clear-2"), addOp("add-y", strokeInput("y")), ["y"]],
  ] as const)("%s, resent after someone else changed the board, changes nothing", async (_label, noChange, meanwhile, visible) => {
    const server = await serve();
    const [a, b] = await Promise.all([server.connect(), server.connect()]);
    await joinLoaded(a, "room-1", "Ada");
    await joinLoaded(b, "room-1", "Bob");
    const { send, first } = acks();
    await send(a, addOp("add-x", strokeInput("x")));
    if (noChange.type === "board:clear") await send(a, eraseOp("erase-x", "x"));
    await send(a, noChange);
    await commit(b, meanwhile);

    expect(await sendOp(a, noChange)).toEqual(sameAnswer(first.get(noChange.opId)));
    expect(idsOf((await lateJoiner(server, "room-1")).strokes)).toEqual(visible);
  });

  it.each([
    ["from the log", 500],
    ["from a snapshot", 1],
  ])("across a restart of the server (SQLite, board read %s): the resent E2 gets its first answer and the stroke stays", async (_label, snapshotEvery) => {
    const file = databaseFile(mkdtempSync(joinPath(tmpdir(), "scribble-idempotence-")));
    const firstStore = new SqliteStore(file);
    const before = await serve(firstStore, snapshotEvery);
    const [a, b] = await Promise.all([before.connect(), before.connect()]);
    const aClient = newClientId();
    await joinLoaded(a, "room-1", "Ada", aClient);
    await joinLoaded(b, "room-1", "Bob");
    const { send, first } = acks();
    await send(a, addOp("add-x", strokeInput("x")));
    await send(a, eraseOp("erase-1", "x"));
    await send(a, eraseOp("erase-2", "x"));
    const restored = await commit(b, restoreOp("restore-b", "x"));
    await before.close();
    servers.splice(servers.indexOf(before), 1);
    await firstStore.close();

    const secondStore = new SqliteStore(file);
    stores.push(secondStore);
    const after = await serve(secondStore, snapshotEvery);
    const again = await after.connect();
    await joinLoaded(again, "room-1", "Ada", aClient);
    const resent = await sendOp(again, eraseOp("erase-2", "x"));

    console.info(`after a restart: E2 first answered ${JSON.stringify(first.get("erase-2"))}, resent answered ${JSON.stringify(resent)}`);
    expect(resent).toEqual(sameAnswer(first.get("erase-2")));
    const late = await lateJoiner(after, "room-1");
    expect(idsOf(late.strokes)).toEqual(["x"]);
    expect(late.seq).toBe(restored.seq);
  });
});
