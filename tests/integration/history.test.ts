import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Board } from "@/lib/board";
import { PROTOCOL_VERSION, type AppliedOp } from "@/lib/protocol";
import { newKey } from "@/lib/server/keys";
import { databaseFile, SqliteStore, type BoardStore } from "@/lib/server/storage";
import {
  addOp,
  circleOp,
  clearOp,
  commit,
  eraseOp,
  idsOf,
  joinLoaded,
  lateJoiner,
  newClientId,
  next,
  openTab,
  refused,
  restoreOp,
  seedBoard,
  startServer,
  strokeAdds,
  strokeInput,
  type Tab,
  type TestServer,
} from "./harness";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(store?: BoardStore, overrides = {}): Promise<TestServer> {
  server = await startServer({ cursorTickMs: 1_000, ...overrides }, store);
  return server;
}

/** An owner on board "board", and an editor. */
async function classroom(srv: TestServer, ownerKey = newKey()) {
  const owner = await openTab(srv, "board", "Olga", newClientId(), ownerKey);
  const editor = await openTab(srv, "board", "Ed");
  return { owner, editor, ownerKey };
}

const moment = (tab: Tab, seq: number) => tab.socket.emitWithAck("history:at", { seq });
const restore = (tab: Tab, seq: number) => tab.socket.emitWithAck("history:restore", { seq });
const shown = async (srv: TestServer) => idsOf((await lateJoiner(srv, "board")).strokes);

/** Every op a board went through, replayed up to `seq`: what the board showed then. */
function replayedTo(log: readonly AppliedOp[], seq: number): string[] {
  const board = new Board("replay");
  for (const op of log) if (op.seq <= seq) board.applyCommitted(op);
  return idsOf(board.visibleStrokes());
}

