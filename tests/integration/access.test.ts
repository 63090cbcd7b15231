import { describe, expect, it, onTestFinished } from "vitest";
import type { ClientSocket } from "@/lib/client/socket";
import {
  OPEN_BOARD,
  OWNED_BOARD_DEFAULTS,
  type CursorUpdate,
  type ManageRequest,
  type OpRequest,
} from "@/lib/protocol";
import { hashKey, newKey } from "@/lib/server/keys";
import {
  addOp,
  askToJoin,
  barrier,
  circleOp,
  clearOp,
  commit,
  enter,
  eraseOp,
  idsOf,
  join,
  joinLoaded,
  lateJoiner,
  manage,
  moved,
  newClientId,
  next,
  openTab,
  record,
  refused,
  restoreOp,
  sendOp,
  SlowStore,
  startServer,
  strokeInput,
  useServer,
  type Tab,
  type TestServer,
} from "./harness";

// Cursor batches go out when a test flushes the hub, not on a tick of their own.
const server = useServer({ cursorTickMs: 1_000 });

const FORBIDDEN = refused("FORBIDDEN");

const chat = (tab: Tab, text: string, opId: string, to?: string) => tab.socket.emitWithAck("chat:send", { opId, text, ...(to ? { to } : {}) });

/**
 * Sends the cursors the hub holds (none when relayed) once the tabs' connections are idle (one
 * busy writing drops a volatile batch), then waits until each tab has what it was sent.
 */
async function deliverCursors(srv: TestServer, sockets: ClientSocket[]): Promise<void> {
  await Promise.all(sockets.map(barrier));
  srv.sockets.cursors.flush();
  await Promise.all(sockets.map(barrier));
}

/** A new board, claimed by its first tab with a fresh owner key. */
async function ownedBoard(srv: TestServer = server()) {
  const ownerKey = newKey();
  const owner = await openTab(srv, "board", "Olga", newClientId(), ownerKey);
  return { ownerKey, owner, viewKey: owner.snapshot.owner!.viewKey };
}

/** What a newcomer finds on the board: what refused changes must leave as it was. */
async function boardState(boardId = "board") {
  const { seq, circle, strokes, chat: messages, settings } = await lateJoiner(server(), boardId);
  return { seq, circle, strokes, chat: messages.map((m) => m.text), settings };
}

describe("ownership", () => {
  it("the first tab to send an owner key owns a new board; every browser with that key is an owner, every other an editor", async () => {
    const { ownerKey, owner, viewKey } = await ownedBoard();
    expect(owner.snapshot).toMatchObject({ self: { role: "owner" }, owned: true, settings: OWNED_BOARD_DEFAULTS, owner: { removed: [] } });
    expect(viewKey).toMatch(/^[A-Za-z0-9_-]{16,64}$/);

    const otto = await openTab(server(), "board", "Otto", newClientId(), ownerKey);
    expect(otto.snapshot).toMatchObject({ self: { role: "owner" }, owned: true, owner: { viewKey, removed: [] } });

    const ed = await openTab(server(), "board", "Ed");
    const xan = await openTab(server(), "board", "Xan", newClientId(), newKey());
    for (const tab of [ed, xan]) {
      expect(tab.snapshot).toMatchObject({ self: { role: "editor" }, owned: true, settings: OWNED_BOARD_DEFAULTS });
      expect(tab.snapshot).not.toHaveProperty("owner");
    }
    // A key that is not the owner's claims nothing and manages nothing.
    expect(await manage(xan, { type: "settings", settings: { locked: true } })).toMatchObject(FORBIDDEN);
    expect(Object.fromEntries(xan.snapshot.users.map((u) => [u.name, u.role]))).toEqual({ Olga: "owner", Otto: "owner", Ed: "editor", Xan: "editor" });
  });

  it.each<[string, (tab: Tab) => Promise<unknown>]>([
    ["a stroke", (tab) => commit(tab.socket, addOp("op-1", strokeInput("s-1")))],
    ["a circle colour", (tab) => commit(tab.socket, circleOp("op-1", "#22c55e"))],
    ["a chat message", async (tab) => expect(await chat(tab, "hi", "m-1")).toMatchObject({ ok: true })],
  ])("a board someone without a key left %s on stays open: a key sent later claims nothing", async (_, change) => {
    const first = await openTab(server(), "board", "Ada");
    expect(first.snapshot).toMatchObject({ self: { role: "editor" }, owned: false, settings: OPEN_BOARD });
    await change(first);

    const late = await openTab(server(), "board", "Kim", newClientId(), newKey());
    expect(late.snapshot).toMatchObject({ self: { role: "editor" }, owned: false, settings: OPEN_BOARD });
    expect(late.snapshot).not.toHaveProperty("owner");
    expect(await manage(late, { type: "settings", settings: { locked: true } })).toMatchObject(FORBIDDEN);
  });

  it("a claim that another browser's tab beats to the name is refused NAME_TAKEN, and the board is the claimant's under another name", async () => {
    const store = new SlowStore();
    const srv = await startServer({}, store);
    onTestFinished(() => srv.close());
    const [claimant, other] = [await srv.connect(), await srv.connect()];
    const ownerKey = newKey();
    const client = newClientId();
    // Both wait for the same load, then go on in one turn: the other joins while the claim is stored.
    store.hold("load");
    const answers = Promise.all([askToJoin(claimant, "board", "Olga", client, ownerKey), askToJoin(other, "board", "Olga")]);
    await Promise.all([barrier(claimant), barrier(other)]);
    store.release();
    const [claimed, plain] = await answers;

    // The other tab got in first: it had nothing to store.
    expect(plain).toMatchObject({ ok: true, self: { name: "Olga", role: "editor" } });
    expect(claimed).toEqual({ ok: false, error: { code: "NAME_TAKEN", message: "Someone on this board has that name already. Pick another name." } });
    expect(srv.logs.filter((entry) => entry.level === "error")).toEqual([]);
    expect(await join(claimant, "board", "Olga 2", client, ownerKey)).toMatchObject({ self: { role: "owner" }, owned: true });
  });

  it("a board only looked at is still new: the first tab with a key claims it, and the one already there is an editor", async () => {
    const first = await openTab(server(), "board", "Ada");
    expect(first.snapshot.owned).toBe(false);
    const { owner } = await ownedBoard();
    expect(owner.snapshot).toMatchObject({ self: { role: "owner" }, owned: true });
    await commit(owner.socket, addOp("o-1", strokeInput("owners")));
    // The board is owned now: erasing another's stroke is the owners' alone.
    expect(await sendOp(first.socket, eraseOp("a-1", "owners"))).toMatchObject(FORBIDDEN);
  });
});

