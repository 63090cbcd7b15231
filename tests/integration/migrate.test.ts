/**
 * `npm run migrate`: a single node's SQLite file, written by a real server, copied into a real
 * Redis by the command as a process of its own, then served by a cluster node.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { JoinSnapshot, Stroke } from "@/lib/protocol";
import { newKey } from "@/lib/server/keys";
import { connectRedis } from "@/lib/server/redis/connection";
import { databaseFile, RedisStore, SqliteStore } from "@/lib/server/storage";
import { REPO_ROOT } from "@/tools/lib/spawn-server";
import {
  addOp,
  askToJoin,
  circleOp,
  clearOp,
  commit,
  drawStrokes,
  eraseOp,
  lateJoiner,
  manage,
  newClientId,
  openTab,
  refused,
  restoreOp,
  startNode,
  startServer,
  strokeInput,
  type TestServer,
} from "./harness";
import { useRedis } from "./support/redis";

const redis = useRedis();

/** Small enough that snapshots let the oldest ops of "sketch" go: its kept log starts after seq 1. */
const HISTORY_BYTES = 12_000;
const CHATS = 350;
const BOARDS = ["class", "exact", "sketch"];

/** What a newcomer on the single node saw of each board, before the migration. */
type Seen = Pick<JoinSnapshot, "seq" | "circle" | "epoch" | "strokeCount"> & { strokes: Stroke[] };

interface Run {
  code: number | null;
  output: string;
}