describe("the board's history", () => {
  it("lists who did what, in runs, and shows the board exactly as it was after any change", async () => {
    const srv = await start();
    const { owner, editor } = await classroom(srv);
    const log: AppliedOp[] = [];
    log.push(await commit(owner.socket, addOp("a1", strokeInput("o-1"))));
    log.push(await commit(owner.socket, addOp("a2", strokeInput("o-2"))));
    log.push(await commit(editor.socket, addOp("a3", strokeInput("e-1"))));
    log.push(await commit(owner.socket, circleOp("c1", "#22c55e")));
    log.push(await commit(owner.socket, eraseOp("x1", "e-1", "o-1")));
    log.push(await commit(editor.socket, addOp("a4", strokeInput("e-2"))));
    log.push(await commit(owner.socket, clearOp("clear")));
    log.push(await commit(owner.socket, restoreOp("r1", "o-2")));

    const list = await editor.socket.emitWithAck("history:list");
    expect(list).toMatchObject({
      ok: true,
      firstSeq: 0,
      seq: 8,
      entries: [
        { fromSeq: 1, toSeq: 2, author: owner.id, name: "Olga", type: "stroke:add", count: 2, at: expect.any(Number) },
        { fromSeq: 3, toSeq: 3, author: editor.id, name: "Ed", type: "stroke:add", count: 1 },
        { fromSeq: 4, toSeq: 4, type: "circle:set", count: 1 },
        { fromSeq: 5, toSeq: 5, type: "stroke:erase", count: 2 },
        { fromSeq: 6, toSeq: 6, type: "stroke:add", count: 1 },
        { fromSeq: 7, toSeq: 7, type: "board:clear", count: 2 },
        { fromSeq: 8, toSeq: 8, type: "stroke:restore", count: 1 },
      ],
    });
    for (let seq = 0; seq <= 8; seq++) {
      expect(await moment(editor, seq)).toMatchObject({ ok: true, seq, strokeIds: replayedTo(log, seq) });
    }
    expect(await moment(owner, 3)).toMatchObject({ circle: { color: "#6366f1" } });
    expect(await moment(owner, 4)).toMatchObject({ circle: { color: "#22c55e", version: 4 } });
    expect(await moment(owner, 9)).toMatchObject(refused("UNKNOWN_MOMENT"));
  });

  it("restores a moment for everyone as the owner's own ops, exactly, and the owner can undo it", async () => {
    const srv = await start();
    const { owner, editor } = await classroom(srv);
    await commit(owner.socket, addOp("a1", strokeInput("o-1")));
    await commit(editor.socket, addOp("a2", strokeInput("e-1")));
    await commit(owner.socket, circleOp("c1", "#ef4444"));
    // Ed may clear (the owner allowed it), and does; then draws.
    await owner.socket.emitWithAck("board:manage", { type: "settings", settings: { editorsMayErase: true } });
    await commit(editor.socket, clearOp("clear"));
    await commit(editor.socket, addOp("a3", strokeInput("e-2")));
    await commit(editor.socket, circleOp("c2", "#22c55e"));
    const before = await shown(srv);
    expect(before).toEqual(["e-2"]);

    expect(await restore(editor, 3)).toMatchObject(refused("FORBIDDEN"));
    const heard: AppliedOp[] = [];
    editor.socket.on("op", (op) => heard.push(op));
    const res = await restore(owner, 3);
    if (!res.ok) throw new Error(res.error.message);
    expect(res.applied.map((a) => a.op.type)).toEqual(["stroke:erase", "stroke:restore", "circle:set"]);
    expect(res.applied.every((a) => a.author === owner.id)).toBe(true);
    const now = await lateJoiner(srv, "board");
    expect(idsOf(now.strokes)).toEqual(["o-1", "e-1"]);
    expect(now.circle.color).toBe("#ef4444");
    expect(heard).toEqual(res.applied);

    // Undone as any owner's action is: the inverse erase and restore (the circle is not undone).
    const [erased, restored] = res.applied;
    if (erased?.op.type !== "stroke:erase" || restored?.op.type !== "stroke:restore") throw new Error("unexpected ops");
    await commit(owner.socket, restoreOp("undo-1", ...erased.op.strokeIds));
    await commit(owner.socket, eraseOp("undo-2", ...restored.op.strokeIds));
    expect(await shown(srv)).toEqual(before);
  });

  it("is not for viewers: no list, no moment, no restore", async () => {
    const srv = await start();
    const { owner } = await classroom(srv);
    const viewKey = owner.snapshot.owner!.viewKey;
    const viewer = await openTab(srv, { view: viewKey }, "Vi");
    expect(await viewer.socket.emitWithAck("history:list")).toMatchObject(refused("FORBIDDEN"));
    expect(await moment(viewer, 0)).toMatchObject(refused("FORBIDDEN"));
    expect(await restore(viewer, 0)).toMatchObject(refused("FORBIDDEN"));
  });

  it("keeps the whole history across snapshots and a restart", async () => {
    const dataDir = mkdtempSync(joinPath(tmpdir(), "scribble-history-"));
    let srv = await start(new SqliteStore(databaseFile(dataDir)), { snapshotEvery: 3 });
    const ownerKey = newKey();
    const { owner } = await classroom(srv, ownerKey);
    const log: AppliedOp[] = [];
    for (let i = 0; i < 10; i++) log.push(await commit(owner.socket, addOp(`a${i}`, strokeInput(`s-${i}`))));
    log.push(await commit(owner.socket, clearOp("clear")));
    await srv.close();

    srv = await start(new SqliteStore(databaseFile(dataDir)), { snapshotEvery: 3 });
    const again = await openTab(srv, "board", "Olga", newClientId(), ownerKey);
    expect(await again.socket.emitWithAck("history:list")).toMatchObject({ ok: true, firstSeq: 0, seq: 11 });
    expect(await moment(again, 4)).toMatchObject({ ok: true, strokeIds: replayedTo(log, 4) });
    expect(await restore(again, 10)).toMatchObject({ ok: true });
    expect(await shown(srv)).toEqual(replayedTo(log, 10));
  });

  it("on a board whose early ops an earlier version pruned, begins at its snapshot", async () => {
    const srv = await start();
    const log = await seedBoard(srv.store, "board", [...strokeAdds("s", 4), eraseOp("x", "s-0")]);
    const board = new Board("board");
    for (const op of log.slice(0, 3)) board.applyCommitted(op);
    await srv.store.saveSnapshot("board", board.toPersisted());
    // As an earlier version left it: the ops the snapshot covers are gone.
    const pruned = srv.store as unknown as { boards: Map<string, { ops: AppliedOp[] }> };
    pruned.boards.get("board")!.ops = log.slice(3);

    const ed = await openTab(srv, "board", "Ed");
    expect(await ed.socket.emitWithAck("history:list")).toMatchObject({ ok: true, firstSeq: 3, seq: 5 });
    expect(await moment(ed, 2)).toMatchObject(refused("UNKNOWN_MOMENT"));
    expect(await moment(ed, 3)).toMatchObject({ ok: true, strokeIds: ["s-0", "s-1", "s-2"] });
    const seen = next(ed.socket, "op");
    await commit((await openTab(srv, "board", "Al")).socket, addOp("late", strokeInput("late")));
    await seen;
    expect(await moment(ed, 6)).toMatchObject({ ok: true, strokeIds: ["s-1", "s-2", "s-3", "late"] });
  });

  it("holds one network's history requests to a person's pace, however many connections it opens", async () => {
    const srv = await start();
    const { owner } = await classroom(srv);
    await commit(owner.socket, addOp("a1", strokeInput("o-1")));
    const tabs = await Promise.all(Array.from({ length: 5 }, (_, i) => openTab(srv, "board", `Ed ${i}`)));
    const answers = await Promise.all(tabs.flatMap((tab) => Array.from({ length: 6 }, () => moment(tab, 1))));
    expect(answers.filter((a) => a.ok)).toHaveLength(20);
    expect(answers.filter((a) => !a.ok).every((a) => !a.ok && a.error.code === "RATE_LIMITED")).toBe(true);
  });

  it("gives a viewer the board as it is: a resume from an early seq is a full join, and erased strokes are not theirs to fetch", async () => {
    const srv = await start();
    const { owner, editor } = await classroom(srv);
    await commit(editor.socket, addOp("a1", strokeInput("gone")));
    await commit(owner.socket, eraseOp("x1", "gone"));
    await commit(owner.socket, addOp("a2", strokeInput("kept")));
    const socket = await srv.connect();
    const view = { view: owner.snapshot.owner!.viewKey };
    const first = await joinLoaded(socket, view, "Vi");
    const again = await socket.emitWithAck("board:join", { protocol: PROTOCOL_VERSION, ...view, name: "Vi", clientId: newClientId(), resume: { epoch: first.snapshot.epoch, seq: 0 } });
    expect(again).toMatchObject({ ok: true, sync: "full", strokeCount: 1 });
    expect(await socket.emitWithAck("strokes:get", { strokeIds: ["gone", "kept"] })).toEqual({ ok: true, strokes: [expect.objectContaining({ id: "kept" })], answered: 2 });
    // An editor may fetch it (a restore names strokes by id).
    expect(await editor.socket.emitWithAck("strokes:get", { strokeIds: ["gone"] })).toMatchObject({ ok: true, strokes: [{ id: "gone" }] });
  });
});