describe("claims", () => {
  it("are held to a pace per address: each stores a board", async () => {
    const answers = [];
    // A connection each: one connection's joins have a rate of their own.
    for (let i = 0; i < 31; i++) answers.push(await askToJoin(await server().connect(), `new-board-${i}`, "Olga", newClientId(), newKey()));
    const socket = await server().connect();
    expect(answers.slice(0, 30).every((a) => a.ok && a.self.role === "owner")).toBe(true);
    expect(answers[30]).toMatchObject(refused("RATE_LIMITED"));
    expect(await server().store.load("new-board-30")).toBeNull();
    // Joining a board that exists, with a key or without, is no claim.
    expect(await askToJoin(socket, "new-board-0", "Ed", newClientId(), newKey())).toMatchObject({ ok: true, self: { role: "editor" } });
  });
});

describe("owners' changes", () => {
  it("are held to a pace per address, however many connections it opens: each rewrites the board's access", async () => {
    const { owner, ownerKey } = await ownedBoard();
    const tabs = [owner, ...(await Promise.all(Array.from({ length: 4 }, (_, i) => openTab(server(), "board", `Olga ${i}`, newClientId(), ownerKey))))];
    const answers = await Promise.all(tabs.flatMap((tab, t) => Array.from({ length: 8 }, (_, i) => manage(tab, { type: "settings", settings: { chat: (t + i) % 2 === 0 } }))));
    expect(answers.filter((a) => a.ok)).toHaveLength(20);
    expect(answers.filter((a) => !a.ok).every((a) => !a.ok && a.error.code === "RATE_LIMITED")).toBe(true);
  });
});

describe("refused joins", () => {
  it("leave no board in memory: not a claim over the limit, not a removed browser's", async () => {
    for (let i = 0; i < 30; i++) await askToJoin(await server().connect(), `spent-${i}`, "Olga", newClientId(), newKey());
    const before = server().sockets.boards.loadedCount;
    for (let i = 0; i < 20; i++) expect(await askToJoin(await server().connect(), `over-${i}`, "Olga", newClientId(), newKey())).toMatchObject(refused("RATE_LIMITED"));
    expect(server().sockets.boards.loadedCount).toBe(before);
  });
});