/** The command as an operator types it, in a process of its own. */
function migrate(...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", "migrate", "--", ...args], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("npm run migrate: a single node's boards into a cluster's Redis", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "scribble-migrate-"));
  const prefix = `migrate-${randomUUID()}`;
  const seen = new Map<string, Seen>();
  const owner = { key: newKey(), client: newClientId() };
  const bobClient = newClientId();
  const eveClient = newClientId();
  let viewKey = "";
  let sqlite: SqliteStore;
  let target: RedisStore;
  let first: Run;

  beforeAll(async () => {
    // The file as a single node writes it: a real server, snapshots every 20 ops, a history
    // budget that lets the oldest ops go.
    const source = new SqliteStore(databaseFile(dataDir), "normal", HISTORY_BYTES);
    const server = await startServer({ snapshotEvery: 20, chatBurst: 1_000, chatPerSecond: 1_000, opsPerSecond: 1_000 }, source);
    try {
      await writeBoards(server);
      for (const id of BOARDS) {
        const { seq, circle, epoch, strokeCount, strokes } = await lateJoiner(server, id);
        seen.set(id, { seq, circle, epoch, strokeCount, strokes });
      }
    } finally {
      await server.close();
      await source.close();
    }
    sqlite = new SqliteStore(databaseFile(dataDir));
    target = new RedisStore(redis().url, prefix);
    first = await migrate("--data", dataDir, "--redis", redis().url, "--prefix", prefix);
  }, 60_000);

  afterAll(async () => {
    await sqlite?.close();
    await target?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** Three boards: one drawn on at length, one owned and run as a class, one snapshotted at its last op. */
  async function writeBoards(server: TestServer): Promise<void> {
    // "sketch": 85 ops, snapshots at 20, 40, 60 and 80, the oldest ops past the history's budget.
    const ada = await openTab(server, "sketch", "Ada");
    await drawStrokes(ada.socket, "s", 60);
    await commit(ada.socket, eraseOp("erase-1", "s-3", "s-4"));
    await commit(ada.socket, circleOp("circle-1", "#22c55e"));
    await commit(ada.socket, clearOp("clear-1"));
    await commit(ada.socket, restoreOp("restore-1", "s-10", "s-11"));
    await drawStrokes(ada.socket, "u", 16);
    // One at a time: the snapshot at the 80th is taken before the 81st is ordered.
    for (let i = 0; i < 5; i++) await commit(ada.socket, addOp(`add-t-${i}`, strokeInput(`t-${i}`)));

    // "exact": 20 ops, snapshotted at the last.
    const sam = await openTab(server, "exact", "Sam");
    await drawStrokes(sam.socket, "e", 20);

    // "class": owned, listed, a viewer given, someone removed, a new view-only link, and more
    // chat than a board keeps, direct messages among it.
    const olga = await openTab(server, "class", "Olga", owner.client, owner.key);
    const bob = await openTab(server, "class", "Bob", bobClient);
    const eve = await openTab(server, "class", "Eve", eveClient);
    await drawStrokes(olga.socket, "c", 5);
    for (let i = 1; i <= CHATS; i++) {
      const [from, to] = i % 10 === 0 ? [bob, olga] : [olga, undefined];
      const res = await from.socket.emitWithAck("chat:send", { opId: `m-${i}`, text: `message ${i}`, ...(to && { to: to.id }) });
      expect(res).toMatchObject({ ok: true, message: { id: i } });
    }
    expect(await manage(olga, { type: "settings", settings: { listed: true, editorsMayErase: true } })).toEqual({ ok: true });
    expect(await manage(olga, { type: "role", userId: bob.id, role: "viewer" })).toEqual({ ok: true });
    expect(await manage(olga, { type: "remove", userId: eve.id })).toEqual({ ok: true });
    expect(await manage(olga, { type: "view-link" })).toEqual({ ok: true });
    const rejoined = await openTab(server, "class", "Olga", owner.client, owner.key);
    viewKey = rejoined.snapshot.owner!.viewKey;
  }

  it("copies every board: Redis loads each as SQLite does, with its history", async () => {
    expect(first.output).toMatch(/Copied 3 boards \(\d+ ops, \d+ chat messages\) in \d+\.\d s\./);
    expect(first.code).toBe(0);
    expect(await target.boardIds(0, 100)).toMatchObject({ ids: expect.arrayContaining(BOARDS) });

    // The cases the migration has to mind are there.
    const sketch = (await sqlite.load("sketch"))!;
    expect(sketch.snapshot?.seq).toBe(80);
    expect(sketch.ops.map((op) => op.seq)).toEqual([81, 82, 83, 84, 85]);
    const history = await sqlite.historyOf("sketch", 10_000);
    expect(history[0]!.seq).toBeGreaterThan(1);
    expect(history[0]!.seq).toBeLessThan(80);
    const exact = (await sqlite.load("exact"))!;
    expect([exact.snapshot?.seq, exact.ops]).toEqual([20, []]);
    const lesson = (await sqlite.load("class"))!;
    expect(lesson.chat.map((c) => c.message.id)).toEqual(Array.from({ length: 200 }, (_, i) => CHATS - 199 + i));
    expect(lesson.access?.version).toBe(5);
    expect(lesson.snapshot).toBeNull();

    for (const id of BOARDS) {
      expect(await target.load(id)).toEqual(await sqlite.load(id));
      expect(await target.historyOf(id, 10_000)).toEqual(await sqlite.historyOf(id, 10_000));
    }
    expect(await target.findByViewKey(viewKey)).toBe("class");
    expect(await target.listedBoards(10)).toEqual(["class"]);
  });

  it("leaves boards a cluster node serves as the single node did, and takes the next change of each", async () => {
    const node = await startNode(redis().url, prefix, { nodeId: "n1" });
    try {
      for (const id of BOARDS) {
        const { seq, circle, epoch, strokeCount, strokes } = await lateJoiner(node, id);
        expect({ seq, circle, epoch, strokeCount, strokes }).toEqual(seen.get(id));
      }

      // The next op, chat message and owners' change follow the copied ones.
      const ada = await openTab(node, "sketch", "Ada");
      expect((await commit(ada.socket, addOp("after", strokeInput("after")))).seq).toBe(86);
      const olga = await openTab(node, "class", "Olga", owner.client, owner.key);
      expect(olga.snapshot).toMatchObject({ self: { role: "owner" }, settings: { listed: true, editorsMayErase: true }, owner: { viewKey } });
      expect(olga.snapshot.chat.at(-1)?.id).toBe(CHATS);
      expect(await olga.socket.emitWithAck("chat:send", { opId: "after", text: "after the move" })).toMatchObject({ ok: true, message: { id: CHATS + 1 } });
      expect(await manage(olga, { type: "settings", settings: { locked: true } })).toEqual({ ok: true });
      expect((await target.accessOf("class"))?.version).toBe(6);

      // Roles, removals and the view-only link hold.
      expect((await openTab(node, "class", "Bob", bobClient)).snapshot.self.role).toBe("viewer");
      expect(await askToJoin(await node.connect(), "class", "Eve", eveClient)).toMatchObject(refused("REMOVED"));
      expect((await openTab(node, { view: viewKey }, "Vic")).snapshot.self.role).toBe("viewer");
    } finally {
      await node.close();
    }
  });

  it("refuses to overwrite boards Redis has: names them, exits 1, changes nothing; --skip-existing exits 0", async () => {
    const before = await Promise.all(BOARDS.map((id) => target.load(id)));
    const again = await migrate("--data", dataDir, "--redis", redis().url, "--prefix", prefix);
    expect(again.code).toBe(1);
    for (const id of BOARDS) expect(again.output).toContain(`Board ${id}: Redis has a board under this id already`);
    expect(again.output).toContain("Copied 0 boards");
    expect(await Promise.all(BOARDS.map((id) => target.load(id)))).toEqual(before);

    const skipping = await migrate("--data", dataDir, "--redis", redis().url, "--prefix", prefix, "--skip-existing");
    expect(skipping.code).toBe(0);
    expect(skipping.output).toContain("Skipped 3 boards Redis has already");
  });

  it("copies again a board a cut-off run left half-copied", async () => {
    const fresh = `migrate-${randomUUID()}`;
    const half = new RedisStore(redis().url, fresh);
    const raw = connectRedis(redis().url);
    try {
      // A run cut off on "sketch": the board made, some of it written, the board marked.
      await half.create("sketch", "epoch-of-a-cut-off-run");
      await raw.sadd(`${fresh}:migrate:partial`, "sketch");
      const run = await migrate("--data", dataDir, "--redis", redis().url, "--prefix", fresh);
      expect(run.output).toContain("Board sketch was half-copied");
      expect(run.code).toBe(0);
      for (const id of BOARDS) expect(await half.load(id)).toEqual(await sqlite.load(id));
      expect(await raw.smembers(`${fresh}:migrate:partial`)).toEqual([]);
    } finally {
      await half.close();
      await raw.quit();
    }
  });

  it("says what is wrong with its arguments, and creates nothing for a wrong --data", async () => {
    const missing = join(dataDir, "not-here");
    const run = await migrate("--data", missing, "--redis", redis().url);
    expect(run.code).toBe(2);
    expect(run.output).toContain(`There is no board database at ${databaseFile(missing)}`);
    expect(run.output).toContain("Stop the Scribble server first");
    expect((await migrate("--data", dataDir, "--redis", "http://example.org")).code).toBe(2);
  });
});
