/**
 * Cluster mode under process-level faults: real node processes (tools/socket-server.ts) on a real
 * redis-server, behind the routing proxy, with the real client session (`BoardSession`) over real
 * socket.io-client sockets that reconnect through the proxy as a browser does. Nodes are killed
 * with SIGKILL or paused with SIGSTOP, Redis is killed and restarted, or restarted from an older
 * copy of its data. Nothing here sleeps for a fixed time: every wait is on state or an event.
 */
import { randomUUID } from "node:crypto";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { io } from "socket.io-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ClientSocket } from "@/lib/client/socket";
import { connectRedis } from "@/lib/server/redis/connection";
import { RedisStore } from "@/lib/server/storage";
import type { Proxy } from "@/tools/cluster/proxy";
import { startRedis, type RedisProcess } from "@/tools/cluster/redis-process";
import { joinLoaded } from "./harness";
import { converged, countLines, NODE_TIMEOUT_MS, restartNode, startClusterProxy, startNodes, tabsOnNodes, TestTab, until, type ClusterNode } from "./support/cluster-procs";

/** This file's one Redis; tests that kill or roll it back start it again on the same directory. */
let redis: RedisProcess;
let redisDir: string;
beforeAll(async () => {
  redisDir = mkdtempSync(join(tmpdir(), "scribble-faults-"));
  redis = await startRedis({ dir: join(redisDir, "r") });
});
afterAll(async () => {
  await redis?.stop();
  rmSync(redisDir, { recursive: true, force: true });
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Cluster {
  prefix: string;
  nodes: ClusterNode[];
  proxy: Proxy;
  node(id: string): ClusterNode;
}

/** The current test's nodes, whose logs a failure message shows. */
let current: ClusterNode[] = [];
const nodeLogs = () => current.map((n) => `--- ${n.id} (last lines) ---\n${n.proc.output().slice(-2_000)}`).join("\n");

/** Nodes on this file's Redis under a prefix of the test's own, and the proxy in front of them. */
async function cluster(ids: string[], env: Record<string, string> = {}): Promise<Cluster> {
  const prefix = `faults-${randomUUID()}`;
  const nodes = await startNodes(redis.url, prefix, ids, env);
  current = nodes;
  cleanups.push(() => Promise.all(nodes.map((n) => n.proc.kill())));
  const proxy = await startClusterProxy(nodes, true);
  cleanups.push(() => proxy.close());
  return { prefix, nodes, proxy, node: (id) => nodes.find((n) => n.id === id)! };
}

function openTab(opts: ConstructorParameters<typeof TestTab>[0]): TestTab {
  const tab = new TestTab(opts);
  cleanups.push(() => tab.close());
  return tab;
}

/** Opens one tab per name, each on the node named beside it (by its `tab` id, through `spread`). */
async function openTabs(c: Cluster, board: string, people: [name: string, node: string][]): Promise<TestTab[]> {
  const tabIds = await tabsOnNodes(c.proxy, board, people.map(([, node]) => node));
  const tabs = people.map(([name], i) => openTab({ proxy: c.proxy, board, name, tab: tabIds[i]! }));
  await until("every tab joined", () => tabs.every((t) => t.joined), () => describeAll(tabs));
  expect(await Promise.all(tabs.map((t) => t.node()))).toEqual(people.map(([, node]) => node));
  return tabs;
}

const describeAll = (tabs: readonly TestTab[]) => tabs.map((t) => t.describe()).join("\n");
const sorted = (ids: Iterable<string>) => [...ids].sort();

/** Waits until every tab holds the same board with nothing pending. */
async function convergence(tabs: readonly TestTab[], what = "every tab converged: joined, nothing pending, one seq", timeoutMs = 25_000): Promise<void> {
  await until(what, () => converged(tabs), () => `${describeAll(tabs)}\n${nodeLogs()}`, timeoutMs);
}

/** What Redis stores of a board: its ops in seq order (read with a store of the test's own). */
async function storedOps(prefix: string, board: string) {
  const store = new RedisStore(redis.url, prefix);
  try {
    return await store.opsAfter(board, 0, 100_000);
  } finally {
    await store.close();
  }
}

async function storedRoster(prefix: string, board: string) {
  const store = new RedisStore(redis.url, prefix);
  try {
    return await store.rosterOf(board);
  } finally {
    await store.close();
  }
}

/** The store's ops are numbered 1..n without a gap, each stroke is added once; answers the stroke ids. */
async function expectGapFreeLog(prefix: string, board: string): Promise<string[]> {
  const ops = await storedOps(prefix, board);
  expect(ops.map((op) => op.seq)).toEqual(ops.map((_, i) => i + 1));
  expect(new Set(ops.map((op) => op.op.opId)).size).toBe(ops.length);
  const strokeIds = ops.flatMap((op) => (op.op.type === "stroke:add" ? [op.op.stroke.id] : []));
  expect(new Set(strokeIds).size).toBe(strokeIds.length);
  return strokeIds;
}

/** A late joiner on a fresh socket through the proxy: the board's stroke ids as the cluster serves them now. */
async function lateJoinerStrokes(proxy: Proxy, board: string): Promise<{ ids: string[]; seq: number; epoch: string }> {
  const socket = io(proxy.url, { forceNew: true, reconnection: false, transports: ["websocket"], query: { board, tab: `late-${randomUUID()}` } }) as ClientSocket;
  cleanups.push(() => socket.disconnect());
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  const { strokes, snapshot } = await joinLoaded(socket, board, `Late ${randomUUID().slice(0, 6)}`);
  socket.disconnect();
  return { ids: strokes.map((s) => s.id), seq: snapshot.seq, epoch: snapshot.epoch };
}

/** Kills this file's Redis (SIGKILL) and starts it again on its directory, optionally first putting `aofFrom`'s AOF in place. */
async function restartRedis(aofFrom?: string): Promise<{ killedAt: number; backAt: number }> {
  const killedAt = Date.now();
  await redis.kill();
  if (aofFrom) {
    rmSync(join(redis.dir, "appendonlydir"), { recursive: true, force: true });
    cpSync(aofFrom, join(redis.dir, "appendonlydir"), { recursive: true });
  }
  redis = await startRedis({ dir: redis.dir });
  return { killedAt, backAt: Date.now() };
}

describe("cluster faults: a node killed with SIGKILL", () => {
  it("loses and doubles no stroke when a node dies mid-drawing: its tab moves to another node and resends what was not acked", { timeout: 60_000 }, async () => {
    const c = await cluster(["n1", "n2", "n3"]);
    const board = "kill-mid-stroke";
    const tabs = await openTabs(c, board, [
      ["Ada", "n1"],
      ["Bob", "n2"],
      ["Cy", "n3"],
    ]);
    const [ada] = tabs as [TestTab, TestTab, TestTab];

    // Ada's node dies after her 30th stroke, with that stroke (at least) not acked yet; everyone keeps drawing.
    let killed: Promise<unknown> | undefined;
    let pendingAtKill = 0;
    await Promise.all(
      tabs.map((t) =>
        t.draw(t.name.toLowerCase(), 60, 5, (i) => {
          if (t !== ada || i !== 30) return;
          pendingAtKill = ada.pending;
          killed = c.node("n1").proc.kill();
        }),
      ),
    );
    await killed;
    expect(pendingAtKill).toBeGreaterThan(0);

    await until("Ada reconnected", () => ada.connects >= 2, () => describeAll(tabs));
    await convergence(tabs);
    expect(await ada.node()).not.toBe("n1");

    const drawn = sorted(tabs.flatMap((t) => t.drawn));
    expect(drawn).toHaveLength(180);
    for (const t of tabs) {
      expect(t.refusals(), t.name).toEqual([]);
      expect(t.dropped(), t.name).toEqual([]);
      const ids = t.boardStrokeIds();
      expect(ids, t.name).toHaveLength(180);
      expect(sorted(ids), t.name).toEqual(drawn);
    }
    expect(sorted(await expectGapFreeLog(c.prefix, board))).toEqual(drawn);
    const late = await lateJoinerStrokes(c.proxy, board);
    expect(late.seq).toBe(180);
    expect(sorted(late.ids)).toEqual(drawn);
    // Every tab holds the board in the same z-order.
    for (const t of tabs) expect(t.boardStrokeIds()).toEqual(late.ids);
  });
});

describe("cluster faults: Redis killed with SIGKILL", () => {
  it("loses nothing acked when Redis dies and restarts on its data while tabs draw, and the tabs carry on", { timeout: 60_000 }, async () => {
    const c = await cluster(["n1", "n2"]);
    const board = "redis-restart";
    const tabs = await openTabs(c, board, [
      ["Ada", "n1"],
      ["Bob", "n2"],
      ["Cy", "n1"],
    ]);
    const [ada] = tabs as [TestTab, TestTab, TestTab];

    let restarted: Promise<{ killedAt: number; backAt: number }> | undefined;
    await Promise.all(
      tabs.map((t) =>
        t.draw(`${t.name.toLowerCase()}-a`, 40, 5, (i) => {
          if (t === ada && i === 15) restarted = restartRedis();
        }),
      ),
    );
    const { backAt } = (await restarted)!;
    await convergence(tabs, "converged after Redis came back", 30_000);
    // The outage was felt: some op was sent before Redis was back and answered only once it was.
    const across = tabs.flatMap((t) => [...t.ops.values()].filter((r) => r.sentAt < backAt && (r.answeredAt ?? 0) >= backAt));
    expect(across.length).toBeGreaterThan(0);

    // Everything any tab had acked is on every board, in the store, and for a newcomer.
    const acked = sorted(new Set(tabs.flatMap((t) => t.ackedStrokeIds())));
    const stored = await expectGapFreeLog(c.prefix, board);
    expect(sorted(stored)).toEqual(expect.arrayContaining(acked));
    for (const t of tabs) expect(sorted(t.boardStrokeIds()), t.name).toEqual(expect.arrayContaining(acked));
    const late = await lateJoinerStrokes(c.proxy, board);
    for (const t of tabs) expect(t.boardStrokeIds(), t.name).toEqual(late.ids);
    // Nothing drawn was given up on: every stroke is on the board.
    for (const t of tabs) expect(t.dropped(), t.name).toEqual([]);
    for (const t of tabs) expect(sorted(t.boardStrokeIds()), t.name).toEqual(expect.arrayContaining(sorted(t.drawn)));

    // They carry on.
    await Promise.all(tabs.map((t) => t.draw(`${t.name.toLowerCase()}-b`, 10, 5)));
    await convergence(tabs, "converged after drawing on the restarted Redis");
    const after = sorted(tabs.flatMap((t) => t.drawn.filter((id) => id.includes("-b-"))));
    for (const t of tabs) expect(sorted(t.boardStrokeIds()), t.name).toEqual(expect.arrayContaining(after));
    await expectGapFreeLog(c.prefix, board);
    // Redis restarted with every write it acked (appendfsync always): no node may take it for one that went back.
    expect(nodeLogs(), "a node took the restarted Redis for one that lost changes").not.toMatch(/the store went back/);
    // Who is on the board: the three tabs, in everyone's list and in the shared roster.
    for (const t of tabs) expect(sorted(t.people()), t.name).toEqual(["Ada", "Bob", "Cy"]);
    const roster = (await storedRoster(c.prefix, board)).records.map((r) => `${r.user.name}@${r.node}:${r.socketId}`);
    expect(roster, `the shared roster: ${roster.join(", ")}\n${nodeLogs()}`).toHaveLength(3);
    console.info(
      `[redis restart] answers refused while Redis restarted: ${JSON.stringify(tabs.map((t) => ({ tab: t.name, refused: t.refusals().length, codes: [...new Set(t.refusals().map((r) => r.code))] })))}`,
    );
  });

  it("resends, rather than drops, what tabs drew while Redis was down for longer than the nodes' retries", { timeout: 60_000 }, async () => {
    const c = await cluster(["n1", "n2"]);
    const board = "redis-outage-drawing";
    const tabs = await openTabs(c, board, [
      ["Ada", "n1"],
      ["Bob", "n2"],
    ]);
    const [ada] = tabs as [TestTab, TestTab];
    // Down until every node has had a heartbeat fail: by then a command waiting for Redis has
    // used up its retries (ioredis: maxRetriesPerRequest 3), as an op's store did.
    const failures = c.nodes.map((n) => countLines(n, /cluster heartbeat failed/));
    let outage: Promise<void> | undefined;
    await Promise.all(
      tabs.map((t) =>
        t.draw(t.name.toLowerCase(), 30, 10, (i) => {
          if (t !== ada || i !== 10) return;
          outage = (async () => {
            const before = failures.map((count) => count());
            await redis.kill();
            await until("every node had a heartbeat fail", () => failures.every((count, j) => count() > before[j]!), () => "", 20_000);
            redis = await startRedis({ dir: redis.dir });
          })();
        }),
      ),
    );
    await outage;
    await convergence(tabs, "converged after the outage", 30_000);
    const dropped = tabs.flatMap((t) => t.dropped().map((r) => ({ tab: t.name, ...r })));
    const drawn = sorted(tabs.flatMap((t) => t.drawn));
    const stored = sorted(await expectGapFreeLog(c.prefix, board));
    for (const t of tabs) expect(sorted(t.boardStrokeIds()), t.name).toEqual(stored);
    expect(dropped, "strokes refused during the outage, which the tab dropped").toEqual([]);
    expect(stored).toEqual(drawn);
  });

  it("keeps every tab in step through repeated Redis restarts that lose nothing: no node takes one for a store that went back, no tab misses its own op", { timeout: 60_000 }, async () => {
    // At info, a node says when its feed came back and it read back what it missed.
    const c = await cluster(["n1", "n2"], { LOG_LEVEL: "info" });
    const board = "redis-restarts";
    const tabs = await openTabs(c, board, [
      ["Ada", "n1"],
      ["Bob", "n2"],
      ["Cy", "n1"],
      ["Dee", "n2"],
    ]);
    const wentBack = c.nodes.map((n) => countLines(n, /the store went back/));
    const back = c.nodes.map((n) => countLines(n, /Redis is back/));
    let restarts = 0;
    let restarting: Promise<unknown> = Promise.resolve();
    // Up to four restarts, each once the tabs have had 40 more ops answered since the one before.
    const answered = () => tabs.reduce((n, t) => n + [...t.ops.values()].filter((r) => r.answers.length > 0).length, 0);
    let mark = 0;
    await Promise.all(
      tabs.map((t) =>
        t.draw(t.name.toLowerCase(), 120, 3, () => {
          if (t !== tabs[0] || restarts >= 4 || answered() < mark + 40) return;
          restarts += 1;
          mark = Infinity;
          restarting = restarting.then(() => restartRedis()).then(() => void (mark = answered()));
        }),
      ),
    );
    await restarting;
    expect(restarts).toBeGreaterThanOrEqual(2);
    // Every node's feed came back after the last restart (and read back what it missed).
    await until("every node's feed came back after each restart", () => back.every((count) => count() >= restarts), () => nodeLogs());
    expect(wentBack.map((count) => count()), `nodes that took a restart (of ${restarts}) that lost nothing for one that went back:\n${nodeLogs()}`).toEqual([0, 0]);
    await convergence(tabs, "converged after the restarts", 30_000);
    const drawn = sorted(tabs.flatMap((t) => t.drawn));
    expect(sorted(await expectGapFreeLog(c.prefix, board))).toEqual(drawn);
  });

  it("keeps every tab on its board when Redis is down for longer than NODE_TIMEOUT_MS while nobody draws", { timeout: 60_000 }, async () => {
    const c = await cluster(["n1", "n2"]);
    const board = "redis-long-outage";
    const tabs = await openTabs(c, board, [
      ["Ada", "n1"],
      ["Bob", "n2"],
    ]);
    await Promise.all(tabs.map((t) => t.draw(t.name.toLowerCase(), 5, 5)));
    await convergence(tabs);
    await until("everyone sees everyone", () => tabs.every((t) => sorted(t.people()).join() === "Ada,Bob"), () => describeAll(tabs));

    // Down long enough for every node's last heartbeat to run out: each node logs every beat that
    // fails, one every NODE_TIMEOUT_MS / 3, so four failures since the kill on each node span
    // more than NODE_TIMEOUT_MS after its last beat that Redis took.
    const failures = c.nodes.map((n) => countLines(n, /cluster heartbeat failed/));
    await redis.kill();
    await until("every node missed four heartbeats", () => failures.every((count) => count() >= 4), () => nodeLogs(), 30_000);
    redis = await startRedis({ dir: redis.dir });

    // The tabs never lost their connections: they are on the board, and can draw.
    await Promise.all(tabs.map((t) => t.draw(`${t.name.toLowerCase()}-after`, 5, 5)));
    await convergence(tabs, "converged after the long outage");
    await until("everyone sees everyone after the outage", () => tabs.every((t) => sorted(t.people()).join() === "Ada,Bob"), () => describeAll(tabs));
    for (const t of tabs) expect(t.boardStrokeIds(), t.name).toHaveLength(20);
  });
});

describe("cluster faults: the nodes' connections to Redis dropped (CLIENT KILL) while tabs draw", () => {
  /**
   * Kills Redis's clients of a type, up to `times` times, each once the tabs had some more ops
   * answered and `settled` says the nodes are back; stops early when `stop` says so.
   */
  async function killConnections(type: "normal" | "pubsub", tabs: readonly TestTab[], times: number, settled?: () => Promise<void>, stop = () => false): Promise<number> {
    const admin = connectRedis(redis.url);
    const answered = () => tabs.reduce((n, t) => n + [...t.ops.values()].filter((r) => r.answers.length > 0).length, 0);
    let kills = 0;
    try {
      while (kills < times && !stop() && tabs.some((t) => t.pending > 0)) {
        const before = answered();
        await until(`more ops answered before kill ${kills + 1}`, () => answered() >= before + 3 || tabs.every((t) => t.pending === 0), () => describeAll(tabs), 15_000);
        if (tabs.every((t) => t.pending === 0)) break;
        await admin.call("CLIENT", "KILL", "TYPE", type);
        kills += 1;
        await settled?.();
      }
    } finally {
      admin.disconnect();
    }
    return kills;
  }

  it("gives every tab every op when the nodes' command connections drop mid-write (ioredis sends the unanswered writes again)", { timeout: 60_000 }, async () => {
    const c = await cluster(["n1", "n2"]);
    const board = "kill-command-connections";
    const tabs = await openTabs(c, board, [
      ["Ada", "n1"],
      ["Bob", "n2"],
      ["Cy", "n1"],
      ["Dee", "n2"],
    ]);
    const drawing = Promise.all(tabs.map((t) => t.draw(t.name.toLowerCase(), 100, 2)));
    await killConnections("normal", tabs, 25);
    await drawing;
    await convergence(tabs, "converged after the connections dropped", 25_000);
    const drawn = sorted(tabs.flatMap((t) => t.drawn));
    expect(sorted(await expectGapFreeLog(c.prefix, board))).toEqual(drawn);
    for (const t of tabs) expect(sorted(t.boardStrokeIds()), t.name).toEqual(drawn);
    for (const t of tabs) expect(t.dropped(), t.name).toEqual([]);
  });

  it("does not take a feed that reconnected for a store that went back while ops keep coming", { timeout: 60_000 }, async () => {
    // At info, a node says when its feed came back and it read back what it missed.
    const c = await cluster(["n1", "n2"], { LOG_LEVEL: "info" });
    const board = "kill-feed-connections";
    const tabs = await openTabs(c, board, [
      ["Ada", "n1"],
      ["Bob", "n2"],
      ["Cy", "n1"],
      ["Dee", "n2"],
    ]);
    const backCounters = c.nodes.map((n) => countLines(n, /Redis is back/));
    const wentBackCounters = c.nodes.map((n) => countLines(n, /the store went back|board reloads from the store/));
    const wentBack = () => wentBackCounters.reduce((sum, count) => sum + count(), 0);
    const drawing = Promise.all(tabs.map((t) => t.draw(t.name.toLowerCase(), 300, 1)));
    const kills = await killConnections(
      "pubsub",
      tabs,
      15,
      async () => {
        const before = backCounters.map((count) => count());
        await until("every node's feed came back", () => wentBack() > 0 || backCounters.every((count, i) => count() > before[i]!), () => nodeLogs(), 15_000);
      },
      () => wentBack() > 0,
    );
    await drawing;
    await convergence(tabs, "converged after the feeds reconnected", 25_000);
    expect(wentBack(), `a node took its feed's reconnection (after ${kills} kills) for a store that went back:\n${nodeLogs()}`).toBe(0);
    expect(tabs.map((t) => t.connects)).toEqual([1, 1, 1, 1]);
    const drawn = sorted(tabs.flatMap((t) => t.drawn));
    for (const t of tabs) expect(sorted(t.boardStrokeIds()), t.name).toEqual(drawn);
  });
});

/** Both draw 10 strokes, Redis's AOF is copied, both draw 10 more (lost when Redis comes back from the copy); Dan is at seq 40. */
async function drawPastACopyOfRedis(ada: TestTab, dan: TestTab): Promise<string> {
  await Promise.all([ada, dan].map((t) => t.draw(`${t.name.toLowerCase()}-kept`, 10, 3)));
  await convergence([ada, dan]);
  const copy = join(redisDir, `aof-${randomUUID().slice(0, 8)}`);
  cpSync(join(redis.dir, "appendonlydir"), copy, { recursive: true });
  await Promise.all([ada, dan].map((t) => t.draw(`${t.name.toLowerCase()}-lost`, 10, 3)));
  await convergence([ada, dan]);
  expect(dan.seq).toBe(40);
  return copy;
}

/** Dan, offline at seq 40 while Redis went back and Ada drew past 40, comes back to the board as it is: none of the strokes Redis lost. */
async function expectBackOnTheBoardAsItIs(proxy: Parameters<typeof lateJoinerStrokes>[0], board: string, ada: TestTab, dan: TestTab): Promise<void> {
  dan.socket.connect();
  await convergence([ada, dan], "Dan rejoined");
  const late = await lateJoinerStrokes(proxy, board);
  expect(ada.boardStrokeIds()).toEqual(late.ids);
  expect(dan.boardStrokeIds().filter((id) => id.includes("-lost-")), `Dan still shows strokes Redis lost (his join: ${JSON.stringify(dan.joins.at(-1))})`).toEqual([]);
  expect(dan.boardStrokeIds()).toEqual(late.ids);
}

describe("cluster faults: Redis comes back without its latest writes", () => {
  it("has every tab and node start over from what Redis kept, and resends the tabs' unacked changes", { timeout: 60_000 }, async () => {
    const c = await cluster(["n1", "n2"]);
    const board = "redis-rollback";
    const tabs = await openTabs(c, board, [
      ["Ada", "n1"],
      ["Bob", "n2"],
      ["Cy", "n1"],
    ]);
    await Promise.all(tabs.map((t) => t.draw(`${t.name.toLowerCase()}-kept`, 10, 3)));
    await convergence(tabs);
    const kept = sorted(tabs.flatMap((t) => t.drawn));
    const epochBefore = tabs[0]!.epoch;
    // Redis's data as it is now (appendfsync always: every acked write is in its AOF).
    const copy = join(redisDir, `aof-${randomUUID().slice(0, 8)}`);
    cpSync(join(redis.dir, "appendonlydir"), copy, { recursive: true });

    // Acked, then lost: Redis comes back from the copy.
    await Promise.all(tabs.map((t) => t.draw(`${t.name.toLowerCase()}-lost`, 10, 3)));
    await convergence(tabs);
    const seqBefore = tabs[0]!.seq;
    expect(seqBefore).toBe(60);
    const connectsBefore = tabs.map((t) => t.connects);
    await restartRedis(copy);

    // Drawn while the cluster finds out: not acked before, so resent until they are.
    await Promise.all(tabs.map((t) => t.draw(`${t.name.toLowerCase()}-after`, 5, 3)));
    await until("every tab reconnected (its node dropped the board)", () => tabs.every((t, i) => t.connects > connectsBefore[i]!), () => describeAll(tabs));
    await convergence(tabs, "converged after the rollback", 30_000);

    const stored = sorted(await expectGapFreeLog(c.prefix, board));
    const late = await lateJoinerStrokes(c.proxy, board);
    for (const t of tabs) expect(t.boardStrokeIds(), t.name).toEqual(late.ids);
    expect(sorted(late.ids)).toEqual(stored);
    expect(stored).toEqual(expect.arrayContaining(kept));
    expect(stored.filter((id) => id.includes("-lost-"))).toEqual([]);
    const drawnAfter = sorted(tabs.flatMap((t) => t.drawn.filter((id) => id.includes("-after-"))));
    const droppedAfter = tabs.flatMap((t) => t.dropped());
    console.info(
      `[rollback] epoch before ${epochBefore}, after ${late.epoch} (${late.epoch === epochBefore ? "unchanged" : "changed"}); seq ${seqBefore} -> ${late.seq}; refused answers: ${JSON.stringify(tabs.flatMap((t) => t.refusals()))}`,
    );
    expect(droppedAfter, "changes made as Redis came back were refused, and the tabs dropped them").toEqual([]);
    expect(stored).toEqual(expect.arrayContaining(drawnAfter));
  });

  it("brings a tab that was offline while Redis went back to the board as it is, not a mix of the lost board and the new one", { timeout: 60_000 }, async () => {
    const c = await cluster(["n1", "n2"]);
    const board = "redis-rollback-offline";
    const [ada, dan] = (await openTabs(c, board, [
      ["Ada", "n1"],
      ["Dan", "n2"],
    ])) as [TestTab, TestTab];
    const copy = await drawPastACopyOfRedis(ada, dan);

    // Dan goes offline holding seq 40; Redis comes back with 20; Ada draws past 40.
    dan.socket.disconnect();
    const adaConnects = ada.connects;
    await restartRedis(copy);
    await until("Ada's node dropped the board, and she rejoined", () => ada.connects > adaConnects && ada.joined, () => ada.describe());
    await until("Ada holds the board Redis kept", () => ada.seq === 20 && ada.pending === 0, () => ada.describe());
    await ada.draw("ada-new", 25, 3);
    await until("Ada's new strokes acked", () => ada.pending === 0 && ada.seq === 45, () => ada.describe());

    await expectBackOnTheBoardAsItIs(c.proxy, board, ada, dan);
  });

  it("brings a tab that was offline while the cluster restarted on a Redis that went back to the board as it is", { timeout: 60_000 }, async () => {
    const c = await cluster(["n1", "n2"]);
    const board = "redis-rollback-restart";
    const [tabAda, tabDan] = await tabsOnNodes(c.proxy, board, ["n1", "n2"]);
    const ada = openTab({ proxy: c.proxy, board, name: "Ada", tab: tabAda! });
    const dan = openTab({ proxy: c.proxy, board, name: "Dan", tab: tabDan! });
    await until("both joined", () => ada.joined && dan.joined, () => describeAll([ada, dan]));
    const copy = await drawPastACopyOfRedis(ada, dan);

    // Dan goes offline holding seq 40 and Ada closes her tab; then everything restarts (a machine
    // reboot, a deploy), Redis from its older data: no node held the board when Redis went back.
    dan.socket.disconnect();
    ada.close();
    await Promise.all(c.nodes.map((n) => n.proc.stop()));
    await restartRedis(copy);
    const restarted = await Promise.all(c.nodes.map((n) => restartNode(n, redis.url, c.prefix)));
    cleanups.push(() => Promise.all(restarted.map((n) => n.proc.kill())));
    current = restarted;

    // Ada comes back in a new tab and draws past 40 on the board Redis kept (20).
    const again = openTab({ proxy: c.proxy, board, name: "Ada", tab: tabAda!, clientId: ada.clientId });
    await until("Ada's new tab joined", () => again.joined, () => again.describe());
    expect(again.seq).toBe(20);
    await again.draw("ada-new", 25, 3);
    await until("Ada's new strokes acked", () => again.pending === 0 && again.seq === 45, () => again.describe());

    await expectBackOnTheBoardAsItIs(c.proxy, board, again, dan);
  });
});

describe("cluster faults: boards nobody is on", () => {
  it("leave every node's memory once nobody is on them (BOARD_IDLE_MS=0)", { timeout: 60_000 }, async () => {
    const c = await cluster(["n1", "n2"], { BOARD_IDLE_MS: "0" });
    const board = "idle-board";
    const tabs = await openTabs(c, board, [
      ["Ada", "n1"],
      ["Bob", "n2"],
    ]);
    await Promise.all(tabs.map((t) => t.draw(t.name.toLowerCase(), 3, 3)));
    await convergence(tabs);
    const inMemory = async (n: ClusterNode) => ((await (await fetch(`${n.proc.url}/healthz`)).json()) as { boardsInMemory: number }).boardsInMemory;
    expect(await Promise.all(c.nodes.map(inMemory))).toEqual([1, 1]);
    for (const t of tabs) t.close();
    await until("the shared roster is empty", async () => (await storedRoster(c.prefix, board)).records.length === 0);
    const counts: number[][] = [];
    await until(
      "no node holds the board",
      async () => (counts.push(await Promise.all(c.nodes.map(inMemory))), counts.at(-1)!.every((n) => n === 0)),
      () => `boards in memory (n1, n2): ${JSON.stringify(counts.at(-1))}`,
      10_000,
    );
  });
});

/** The store loses a board's last op (`seq`), as a Redis restarted from older data would, on this board alone. */
async function dropLastOp(prefix: string, board: string, seq: number): Promise<void> {
  const admin = connectRedis(redis.url);
  try {
    const key = (name: string) => `${prefix}:{${board}}:${name}`;
    // As Redis had it before op `seq`: the streams' last ids go back too, so that `seq` can be stored again.
    for (const stream of ["ops", "hist"]) {
      await admin.xdel(key(stream), `${seq}-0`);
      await admin.call("XSETID", key(stream), `${seq - 1}-0`);
    }
    await admin.hset(key("meta"), "seq", seq - 1);
  } finally {
    admin.disconnect();
  }
}

describe("cluster faults: a node that drops a board and has its tabs load it again", () => {
  it("sends again, rather than drops, the change that found the board behind the store", { timeout: 60_000 }, async () => {
    const c = await cluster(["n1", "n2"]);
    const board = "reload-resend";
    const [ada, bob] = (await openTabs(c, board, [
      ["Ada", "n1"],
      ["Bob", "n2"],
    ])) as [TestTab, TestTab];
    await Promise.all([ada, bob].map((t) => t.draw(t.name.toLowerCase(), 3, 3)));
    await convergence([ada, bob]);
    await dropLastOp(c.prefix, board, 6);

    // Ada's next stroke is decided as op 7 on n1's board, which the store (now at 5) refuses.
    const connects = ada.connects;
    await ada.draw("ada-after", 1, 0);
    await until("Ada rejoined and has nothing pending", () => ada.connects > connects && ada.joined && ada.pending === 0, () => `${ada.describe()}\n${nodeLogs()}`);
    expect(ada.dropped(), "the tab was told its stroke could not be stored, and dropped it").toEqual([]);
    await until("Ada's stroke reached the board", () => ada.boardStrokeIds().includes("ada-after-0"), () => ada.describe(), 10_000);
  });

  it("keeps no ghosts of the tabs it sent away: the shared roster holds the live tabs only, and a tab that closes leaves every list", { timeout: 60_000 }, async () => {
    const c = await cluster(["n1", "n2"]);
    const board = "reload-ghosts";
    const tabs = await openTabs(c, board, [
      ["Ada", "n1"],
      ["Bob", "n2"],
      ["Cy", "n1"],
    ]);
    const [ada, bob, cy] = tabs as [TestTab, TestTab, TestTab];
    await Promise.all(tabs.map((t) => t.draw(t.name.toLowerCase(), 3, 3)));
    await convergence(tabs);
    expect((await storedRoster(c.prefix, board)).records).toHaveLength(3);

    // The store loses the board's last op (as a Redis restarted from an older AOF would, on this
    // board alone): n1 finds out at Ada's next op, drops the board and closes its tabs' connections.
    await dropLastOp(c.prefix, board, 9);
    const connectsBefore = tabs.map((t) => t.connects);
    await ada.draw("ada-after", 1, 0);
    await until("Ada and Cy rejoined", () => [ada, cy].every((t) => t.connects > connectsBefore[tabs.indexOf(t)]! && t.joined), () => `${describeAll(tabs)}\n${nodeLogs()}`);
    await until("every tab holds the board as stored", () => tabs.every((t) => t.joined && t.pending === 0) && ada.seq === cy.seq, () => describeAll(tabs));

    // One tab each, live: the shared roster holds those three and no other.
    const roster = async () => (await storedRoster(c.prefix, board)).records.map((r) => `${r.user.name}@${r.node}:${r.socketId}`);
    await until("the shared roster holds the three live tabs only", async () => (await roster()).length === 3, () => "", 5_000).catch(async (err: Error) => {
      throw new Error(`${err.message}\nroster: ${(await roster()).join(", ")}\nlive sockets: ${tabs.map((t) => `${t.name}:${t.socket.id}`).join(", ")}`);
    });
    // Cy closes the tab: the others see Cy go.
    cy.close();
    await until("Cy is gone from Ada's and Bob's lists", () => [ada, bob].every((t) => !t.people().includes("Cy")), () => describeAll([ada, bob]), 10_000);
  });
});

describe("cluster faults: long polling through the proxy", () => {
  it("keeps a polling tab on one node for its whole session, and moves it when that node dies", { timeout: 60_000 }, async () => {
    const c = await cluster(["n1", "n2"]);
    const board = "polling";
    const [wsTab, pollTab] = await tabsOnNodes(c.proxy, board, ["n1", "n2"]);
    const ada = openTab({ proxy: c.proxy, board, name: "Ada", tab: wsTab! });
    const pat = openTab({ proxy: c.proxy, board, name: "Pat", tab: pollTab!, transports: ["polling"] });
    const tabs = [ada, pat];
    await until("both joined", () => tabs.every((t) => t.joined), () => describeAll(tabs));
    expect(pat.socket.io.engine.transport.name).toBe("polling");
    const session = pat.socket.io.engine.id;
    expect(await pat.node()).toBe("n2");
    expect(await ada.node()).toBe("n1");

    // Both draw; the polling tab asks its node now and then, which must stay the same.
    const nodesSeen = new Set<string>();
    const asking = (async () => {
      for (let i = 0; i < 10; i++) nodesSeen.add(await pat.node());
    })();
    await Promise.all([ada.draw("ada", 20, 5), pat.draw("pat", 20, 5), asking]);
    await convergence(tabs);
    expect([...nodesSeen]).toEqual(["n2"]);
    expect(pat.connects).toBe(1);
    expect(pat.disconnects).toBe(0);
    expect(pat.socket.io.engine.id).toBe(session);
    for (const t of tabs) expect(sorted(t.boardStrokeIds()), t.name).toEqual(sorted([...ada.drawn, ...pat.drawn]));

    // Its node dies: it reconnects, by polling still, to the other node, and carries on.
    await c.node("n2").proc.kill();
    await until("Pat reconnected", () => pat.connects >= 2 && pat.joined, () => describeAll(tabs));
    expect(await pat.node()).toBe("n1");
    expect(pat.socket.io.engine.transport.name).toBe("polling");
    await Promise.all([ada.draw("ada-b", 10, 5), pat.draw("pat-b", 10, 5)]);
    await convergence(tabs);
    const drawn = sorted([...ada.drawn, ...pat.drawn]);
    expect(drawn).toHaveLength(60);
    for (const t of tabs) expect(sorted(t.boardStrokeIds()), t.name).toEqual(drawn);
    expect(sorted(await expectGapFreeLog(c.prefix, board))).toEqual(drawn);
  });
});

describe("cluster faults: who is on a board after a node dies", () => {
  it("takes the dead node's people off everyone's list within NODE_TIMEOUT_MS, and shows again those whose tabs came back elsewhere", { timeout: 60_000 }, async () => {
    const c = await cluster(["n1", "n2", "n3"]);
    const board = "presence-after-death";
    const tabIds = await tabsOnNodes(c.proxy, board, ["n1", "n1", "n2", "n3"]);
    // Ada's tab reconnects like a browser's; Gus's tab was closed with its node (it never comes back).
    const ada = openTab({ proxy: c.proxy, board, name: "Ada", tab: tabIds[0]! });
    const gus = openTab({ proxy: c.proxy, board, name: "Gus", tab: tabIds[1]!, reconnection: false });
    const bob = openTab({ proxy: c.proxy, board, name: "Bob", tab: tabIds[2]! });
    const cy = openTab({ proxy: c.proxy, board, name: "Cy", tab: tabIds[3]! });
    const tabs = [ada, gus, bob, cy];
    await until("everyone sees everyone", () => tabs.every((t) => t.joined && sorted(t.people()).join() === "Ada,Bob,Cy,Gus"), () => describeAll(tabs));
    expect(await Promise.all(tabs.map((t) => t.node()))).toEqual(["n1", "n1", "n2", "n3"]);
    const adaId = ada.session.state.presence.getState().self!.id;

    const killedAt = Date.now();
    await c.node("n1").proc.kill();
    await until("Gus is gone from Bob's and Cy's lists", () => [bob, cy].every((t) => !t.people().includes("Gus")), () => describeAll(tabs), 20_000);
    const took = Date.now() - killedAt;
    // A beat every NODE_TIMEOUT_MS / 3: the node's last one runs out at most NODE_TIMEOUT_MS after the kill,
    // and a live node sees it at its next beat; slack for a busy machine.
    expect(took).toBeLessThan(NODE_TIMEOUT_MS + NODE_TIMEOUT_MS / 3 + 2_500);

    // Ada's tab is back on another node, as the same person, seen by everyone.
    await until("Ada rejoined elsewhere", () => ada.connects >= 2 && ada.joined, () => ada.describe());
    expect(["n2", "n3"]).toContain(await ada.node());
    const live = [ada, bob, cy];
    await until("everyone sees Ada, Bob and Cy", () => live.every((t) => sorted(t.people()).join() === "Ada,Bob,Cy"), () => describeAll(live));
    expect(ada.session.state.presence.getState().self!.id).toBe(adaId);
    // The shared roster holds the three live tabs and nothing of the dead node.
    await until("the roster holds the live tabs only", async () => (await storedRoster(c.prefix, board)).records.length === 3, () => "", 10_000);
    const { records } = await storedRoster(c.prefix, board);
    expect(records.filter((r) => r.node.startsWith("n1~"))).toEqual([]);
    expect(sorted(records.map((r) => r.user.name))).toEqual(["Ada", "Bob", "Cy"]);
    // And a newcomer sees the same.
    const late = new TestTab({ proxy: c.proxy, board, name: "Dee", tab: `late-${randomUUID()}` });
    cleanups.push(() => late.close());
    await until("Dee joined", () => late.joined, () => late.describe());
    expect(sorted(late.people())).toEqual(["Ada", "Bob", "Cy", "Dee"]);
  });

  it("keeps the tabs of a node that stalled past NODE_TIMEOUT_MS (SIGSTOP, then SIGCONT) on the board", { timeout: 60_000 }, async () => {
    const c = await cluster(["n1", "n2"]);
    const board = "stalled-node";
    const [ada, bob] = (await openTabs(c, board, [
      ["Ada", "n1"],
      ["Bob", "n2"],
    ])) as [TestTab, TestTab];
    await until("both see both", () => [ada, bob].every((t) => sorted(t.people()).join() === "Ada,Bob"), () => describeAll([ada, bob]));

    // Bob's node stops (a long GC pause, a VM stall) until the others count it dead.
    const n2 = c.node("n2").proc;
    process.kill(n2.pid, "SIGSTOP");
    let stopped = true;
    cleanups.push(() => stopped && process.kill(n2.pid, "SIGCONT"));
    await until("Ada's node took Bob off as dead", () => !ada.people().includes("Bob"), () => ada.describe(), 20_000);
    process.kill(n2.pid, "SIGCONT");
    stopped = false;

    // It is alive after all, and so is Bob's connection: Bob is on the board again, and can draw.
    await bob.draw("bob", 5, 5);
    await ada.draw("ada", 5, 5);
    await convergence([ada, bob], "Bob's strokes acked and seen by Ada", 15_000);
    for (const t of [ada, bob]) expect(sorted(t.boardStrokeIds()), t.name).toHaveLength(10);
    await until("Ada sees Bob again", () => ada.people().includes("Bob"), () => describeAll([ada, bob]), 10_000);
  });
});
