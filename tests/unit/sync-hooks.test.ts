import { afterEach, describe, expect, it } from "vitest";
import { boardDigest, DEFAULT_CIRCLE_COLOR, seededRandom } from "@/lib/board";
import { BoardSession } from "@/lib/client/board-session";
import { connectionStore } from "@/lib/client/connection-store";
import { seedIds, newId } from "@/lib/client/ids";
import { publishSyncHooks, syncStateOf, type SyncInputs } from "@/lib/client/sync-hooks";
import { OPEN_BOARD, type JoinSnapshot, type OpRequest } from "@/lib/protocol";
import type { ScribbleHooks } from "@/packages/playwright/src/contract";
import { applied, committedStroke, strokeInput } from "./fixtures";
import { MemoryStorage, socketPair } from "./support/socket-pair";

const ada = { id: "u-ada", name: "Ada", color: "#e11d48", state: "active" as const, role: "editor" as const };
const snapshot = (over: Partial<JoinSnapshot> = {}): JoinSnapshot => ({
  self: ada,
  users: [ada],
  chat: [],
  circle: { color: DEFAULT_CIRCLE_COLOR, version: 0 },
  seq: 0,
  epoch: "epoch-1",
  sync: "full",
  strokeCount: 0,
  owned: false,
  settings: OPEN_BOARD,
  ...over,
});

describe("the sync state", () => {
  const base: SyncInputs = { connection: "connected", phase: "joined", live: true, hasBoard: true, loading: false, pending: 0, gap: false };
  it.each<[string, Partial<SyncInputs>, string]>([
    ["joined with nothing in flight", {}, "synced"],
    ["own changes waiting for acks", { pending: 2 }, "syncing"],
    ["a change held for an earlier one", { gap: true }, "syncing"],
    ["strokes still loading", { loading: true }, "joining"],
    ["first connection, no board yet", { connection: "connecting", live: false, hasBoard: false, phase: "joining" }, "joining"],
    ["connected, the join in flight", { live: false, hasBoard: false, phase: "joining" }, "joining"],
    ["reconnected, the rejoin in flight", { live: false }, "syncing"],
    ["connection lost", { connection: "reconnecting", live: false }, "offline"],
    ["the device offline", { connection: "offline", live: false }, "offline"],
    ["never reached the server", { connection: "reconnecting", live: false, hasBoard: false, phase: "joining" }, "offline"],
    ["taken off the board", { phase: "dismissed", live: false }, "offline"],
    ["an outdated client", { phase: "outdated", live: false }, "offline"],
  ])("%s: %s", (_, over, want) => {
    expect(syncStateOf({ ...base, ...over })).toBe(want);
  });
});

describe("the board digest", () => {
  const a = strokeInput("a");
  const b = strokeInput("b", { points: [1, 2, 0.5, 3, 4, 0.5] });
  it("is the same for the same board, whoever holds it and whatever the server added", () => {
    expect(boardDigest("#ff0000", [a, b])).toBe(boardDigest("#ff0000", [committedStroke("a", 1), committedStroke("b", 2, "u-bob", { points: [1, 2, 0.5, 3, 4, 0.5] })]));
    expect(boardDigest("#ff0000", [a, b])).toMatch(/^[0-9a-f]{14}$/);
  });
  it("differs with the circle, the order, a missing stroke or a changed point", () => {
    const digest = boardDigest("#ff0000", [a, b]);
    expect(new Set([digest, boardDigest("#00ff00", [a, b]), boardDigest("#ff0000", [b, a]), boardDigest("#ff0000", [a]), boardDigest("#ff0000", [a, { ...b, points: [1, 2, 0.5, 3, 4.5, 0.5] }])]).size).toBe(5);
  });
});

describe("seeded ids", () => {
  it("come out the same from the same seed, and differ from another seed's", () => {
    const run = (seed: string) => {
      seedIds(seed);
      return [newId(), newId(10)];
    };
    const first = run("s-1");
    expect(run("s-1")).toEqual(first);
    expect(run("s-2")).not.toEqual(first);
    expect(first[1]).toHaveLength(10);
  });
  it("seededRandom stays within its ranges", () => {
    const random = seededRandom(7);
    for (let i = 0; i < 1_000; i++) {
      const n = random.int(-3, 3);
      expect(n).toBeGreaterThanOrEqual(-3);
      expect(n).toBeLessThanOrEqual(3);
      expect(random.next()).toBeLessThan(1);
    }
  });
});