describe("the view-only link", () => {
  it("lets a tab in as a viewer, with the board's strokes and none of the owners' view", async () => {
    const { owner, viewKey } = await ownedBoard();
    await commit(owner.socket, addOp("o-1", strokeInput("s-1")));
    const joined = next(owner.socket, "presence:joined");
    const { snapshot, strokes } = await joinLoaded(await server().connect(), { view: viewKey }, "Vic");
    expect(snapshot).toMatchObject({ self: { role: "viewer" }, owned: true, settings: OWNED_BOARD_DEFAULTS });
    expect(snapshot).not.toHaveProperty("owner");
    expect(idsOf(strokes)).toEqual(["s-1"]);
    expect(await joined).toMatchObject({ name: "Vic", role: "viewer" });
  });

  it("is refused UNKNOWN_LINK for a key that names no board (an owner key is no view key)", async () => {
    const { ownerKey } = await ownedBoard();
    const socket = await server().connect();
    for (const view of [newKey(), ownerKey]) expect(await askToJoin(socket, { view }, "Vic")).toMatchObject(refused("UNKNOWN_LINK"));
  });

  it("can be made anew by an owner: the old key opens nothing, on this server or after the board left memory; viewers on it stay", async () => {
    const srv = await startServer({ boardIdleMs: 10 });
    onTestFinished(() => srv.close());
    const { owner, viewKey } = await ownedBoard(srv);
    const viewer = await openTab(srv, { view: viewKey }, "Vic");
    const told = next(owner.socket, "owner:view-key");
    const heard = record(viewer.socket, "owner:view-key");
    expect(await manage(owner, { type: "view-link" })).toEqual({ ok: true });
    const fresh = await told;
    expect(fresh).not.toBe(viewKey);
    expect(await askToJoin(await srv.connect(), { view: viewKey }, "Late")).toMatchObject(refused("UNKNOWN_LINK"));
    const later = await srv.connect();
    expect(await askToJoin(later, { view: fresh }, "Later")).toMatchObject({ ok: true, self: { role: "viewer" } });
    await barrier(viewer.socket);
    expect(heard).toEqual([]);
    expect(viewer.socket.connected).toBe(true);

    for (const socket of [owner.socket, viewer.socket, later]) socket.disconnect();
    await expect.poll(() => srv.sockets.boards.loadedCount).toBe(0);
    expect(await askToJoin(await srv.connect(), { view: viewKey }, "Gone")).toMatchObject(refused("UNKNOWN_LINK"));
    expect(await askToJoin(await srv.connect(), { view: fresh }, "Still")).toMatchObject({ ok: true });
    // Editors cannot.
    const ed = await openTab(srv, "board", "Ed");
    expect(await manage(ed, { type: "view-link" })).toMatchObject(FORBIDDEN);
  });

  it("finds a board that has left memory, in the store", async () => {
    const srv = await startServer({ boardIdleMs: 10 });
    onTestFinished(() => srv.close());
    const { owner, viewKey } = await ownedBoard(srv);
    owner.socket.emit("board:leave");
    await expect.poll(() => srv.sockets.boards.loadedCount).toBe(0);
    expect((await join(await srv.connect(), { view: viewKey }, "Vic")).self.role).toBe("viewer");
  });
});

/** Every frame the server sends this socket from now on, as it went over the wire: events and acks alike. */
function wire(socket: ClientSocket): string[] {
  const frames: string[] = [];
  socket.io.engine.on("message", (data) => frames.push(String(data)));
  return frames;
}

/** The names of the events among frames (`2["name",...]`; acks are `3<id>[...]`). */
const eventsIn = (frames: readonly string[]) => new Set(frames.flatMap((f) => (f.startsWith("2[") ? [JSON.parse(f.slice(1))[0] as string] : [])));

