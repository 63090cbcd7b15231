import { randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { PROTOCOL_VERSION, type AppliedOp, type CursorUpdate } from "@/lib/protocol";
import { connectRedis } from "@/lib/server/redis/connection";
import { RedisStore } from "@/lib/server/storage";
import { io } from "socket.io-client";
import type { ClientSocket } from "@/lib/client/socket";
import { addOp, askToJoin, barrier, circleOp, commit, enter, eraseOp, joinLoaded, manage, newClientId, next, openTab, record, refused, sendOp, startNode, strokeInput, type TestServer } from "./harness";
import { spawnServer } from "@/tools/lib/spawn-server";
import { useRedis } from "./support/redis";

const redis = useRedis();

/** Nodes of one cluster per test, on this file's Redis under a prefix of the test's own. */
function useCluster() {
  const started: TestServer[] = [];
  let prefix = "";
  afterEach(async () => {
    await Promise.all(started.splice(0).map((node) => node.close()));
  });
  return async (count: number): Promise<TestServer[]> => {
    prefix = `cluster-${randomUUID()}`;
    const nodes = await Promise.all(Array.from({ length: count }, (_, i) => startNode(redis().url, prefix, { nodeId: `n${i + 1}` })));
    started.push(...nodes);
    return nodes;
  };
}

describe("a cluster of nodes on one Redis", () => {
  const cluster = useCluster();

  it("sends a change made on one node to the tabs of the same board on another, in one order", async () => {
    const [a, b] = await cluster(2);
    const ada = await openTab(a!, "shared", "Ada");
    const bob = await openTab(b!, "shared", "Bob");

    const toBob = next(bob.socket, "op");
    const added = await commit(ada.socket, addOp("add-1", strokeInput("s-1")));
    expect(await toBob).toEqual(added);

    const toAda = next(ada.socket, "op");
    const erased = await commit(bob.socket, eraseOp("erase-1", "s-1"));
    expect(erased.seq).toBe(added.seq + 1);
    expect(await toAda).toEqual(erased);

    const circle = next(bob.socket, "op");
    await commit(ada.socket, circleOp("c-1", "#22c55e"));
    expect((await circle).op).toMatchObject({ type: "circle:set", color: "#22c55e" });
  });

  it("gives ops sent at once on two nodes one gap-free order, the same on every tab", async () => {
    const [a, b] = await cluster(2);
    const ada = await openTab(a!, "race", "Ada");
    const bob = await openTab(b!, "race", "Bob");
    const n = 40;
    const heard = [record(ada.socket, "op") as AppliedOp[], record(bob.socket, "op") as AppliedOp[]];
    const [mine, theirs] = await Promise.all([
      Promise.all(Array.from({ length: n }, (_, i) => sendOp(ada.socket, addOp(`ada-${i}`, strokeInput(`ada-${i}`))))),
      Promise.all(Array.from({ length: n }, (_, i) => sendOp(bob.socket, addOp(`bob-${i}`, strokeInput(`bob-${i}`))))),
    ]);
    const seqsOf = (answers: typeof mine) => answers.map((res) => (res.ok ? res.seq : -1));
    expect([...seqsOf(mine), ...seqsOf(theirs)].sort((x, y) => x - y)).toEqual(Array.from({ length: 2 * n }, (_, i) => i + 1));
    // Each tab hears every op of the other's, in seq order, each once. (Its own may come too when
    // its node heard one from Redis before Redis's answer: a tab applies each op once.)
    for (const [tab, others] of [[0, theirs], [1, mine]] as const) {
      await expect.poll(() => seqsOf(others).every((seq) => heard[tab]!.some((op) => op.seq === seq))).toBe(true);
      const seqs = heard[tab]!.map((op) => op.seq);
      expect(seqs).toEqual([...new Set(seqs)].sort((x, y) => x - y));
    }

    // The store has them all, in one order, and a late joiner on either node sees the same board.
    const late = await Promise.all([a!, b!].map(async (node) => joinLoaded(await node.connect(), "race", `Late ${node.url}`)));
    expect(late[0]!.strokes.map((s) => s.id)).toEqual(late[1]!.strokes.map((s) => s.id));
    expect(late[0]!.strokes).toHaveLength(2 * n);
  });

  it("resumes a tab on another node from where it was, with the ops it missed", async () => {
    const [a, b] = await cluster(2);
    const clientId = newClientId();
    const ada = await openTab(a!, "resume", "Ada", clientId);
    const bob = await openTab(b!, "resume", "Bob");
    await commit(ada.socket, addOp("add-1", strokeInput("s-1")));
    const { epoch, seq } = { epoch: ada.snapshot.epoch, seq: 1 };
    ada.socket.disconnect();
    const missed = await commit(bob.socket, addOp("add-2", strokeInput("s-2")));

    const socket = await b!.connect();
    const ops = record(socket, "op");
    const res = await socket.emitWithAck("board:join", { protocol: PROTOCOL_VERSION, boardId: "resume", name: "Ada", clientId, resume: { epoch, seq } });
    expect(res).toMatchObject({ ok: true, sync: "delta", seq: missed.seq, epoch });
    await expect.poll(() => ops).toEqual([missed]);
  });

  it("posts chat on one node to the tabs on another, numbered once across the cluster", async () => {
    const [a, b] = await cluster(2);
    const ada = await openTab(a!, "chat", "Ada");
    const bob = await openTab(b!, "chat", "Bob");
    const toBob = next(bob.socket, "chat:message");
    const [first, second] = await Promise.all([
      ada.socket.emitWithAck("chat:send", { opId: "m-1", text: "hello from a" }),
      bob.socket.emitWithAck("chat:send", { opId: "m-2", text: "hello from b" }),
    ]);
    expect(first.ok && second.ok).toBe(true);
    const ids = [first, second].map((res) => (res.ok ? res.message.id : -1)).sort();
    expect(ids).toEqual([1, 2]);
    expect(await toBob).toMatchObject({ text: "hello from a" });
    const store = new RedisStore(redis().url, (a!.store as RedisStore).prefix);
    expect((await store.load("chat"))?.chat.map((c) => c.message.text).sort()).toEqual(["hello from a", "hello from b"]);
    await store.close();
  });
});

describe("who is on a board, across the cluster", () => {
  const cluster = useCluster();

  it("shows everyone on every node: joins, leaves, states, distinct colours, and names unique across nodes", async () => {
    const [a, b] = await cluster(2);
    const adaBrowser = newClientId();
    const ada = await openTab(a!, "people", "Ada", adaBrowser);
    const joined = next(ada.socket, "presence:joined");
    const bob = await openTab(b!, "people", "Bob");
    expect(await joined).toEqual(bob.snapshot.self);
    expect(bob.snapshot.users.map((u) => u.name)).toEqual(["Ada", "Bob"]);
    expect(bob.snapshot.self.color).not.toBe(ada.snapshot.self.color);

    // Ada's name is hers on every node; her own browser may take it again anywhere.
    expect(await askToJoin(await b!.connect(), "people", "ada")).toMatchObject(refused("NAME_TAKEN"));
    const adaOnB = await openTab(b!, "people", "Ada", adaBrowser);
    expect(adaOnB.id).toBe(ada.id);

    const state = next(bob.socket, "presence:state");
    ada.socket.emit("presence:state", { state: "away" });
    adaOnB.socket.emit("presence:state", { state: "idle" });
    expect(await state).toMatchObject({ userId: ada.id });

    const left = next(ada.socket, "presence:left");
    bob.socket.disconnect();
    expect(await left).toBe(bob.id);
    const late = await openTab(a!, "people", "Cy");
    expect(late.snapshot.users.map((u) => u.name)).toEqual(["Ada", "Cy"]);
  });

  it("sends a direct message across nodes to the two people only", async () => {
    const [a, b] = await cluster(2);
    const ada = await openTab(a!, "dm", "Ada");
    const cy = await openTab(a!, "dm", "Cy");
    const bob = await openTab(b!, "dm", "Bob");
    const toCy = record(cy.socket, "chat:message");
    const toAda = next(ada.socket, "chat:message");
    const res = await bob.socket.emitWithAck("chat:send", { opId: "dm-1", text: "psst", to: ada.id });
    expect(res).toMatchObject({ ok: true, message: { to: { id: ada.id } } });
    expect(await toAda).toMatchObject({ text: "psst", author: { id: bob.id } });
    await barrier(cy.socket);
    expect(toCy).toEqual([]);
  });

  it("takes a removed person's tabs off every node", async () => {
    const [a, b] = await cluster(2);
    const ownerKey = "owner-key-0123456789ab";
    const olga = await openTab(a!, "class", "Olga", newClientId(), ownerKey);
    // An owner acts on the people their tab lists: node a has applied Bea's join by then.
    const seen = next(olga.socket, "presence:joined");
    const bea = await openTab(b!, "class", "Bea");
    await seen;
    const dismissed = next(bea.socket, "board:dismissed");
    const left = next(olga.socket, "presence:left");
    expect(await manage(olga, { type: "remove", userId: bea.id })).toEqual({ ok: true });
    expect(await dismissed).toEqual({ reason: "removed", by: olga.id });
    expect(await left).toBe(bea.id);

  });
});

describe("a node that dies", () => {
  it("leaves no ghosts: its people go from the other nodes' lists within its timeout", async () => {
    const prefix = `cluster-${randomUUID()}`;
    const node = (id: string) => spawnServer({ entry: "socket", env: { REDIS_URL: redis().url, REDIS_PREFIX: prefix, NODE_TIMEOUT_MS: "1500", NODE_ID: id, LOG_LEVEL: "warn" } });
    const [a, b] = await Promise.all([node("a"), node("b")]);
    try {
      const connect = (url: string) => io(url, { forceNew: true, reconnection: false, transports: ["websocket"] }) as ClientSocket;
      const ada = await enter(connect(a.url), "ghosts", "Ada");
      const joined = next(ada.socket, "presence:joined");
      const dan = await enter(connect(b.url), "ghosts", "Dan");
      expect(await joined).toMatchObject({ id: dan.id });
      const gone = next(ada.socket, "presence:left");
      await b.kill();
      expect(await gone).toBe(dan.id);
      const late = await enter(connect(a.url), "ghosts", "Cy");
      expect(late.snapshot.users.map((u) => u.name)).toEqual(["Ada", "Cy"]);
      for (const tab of [ada, late]) tab.socket.disconnect();
    } finally {
      await Promise.all([a.stop(), b.kill()]);
    }
  });
});

describe("what needs no order, across the cluster", () => {
  const cluster = useCluster();

  it("sends cursors, previews and the laser from one node to the tabs on another, a tab's cursors in one batch a tick", async () => {
    const [a, b, c] = await cluster(3);
    const ada = await openTab(a!, "live", "Ada");
    const bob = await openTab(b!, "live", "Bob");
    const cy = await openTab(c!, "live", "Cy");
    const cursors = next(bob.socket, "cursors");
    ada.socket.emit("cursor", { x: 120, y: 80 });
    expect(await cursors).toEqual([{ id: ada.id, x: 120, y: 80 }]);

    // People on two other nodes move: Cy's node merges their batches into its own tick.
    const toCy = record(cy.socket, "cursors");
    ada.socket.emit("cursor", { x: 10, y: 10 });
    bob.socket.emit("cursor", { x: 20, y: 20 });
    const latest = () => new Map((toCy as CursorUpdate[][]).flat().map((u) => [u.id, u]));
    await expect.poll(() => latest()).toEqual(new Map([[ada.id, { id: ada.id, x: 10, y: 10 }], [bob.id, { id: bob.id, x: 20, y: 20 }]]));
    expect((toCy as CursorUpdate[][]).flat().some((u) => u.id === cy.id)).toBe(false);

    const preview = next(ada.socket, "stroke:preview");
    bob.socket.emit("stroke:preview", strokeInput("p-1"));
    expect(await preview).toMatchObject({ userId: bob.id, points: strokeInput("p-1").points });

    const laser = next(bob.socket, "laser");
    ada.socket.emit("laser", { points: [10, 20, 30, 40] });
    expect(await laser).toEqual({ userId: ada.id, points: [10, 20, 30, 40] });
  });

  it("counts a person's chat allowance across the nodes their tabs are on", async () => {
    const [a, b] = await cluster(2);
    const browser = newClientId();
    const onA = await openTab(a!, "talk", "Ada", browser);
    const onB = await openTab(b!, "talk", "Ada", browser);
    const burst = 5; // CHAT_BURST's default
    for (let i = 0; i < burst; i++) expect(await onA.socket.emitWithAck("chat:send", { opId: `a-${i}`, text: `${i}` })).toMatchObject({ ok: true });
    expect(await onB.socket.emitWithAck("chat:send", { opId: "b-0", text: "one more" })).toMatchObject(refused("RATE_LIMITED"));
  });

  it("keeps the lobbies on every node counting the people of a board on any node", async () => {
    const [a, b] = await cluster(2);
    const watcher = await a!.connect();
    const counts = record(watcher, "lobby:count");
    expect(await watcher.emitWithAck("lobby:watch", { boards: ["counted"] })).toMatchObject({ boards: [{ boardId: "counted", count: 0 }] });
    const bob = await openTab(b!, "counted", "Bob");
    await expect.poll(() => counts.at(-1)).toEqual({ boardId: "counted", count: 1 });
    // A lobby opened later on a node without the board in memory asks Redis.
    const late = await a!.connect();
    expect(await late.emitWithAck("lobby:watch", { boards: ["counted"] })).toMatchObject({ boards: [{ boardId: "counted", count: 1 }] });
    bob.socket.disconnect();
    await expect.poll(() => counts.at(-1)).toEqual({ boardId: "counted", count: 0 });
    expect(counts).toHaveLength(2);
  });
});

describe("a Redis that went back", () => {
  const cluster = useCluster();

  it("is noticed when the node's connection comes back: the board gets a new epoch and its tabs start over from what Redis has", async () => {
    const [a] = await cluster(1);
    const clientId = newClientId();
    const ada = await openTab(a!, "back", "Ada", clientId);
    for (let i = 1; i <= 3; i++) await commit(ada.socket, addOp(`add-${i}`, strokeInput(`s-${i}`)));

    // Redis loses the last op (as a restart from an AOF a second old would), then every node's
    // subscriber connection drops and comes back.
    const { prefix } = a!.store as RedisStore;
    const admin = connectRedis(redis().url);
    try {
      await admin.xdel(`${prefix}:{back}:ops`, "3-0");
      await admin.hset(`${prefix}:{back}:meta`, "seq", 2);
      const closed = new Promise<void>((resolve) => ada.socket.once("disconnect", () => resolve()));
      await admin.call("CLIENT", "KILL", "TYPE", "pubsub");
      await closed;
    } finally {
      admin.disconnect();
    }

    const socket = await a!.connect();
    const res = await socket.emitWithAck("board:join", { protocol: PROTOCOL_VERSION, boardId: "back", name: "Ada", clientId, resume: { epoch: ada.snapshot.epoch, seq: 3 } });
    expect(res).toMatchObject({ ok: true, sync: "full", seq: 2, strokeCount: 2 });
    expect(res.ok && res.epoch).not.toBe(ada.snapshot.epoch);
  });
});

describe("what Redis keeps of boards only looked at", () => {
  const cluster = useCluster();

  it("keeps nothing of a board nobody changed once its people left, but its roster's version, for a while", async () => {
    const [a, b] = await cluster(2);
    const { prefix } = a!.store as RedisStore;
    const admin = connectRedis(redis().url);
    try {
      const keysOf = async () => (await admin.keys(`${prefix}:*`)).filter((k) => !k.endsWith(":nodes")).sort();
      // A hundred boards opened on two nodes and left.
      for (let i = 0; i < 50; i++) {
        const tabs = await Promise.all([openTab(a!, `glance-${i}`, "Ada"), openTab(b!, `glance-${i}`, "Bob")]);
        for (const tab of tabs) tab.socket.disconnect();
      }
      await expect.poll(async () => (await keysOf()).filter((k) => !k.endsWith(":rv"))).toEqual([]);
      const versions = await keysOf();
      expect(versions).toHaveLength(50);
      // Each goes once no node can hold the board any more (BOARD_IDLE_MS and a minute).
      for (const key of versions) expect(await admin.pttl(key)).toBeGreaterThan(0);
    } finally {
      admin.disconnect();
    }
  });
});

describe("a hostile client in a cluster", () => {
  const cluster = useCluster();

  it("grows Redis by a bounded amount and holds up nobody on another board, however many boards it opens and joins it churns", { timeout: 60_000 }, async () => {
    // Its node lets it join as fast as it likes: what is measured is what Redis keeps, not the join limit.
    const [a, b] = await cluster(2);
    const { prefix } = a!.store as RedisStore;
    const admin = connectRedis(redis().url);
    try {
      const hostile = await startNode(redis().url, prefix, { nodeId: "h", joinsPerMinute: 100_000 });
      try {
        const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await admin.info("memory"))![1]);
        const bob = await openTab(b!, "calm", "Bob");
        const before = await usedMemory();

        const socket = await hostile.connect();
        const clientId = newClientId();
        // 300 boards opened and left, then 700 joins and leaves of one board (1,400 roster changes).
        for (let i = 0; i < 300; i++) expect(await askToJoin(socket, `flood-${i}`, "Eve", clientId)).toMatchObject({ ok: true });
        const churn = (async () => {
          for (let i = 0; i < 700; i++) {
            expect(await askToJoin(socket, "churned", "Eve", clientId)).toMatchObject({ ok: true });
            socket.emit("board:leave");
          }
        })();
        // Meanwhile Bob draws on his board, on another node: every stroke is acked.
        const drawn = await Promise.all(Array.from({ length: 40 }, (_, i) => commit(bob.socket, addOp(`calm-${i}`, strokeInput(`calm-${i}`)))));
        await churn;
        expect(drawn.map((op) => op.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));

        await barrier(socket);
        // A board's keys, by their hash tag (the rest are the deployment's few: nodes, boards, links).
        const keys = (await admin.keys(`${prefix}:{*`)).sort();
        // What stays of 301 boards nobody drew on: a roster version each (expiring), and the log of the one still held.
        expect(keys.filter((k) => !k.endsWith(":rv") && !k.includes("{calm}"))).toEqual([]);
        expect(keys.filter((k) => k.endsWith(":rv")).length).toBeLessThanOrEqual(302);
        // The roster log of the churned board is capped (about 1,000 entries), not 1,400 long.
        expect(await admin.xlen(`${prefix}:{churned}:rlog`)).toBeLessThanOrEqual(1_100);
        const grown = (await usedMemory()) - before;
        console.info(`hostile client: 300 boards opened, 1,400 roster changes; Redis grew ${(grown / 1_000_000).toFixed(2)} MB; ${keys.length} keys`);
        expect(grown).toBeLessThan(2_000_000);
      } finally {
        await hostile.close();
      }
    } finally {
      admin.disconnect();
    }
  });
});