describe("the published hooks", () => {
  const stops: (() => void)[] = [];
  afterEach(() => stops.splice(0).forEach((stop) => stop()));

  function start() {
    const { client, server } = socketPair();
    const session = new BoardSession({
      socket: client,
      board: { boardId: "room-1" },
      name: "Ada",
      clientId: "browser-1",
      storage: new MemoryStorage(),
      tabId: "tab-1",
      watchActivity: () => ({ stop() {}, current: () => "active" }),
    });
    session.start();
    const attributes = new Map<string, string>();
    const host: { scribble?: ScribbleHooks } = {};
    const unpublish = publishSyncHooks({ setAttribute: (k, v) => attributes.set(k, v) }, session, "room-1", host);
    stops.push(() => session.stop(), unpublish);
    return { session, server, attributes, hooks: () => host.scribble!, host, unpublish };
  }

  it("follow a tab from joining to synced, through its own change and a lost connection", async () => {
    connectionStore.setState({ state: "connecting" });
    const t = start();
    expect(t.attributes.get("data-sync-state")).toBe("joining");
    const synced = t.hooks().whenSynced();

    connectionStore.setState({ state: "connected" });
    t.server.connect();
    t.server.answer("board:join", { ok: true, ...snapshot({ seq: 1, strokeCount: 1 }) });
    expect(t.hooks().status).toBe("joining");
    t.server.push("board:strokes", { strokes: [committedStroke("s1", 1)], done: true });
    expect(await synced).toEqual({ seq: 1, digest: boardDigest(DEFAULT_CIRCLE_COLOR, [committedStroke("s1", 1)]) });
    expect(t.attributes.get("data-sync-state")).toBe("synced");
    expect(t.attributes.get("data-seq")).toBe("1");
    expect(t.hooks().strokes).toEqual([{ id: "s1", author: "u-ada", color: "#1f2937" }]);
    expect(t.hooks().self).toEqual({ id: "u-ada", name: "Ada", color: "#e11d48" });

    // Own stroke: shown, pending, the digest says so; synced again on the ack.
    t.session.addStroke(strokeInput("s2"));
    expect(t.hooks()).toMatchObject({ status: "syncing", pending: 1 });
    expect(t.hooks().strokes.map((s) => [s.id, s.author])).toEqual([["s1", "u-ada"], ["s2", null]]);
    const [req] = t.server.waiting("op") as OpRequest[];
    t.server.answer("op", { ok: true, seq: 2, applied: applied(2, { type: "stroke:add", opId: req!.opId, stroke: committedStroke("s2", 2) }) });
    expect(await t.hooks().whenSynced({ timeoutMs: 1_000 })).toMatchObject({ seq: 2 });
    expect(t.hooks().pending).toBe(0);
    expect(t.hooks().digest).toBe(boardDigest(DEFAULT_CIRCLE_COLOR, [committedStroke("s1", 1), committedStroke("s2", 2)]));

    // Someone else's change that overtakes an earlier one: held, so not synced until that comes.
    t.server.push("op", applied(4, { type: "circle:set", opId: "o4", color: "#00ff00" }, "u-bob"));
    expect(t.hooks().status).toBe("syncing");
    t.server.push("op", applied(3, { type: "circle:set", opId: "o3", color: "#0000ff" }, "u-bob"));
    expect(t.hooks()).toMatchObject({ status: "synced", seq: 4 });

    t.server.disconnect();
    connectionStore.setState({ state: "reconnecting" });
    expect(t.attributes.get("data-sync-state")).toBe("offline");
    await expect(t.hooks().whenSynced({ timeoutMs: 10 })).rejects.toThrow(/not synced after 10 ms: offline/);
  });

  it("are read-only, and gone once taken down", () => {
    const t = start();
    expect(() => ((t.hooks() as { status: string }).status = "synced")).toThrow();
    expect(() => (t.host.scribble = undefined)).toThrow();
    t.unpublish();
    expect(t.host.scribble).toBeUndefined();
  });
});