describe("what tabs are told", () => {
  it("no tab learns the owner key, its hash or a client id; only owners get the owners' view; a viewer never learns the board id", async () => {
    const boardId = "leak-check-Q7zx";
    const ownerKey = newKey();
    const clients = { owner: newClientId(), editor: newClientId(), viewer: newClientId(), removed: newClientId() };
    const sockets = { owner: await server().connect(), editor: await server().connect(), viewer: await server().connect() };
    // Wired before they join: the joins' answers count too.
    const frames = { owner: wire(sockets.owner), editor: wire(sockets.editor), viewer: wire(sockets.viewer) };
    const owner = await enter(sockets.owner, boardId, "Olga", clients.owner, ownerKey);
    const viewKey = owner.snapshot.owner!.viewKey;
    const editor = await enter(sockets.editor, boardId, "Ed", clients.editor);
    const viewer = await enter(sockets.viewer, { view: viewKey }, "Vic", clients.viewer);
    const mal = await openTab(server(), boardId, "Mal", clients.removed);

    // A session: drawing, erasing, chat, cursors, previews, refusals, every kind of owners' change.
    await commit(owner.socket, addOp("o-1", strokeInput("s-1")));
    await commit(editor.socket, addOp("e-1", strokeInput("s-2")));
    await commit(owner.socket, eraseOp("o-2", "s-2"));
    await commit(owner.socket, restoreOp("o-3", "s-2"));
    await commit(owner.socket, circleOp("o-4", "#22c55e"));
    // Volatile: a cursor emitted while the connection is still writing something else is dropped.
    await moved(owner.socket, 5, 5);
    await moved(editor.socket, 6, 6);
    await deliverCursors(server(), Object.values(sockets));
    owner.socket.emit("stroke:preview", strokeInput("s-3"));
    await barrier(owner.socket);
    await chat(owner, "hello", "c-1");
    await chat(owner, "psst", "c-2", editor.id);
    await chat(editor, "hi", "c-3");
    expect(await sendOp(viewer.socket, addOp("v-1", strokeInput("s-4")))).toMatchObject(FORBIDDEN);
    viewer.socket.emit("stroke:preview", strokeInput("s-4"));
    await moved(viewer.socket, 7, 7);
    expect(await chat(viewer, "can I?", "c-4")).toMatchObject(FORBIDDEN);
    for (const settings of [{ editorsMayErase: true }, { cursors: "owners" }, { chat: false }, { laser: "everyone" }, { listed: true }, { locked: true }] as const) {
      expect(await manage(owner, { type: "settings", settings })).toEqual({ ok: true });
    }
    expect(await sendOp(editor.socket, addOp("e-2", strokeInput("s-5")))).toMatchObject(FORBIDDEN);
    expect(await manage(owner, { type: "settings", settings: { locked: false, chat: true } })).toEqual({ ok: true });
    expect(await manage(owner, { type: "role", userId: editor.id, role: "viewer" })).toEqual({ ok: true });
    expect(await manage(owner, { type: "role", userId: editor.id, role: "editor" })).toEqual({ ok: true });
    expect(await manage(editor, { type: "remove", userId: viewer.id })).toMatchObject(FORBIDDEN);
    expect(await manage(owner, { type: "remove", userId: mal.id })).toEqual({ ok: true });
    expect(await manage(owner, { type: "readmit", userId: mal.id })).toEqual({ ok: true });
    await openTab(server(), boardId, "Mal", clients.removed);
    expect(await manage(owner, { type: "end" })).toEqual({ ok: true });
    await Promise.all(Object.values(sockets).map(barrier));

    // The capture saw the session: a test that hears nothing would find no secret either.
    for (const who of ["editor", "viewer"] as const) {
      for (const event of ["op", "stroke:preview", "cursors", "chat:message", "board:access", "presence:joined", "presence:left", "board:dismissed"]) {
        expect(eventsIn(frames[who]), `${who} heard ${event}`).toContain(event);
      }
    }
    expect(eventsIn(frames.viewer)).toContain("error");
    expect(eventsIn(frames.owner)).toContain("owner:removed");
    expect(frames.owner.join("\n")).toContain(viewKey);

    const secrets = { ownerKey, ownerKeyHash: hashKey(ownerKey), ...clients };
    for (const [who, seen] of Object.entries(frames)) {
      for (const [what, secret] of Object.entries(secrets)) {
        expect(seen.filter((f) => f.includes(secret)), `${who} was sent the ${what}`).toEqual([]);
      }
    }
    for (const who of ["editor", "viewer"] as const) {
      expect(eventsIn(frames[who])).not.toContain("owner:removed");
      expect(frames[who].filter((f) => f.includes('"viewKey"') || f.includes('"owner":')), `${who} was sent the owners' view`).toEqual([]);
    }
    expect(frames.editor.filter((f) => f.includes(viewKey)), "the editor was sent the view key").toEqual([]);
    expect(frames.viewer.filter((f) => f.includes(boardId)), "the viewer was sent the board id").toEqual([]);
  });
});

describe("a viewer", () => {
  /** A board with a visible stroke `s-1` and an erased one `s-2`, an owner, and a viewer by the view link. */
  async function withViewer() {
    const { owner, viewKey } = await ownedBoard();
    await commit(owner.socket, addOp("o-1", strokeInput("s-1")));
    await commit(owner.socket, addOp("o-2", strokeInput("s-2")));
    await commit(owner.socket, eraseOp("o-3", "s-2"));
    const viewer = await openTab(server(), { view: viewKey }, "Vic");
    return { owner, viewer, before: await boardState() };
  }

  it.each<[string, OpRequest]>([
    ["circle:set", circleOp("v-1", "#ef4444")],
    ["stroke:add", addOp("v-1", strokeInput("s-3"))],
    ["stroke:erase", eraseOp("v-1", "s-1")],
    ["stroke:restore", restoreOp("v-1", "s-2")],
    ["board:clear", clearOp("v-1")],
  ])("%s is refused FORBIDDEN, goes to nobody and changes nothing", async (_, req) => {
    const { owner, viewer, before } = await withViewer();
    const ops = record(owner.socket, "op");
    expect(await sendOp(viewer.socket, req)).toEqual({ ok: false, error: { code: "FORBIDDEN", message: "You can look at this board but not change it." } });
    await barrier(owner.socket);
    expect(ops).toEqual([]);
    expect(await boardState()).toEqual(before);
  });

  it("a preview goes to nobody, and the viewer is told FORBIDDEN in an error event", async () => {
    const { owner, viewer } = await withViewer();
    const editor = await openTab(server(), "board", "Ed");
    const previews = [record(owner.socket, "stroke:preview"), record(editor.socket, "stroke:preview")];
    const refusals = record(viewer.socket, "error");
    viewer.socket.emit("stroke:preview", strokeInput("s-3"));
    // Refused before the ping after it is answered; relayed, it would have gone out before too.
    await barrier(viewer.socket);
    expect(refusals).toEqual([{ code: "FORBIDDEN", message: "You can look at this board but not change it." }]);
    await Promise.all([barrier(owner.socket), barrier(editor.socket)]);
    expect(previews).toEqual([[], []]);
  });

  it("cannot chat: refused FORBIDDEN, heard by nobody, kept nowhere", async () => {
    const { owner, viewer, before } = await withViewer();
    const heard = record(owner.socket, "chat:message");
    expect(await chat(viewer, "hi", "m-1")).toMatchObject(FORBIDDEN);
    expect(await chat(viewer, "hi", "m-2", owner.id)).toMatchObject(FORBIDDEN);
    await barrier(owner.socket);
    expect(heard).toEqual([]);
    expect(await boardState()).toEqual(before);
  });
});

describe("an editor on an owned board", () => {
  it("erases and brings back own strokes, those of an earlier visit too, but not others' nor clears nor own strokes an owner erased, until owners let editors erase", async () => {
    const { owner } = await ownedBoard();
    const editorClient = newClientId();
    const earlier = await openTab(server(), "board", "Ed", editorClient);
    await commit(owner.socket, addOp("o-1", strokeInput("owners")));
    await commit(earlier.socket, addOp("e-1", strokeInput("earlier")));
    earlier.socket.emit("board:leave");
    await barrier(earlier.socket);
    // Back in a new tab: the same browser under the same name is the same person, with the same strokes.
    const editor = await openTab(server(), "board", "Ed", editorClient);
    expect(editor.id).toBe(earlier.id);
    await commit(editor.socket, addOp("e-2", strokeInput("mine")));
    await commit(editor.socket, eraseOp("e-3", "earlier", "mine"));
    await commit(editor.socket, restoreOp("e-4", "earlier"));
    // Erased by the owner: not the editor's to bring back (that would undo the owner's erasing).
    await commit(owner.socket, eraseOp("o-2", "earlier"));
    expect(await sendOp(editor.socket, restoreOp("e-5", "earlier"))).toMatchObject(FORBIDDEN);
    await commit(owner.socket, restoreOp("o-5", "earlier"));
    await commit(owner.socket, addOp("o-3", strokeInput("owners-erased")));
    await commit(owner.socket, eraseOp("o-4", "owners-erased"));

    const before = await boardState();
    const othersOps = [eraseOp("x-1", "owners"), eraseOp("x-2", "earlier", "owners"), restoreOp("x-3", "owners-erased"), clearOp("x-4")];
    for (const req of othersOps) {
      expect(await sendOp(editor.socket, req)).toEqual({
        ok: false,
        error: { code: "FORBIDDEN", message: "Only the board's owners can erase others' strokes or clear the board." },
      });
    }
    expect(await boardState()).toEqual(before);
    expect(idsOf(before.strokes)).toEqual(["owners", "earlier"]);

    expect(await manage(owner, { type: "settings", settings: { editorsMayErase: true } })).toEqual({ ok: true });
    // The same ops, refused before, are taken now: a refusal stored nothing, not even the op id.
    for (const req of othersOps) await commit(editor.socket, req);
    expect((await boardState()).strokes).toEqual([]);
  });

  it("cannot chat while owners have the chat off, and can again once it is on", async () => {
    const { owner } = await ownedBoard();
    const editor = await openTab(server(), "board", "Ed");
    const heard = record(owner.socket, "chat:message");
    expect(await manage(owner, { type: "settings", settings: { chat: false } })).toEqual({ ok: true });
    expect(await chat(editor, "hi", "m-1")).toEqual({ ok: false, error: { code: "FORBIDDEN", message: "The board's owners turned the chat off." } });
    expect(await chat(editor, "hi", "m-2", owner.id)).toMatchObject(FORBIDDEN);
    expect(await chat(owner, "quiet please", "o-1")).toMatchObject({ ok: true });
    await barrier(owner.socket);
    expect(heard).toEqual([]);

    expect(await manage(owner, { type: "settings", settings: { chat: true } })).toEqual({ ok: true });
    expect(await chat(editor, "hi", "m-1")).toMatchObject({ ok: true });
    expect((await boardState()).chat).toEqual(["quiet please", "hi"]);
  });

  it("on a locked board is a viewer: ops, previews and chat refused while owners' ops are taken; unlocking gives editing back", async () => {
    const { owner } = await ownedBoard();
    const editor = await openTab(server(), "board", "Ed");
    const heard = next(editor.socket, "board:access");
    expect(await manage(owner, { type: "settings", settings: { locked: true } })).toEqual({ ok: true });
    expect(await heard).toEqual({ type: "settings", by: owner.id, settings: { ...OWNED_BOARD_DEFAULTS, locked: true } });

    const locked = { ok: false, error: { code: "FORBIDDEN", message: "The board is locked: only its owners can change it." } };
    expect(await sendOp(editor.socket, addOp("e-1", strokeInput("e")))).toEqual(locked);
    expect(await chat(editor, "hi", "m-1")).toEqual(locked);
    const previews = record(owner.socket, "stroke:preview");
    const refusals = record(editor.socket, "error");
    editor.socket.emit("stroke:preview", strokeInput("e"));
    await barrier(editor.socket);
    expect(refusals).toEqual([locked.error]);
    await commit(owner.socket, addOp("o-1", strokeInput("o")));
    expect(previews).toEqual([]);

    expect(await manage(owner, { type: "settings", settings: { locked: false } })).toEqual({ ok: true });
    await commit(editor.socket, addOp("e-1", strokeInput("e")));
    expect(idsOf((await boardState()).strokes)).toEqual(["o", "e"]);
  });

  it("an op applied before a lock and resent after it is refused FORBIDDEN like a new one, and stays applied once", async () => {
    const { owner } = await ownedBoard();
    const editor = await openTab(server(), "board", "Ed");
    const req = addOp("e-1", strokeInput("e"));
    const first = await commit(editor.socket, req);
    expect(await manage(owner, { type: "settings", settings: { locked: true } })).toEqual({ ok: true });
    expect(await sendOp(editor.socket, req)).toMatchObject(FORBIDDEN);
    expect(await manage(owner, { type: "settings", settings: { locked: false } })).toEqual({ ok: true });
    expect(await sendOp(editor.socket, req)).toEqual({ ok: true, seq: first.seq });
    expect(idsOf((await boardState()).strokes)).toEqual(["e"]);
  });

  it("on a board nobody owns may do anything: erase others' strokes, bring them back, clear", async () => {
    const ada = await openTab(server(), "board", "Ada");
    const bob = await openTab(server(), "board", "Bob");
    await commit(ada.socket, addOp("a-1", strokeInput("adas")));
    await commit(bob.socket, eraseOp("b-1", "adas"));
    await commit(bob.socket, restoreOp("b-2", "adas"));
    await commit(bob.socket, clearOp("b-3"));
    expect(await chat(bob, "done", "m-1")).toMatchObject({ ok: true });
    expect((await boardState()).strokes).toEqual([]);
  });
});

describe("board:manage", () => {
  it("is refused FORBIDDEN to editors and viewers, whatever it asks, and changes nothing", async () => {
    const { owner, viewKey } = await ownedBoard();
    const editor = await openTab(server(), "board", "Ed");
    const viewer = await openTab(server(), { view: viewKey }, "Vic");
    const heard = [owner, editor, viewer].map((t) => record(t.socket, "board:access"));
    const requests: ManageRequest[] = [
      { type: "settings", settings: { locked: true } },
      { type: "role", userId: viewer.id, role: "editor" },
      { type: "role", userId: editor.id, role: "viewer" },
      { type: "remove", userId: viewer.id },
      { type: "readmit", userId: viewer.id },
      { type: "end" },
    ];
    for (const tab of [editor, viewer]) {
      for (const req of requests) {
        expect(await manage(tab, req)).toEqual({
          ok: false,
          error: { code: "FORBIDDEN", message: "Only the board's owners can change its settings or who does what." },
        });
      }
    }
    await Promise.all([owner, editor, viewer].map((t) => barrier(t.socket)));
    expect(heard).toEqual([[], [], []]);
    const late = await lateJoiner(server(), "board");
    expect(late.settings).toEqual(OWNED_BOARD_DEFAULTS);
    expect(late.users.map((u) => [u.name, u.role])).toEqual([
      ["Olga", "owner"],
      ["Ed", "editor"],
      ["Vic", "viewer"],
      [late.self.name, "editor"],
    ]);
  });

  it("sends a change to every tab on the board (owners, editors, viewers) and no other; late joiners start with it", async () => {
    const { ownerKey, owner, viewKey } = await ownedBoard();
    const tabs = [
      owner,
      await openTab(server(), "board", "Otto", newClientId(), ownerKey),
      await openTab(server(), "board", "Ed"),
      await openTab(server(), { view: viewKey }, "Vic"),
    ];
    const elsewhere = await openTab(server(), "other", "Zed");
    const notHeard = record(elsewhere.socket, "board:access");

    const patch = { editorsMayErase: true, chat: false, cursors: "owners", laser: "everyone", listed: true } as const;
    let heard = tabs.map((t) => next(t.socket, "board:access"));
    expect(await manage(owner, { type: "settings", settings: patch })).toEqual({ ok: true });
    const settings = { ...OWNED_BOARD_DEFAULTS, ...patch };
    for (const change of heard) expect(await change).toEqual({ type: "settings", by: owner.id, settings });

    // A change builds on those before it.
    heard = tabs.map((t) => next(t.socket, "board:access"));
    expect(await manage(tabs[1]!, { type: "settings", settings: { locked: true } })).toEqual({ ok: true });
    for (const change of heard) expect(await change).toEqual({ type: "settings", by: tabs[1]!.id, settings: { ...settings, locked: true } });

    await barrier(elsewhere.socket);
    expect(notHeard).toEqual([]);
    expect((await lateJoiner(server(), "board")).settings).toEqual({ ...settings, locked: true });
  });

  it("a role change applies at once and follows the browser, whatever its name or link, until changed back", async () => {
    const { owner, viewKey } = await ownedBoard();
    const edClient = newClientId();
    const ed = await openTab(server(), "board", "Ed", edClient);
    const bo = await openTab(server(), "board", "Bo");
    const heard = next(bo.socket, "board:access");
    expect(await manage(owner, { type: "role", userId: ed.id, role: "viewer" })).toEqual({ ok: true });
    expect(await heard).toEqual({ type: "role", by: owner.id, userId: ed.id, role: "viewer" });
    expect(await sendOp(ed.socket, addOp("e-1", strokeInput("e")))).toMatchObject(FORBIDDEN);
    expect((await join(await server().connect(), "board", "Ed", edClient)).self.role).toBe("viewer");

    ed.socket.emit("board:leave");
    await barrier(ed.socket);
    const eddie = await openTab(server(), "board", "Eddie", edClient);
    expect(eddie.snapshot.self.role).toBe("viewer");
    expect(await manage(owner, { type: "role", userId: eddie.id, role: "editor" })).toEqual({ ok: true });
    await commit(eddie.socket, addOp("e-1", strokeInput("e")));

    // A viewer by the view link may be let draw, and keeps that when coming by the view link again.
    const vicClient = newClientId();
    const vic = await openTab(server(), { view: viewKey }, "Vic", vicClient);
    expect(await manage(owner, { type: "role", userId: vic.id, role: "editor" })).toEqual({ ok: true });
    await commit(vic.socket, addOp("v-1", strokeInput("v")));
    vic.socket.emit("board:leave");
    await barrier(vic.socket);
    expect((await join(await server().connect(), { view: viewKey }, "Vic", vicClient)).self.role).toBe("editor");
  });

  it("a role is the browser's: every name it holds on the board changes at once, and everyone hears of each", async () => {
    const { owner } = await ownedBoard();
    const client = newClientId();
    const ed = await openTab(server(), "board", "Ed", client);
    const eddie = await openTab(server(), "board", "Eddie", client);
    const heard = record(owner.socket, "board:access");
    expect(await manage(owner, { type: "role", userId: ed.id, role: "viewer" })).toEqual({ ok: true });
    for (const [i, tab] of [ed, eddie].entries()) expect(await sendOp(tab.socket, addOp(`x-${i}`, strokeInput(`x-${i}`)))).toMatchObject(FORBIDDEN);
    await barrier(owner.socket);
    expect(heard).toEqual([ed, eddie].map((t) => ({ type: "role", by: owner.id, userId: t.id, role: "viewer" })));
    const late = await lateJoiner(server(), "board");
    expect(late.users.filter((u) => u.role === "viewer").map((u) => u.name)).toEqual(["Ed", "Eddie"]);
  });

  it("owners keep their role: neither made viewers nor removed, not even by themselves; people not on the board are not found", async () => {
    const { ownerKey, owner } = await ownedBoard();
    const otto = await openTab(server(), "board", "Otto", newClientId(), ownerKey);
    for (const target of [otto, owner]) {
      expect(await manage(owner, { type: "role", userId: target.id, role: "viewer" })).toMatchObject(FORBIDDEN);
      expect(await manage(owner, { type: "remove", userId: target.id })).toMatchObject(FORBIDDEN);
    }
    for (const req of [
      { type: "role", userId: "nobody-here", role: "viewer" },
      { type: "remove", userId: "nobody-here" },
      { type: "readmit", userId: otto.id },
    ] as const) {
      expect(await manage(owner, req)).toMatchObject(refused("UNKNOWN_RECIPIENT"));
    }
    await commit(otto.socket, addOp("o-1", strokeInput("o")));
    expect((await lateJoiner(server(), "board")).users.filter((u) => u.role === "owner").map((u) => u.name)).toEqual(["Olga", "Otto"]);
  });

  it("a flood from a non-owner is refused, then rate-limited, stores nothing and leaves the owners in charge", async () => {
    const { owner } = await ownedBoard();
    const editor = await openTab(server(), "board", "Ed");
    const stored = await server().store.load("board");
    const answers = await Promise.all(Array.from({ length: 200 }, () => manage(editor, { type: "settings", settings: { locked: true } })));
    const codes = answers.map((a) => (a.ok ? "ok" : a.error.code));
    const forbidden = codes.filter((c) => c === "FORBIDDEN").length;
    expect(forbidden).toBeGreaterThan(0);
    expect(forbidden).toBeLessThan(40);
    expect(codes.filter((c) => c === "RATE_LIMITED").length).toBe(200 - forbidden);
    expect(editor.socket.connected).toBe(true);
    expect(await server().store.load("board")).toEqual(stored);
    expect(await manage(owner, { type: "settings", settings: { locked: true } })).toEqual({ ok: true });
  });
});

describe.each([
  ["coalesced", { cursorTickMs: 1_000 }],
  ["relayed", { cursorMode: "relay" }],
] as const)("cursors, %s", (_, config) => {
  const srv = useServer(config);

  /** Records the ids in the cursor updates a tab gets from now on. */
  function cursorsSeenBy(tab: Tab): Set<string> {
    const ids = new Set<string>();
    tab.socket.on("cursors", (updates: CursorUpdate[]) => updates.forEach((u) => ids.add(u.id)));
    return ids;
  }


  it("with the owners' cursors only, non-owners get the owners' alone and owners get everyone's; a viewer's reaches nobody", async () => {
    const { owner, viewKey } = await ownedBoard(srv());
    const ed = await openTab(srv(), "board", "Ed");
    const bo = await openTab(srv(), "board", "Bo");
    const vic = await openTab(srv(), { view: viewKey }, "Vic");
    const tabs = [owner, ed, bo, vic];
    expect(await manage(owner, { type: "settings", settings: { cursors: "owners" } })).toEqual({ ok: true });

    let seen = tabs.map(cursorsSeenBy);
    const refusals = record(vic.socket, "error");
    for (const [i, tab] of tabs.entries()) await moved(tab.socket, 10 + i, 10);
    expect(refusals).toEqual([{ code: "FORBIDDEN", message: "Viewers have no cursor on the board." }]);
    await deliverCursors(srv(), tabs.map((t) => t.socket));
    expect(seen).toEqual([new Set([ed.id, bo.id]), new Set([owner.id]), new Set([owner.id]), new Set([owner.id])]);

    expect(await manage(owner, { type: "settings", settings: { cursors: "everyone" } })).toEqual({ ok: true });
    seen = tabs.map(cursorsSeenBy);
    for (const [i, tab] of tabs.entries()) await moved(tab.socket, 20 + i, 20);
    await deliverCursors(srv(), tabs.map((t) => t.socket));
    expect(seen).toEqual([new Set([ed.id, bo.id]), new Set([owner.id, bo.id]), new Set([owner.id, ed.id]), new Set([owner.id, ed.id, bo.id])]);
  });

  it("takes away the cursor of someone a lock made a viewer when they hide it: a hide is never refused", async () => {
    const { owner } = await ownedBoard(srv());
    const ed = await openTab(srv(), "board", "Ed");
    await moved(ed.socket, 30, 30);
    await deliverCursors(srv(), [owner.socket, ed.socket]);
    expect(await manage(owner, { type: "settings", settings: { locked: true } })).toEqual({ ok: true });

    const updates: CursorUpdate[] = [];
    owner.socket.on("cursors", (batch: CursorUpdate[]) => updates.push(...batch));
    const refusals = record(ed.socket, "error");
    ed.socket.emit("cursor:hide");
    await barrier(ed.socket);
    await deliverCursors(srv(), [owner.socket, ed.socket]);
    expect(refusals).toEqual([]);
    expect(updates).toEqual([{ id: ed.id, hidden: true }]);
  });
});
