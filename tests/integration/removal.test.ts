import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { effectiveRole, OWNED_BOARD_DEFAULTS } from "@/lib/protocol";
import { newKey } from "@/lib/server/keys";
import { databaseFile, SqliteStore } from "@/lib/server/storage";
import {
  addOp,
  askToJoin,
  barrier,
  commit,
  idsOf,
  join,
  joinLoaded,
  lateJoiner,
  manage,
  newClientId,
  openTab,
  record,
  refused,
  sendOp,
  startServer,
  strokeInput,
  useServer,
  type TestServer,
} from "./harness";

const server = useServer();

const FORBIDDEN = refused("FORBIDDEN");
const REMOVED = { ok: false, error: { code: "REMOVED", message: "You were removed from this board. Its owners can let you back in." } };

/** A new board claimed by Olga, with a second owner (Otto, another browser with the key) and an editor (Bea). */
async function boardWithPeople(srv: TestServer = server()) {
  const ownerKey = newKey();
  const clients = { olga: newClientId(), bea: newClientId() };
  const olga = await openTab(srv, "board", "Olga", clients.olga, ownerKey);
  const otto = await openTab(srv, "board", "Otto", newClientId(), ownerKey);
  const bea = await openTab(srv, "board", "Bea", clients.bea);
  return { ownerKey, clients, olga, otto, bea, viewKey: olga.snapshot.owner!.viewKey };
}

describe("removing a person", () => {
  it("dismisses every tab of their browser, under any name; the others hear them leave; only owners get the list", async () => {
    const { ownerKey, olga, otto, bea, viewKey } = await boardWithPeople();
    const vic = await openTab(server(), { view: viewKey }, "Vic");
    const timClient = newClientId();
    const tim = [await openTab(server(), "board", "Tim", timClient), await openTab(server(), "board", "Tim", timClient)];
    const tam = await openTab(server(), "board", "Tam", timClient);
    const removedTabs = [...tim, tam];
    const dismissals = removedTabs.map((t) => record(t.socket, "board:dismissed"));
    const left = record(bea.socket, "presence:left");
    const heard = [olga, otto, bea, vic].map((t) => record(t.socket, "board:access"));
    const lists = [olga, otto, bea, vic].map((t) => record(t.socket, "owner:removed"));

    const before = Date.now();
    expect(await manage(olga, { type: "remove", userId: tim[0]!.id })).toEqual({ ok: true });
    await Promise.all([olga, otto, bea, vic, ...removedTabs].map((t) => barrier(t.socket)));

    expect(dismissals).toEqual(removedTabs.map(() => [{ reason: "removed", by: olga.id }]));
    expect(new Set(left)).toEqual(new Set([tim[0]!.id, tam.id]));
    expect(left).toHaveLength(2);
    for (const changes of heard) expect(changes).toEqual([{ type: "removed", by: olga.id, userId: tim[0]!.id, name: "Tim" }]);
    const [toOlga, toOtto, toBea, toVic] = lists;
    expect(toOlga).toEqual([[{ userId: tim[0]!.id, name: "Tim", at: expect.any(Number) }]]);
    expect((toOlga![0] as { at: number }[])[0]!.at).toBeGreaterThanOrEqual(before);
    expect(toOtto).toEqual(toOlga);
    expect([toBea, toVic]).toEqual([[], []]);

    // Off the board: nothing of it reaches their tabs any more, and nobody sees them on it.
    const ops = removedTabs.map((t) => record(t.socket, "op"));
    await commit(olga.socket, addOp("o-1", strokeInput("o")));
    await Promise.all(removedTabs.map((t) => barrier(t.socket)));
    expect(ops).toEqual([[], [], []]);
    const late = await lateJoiner(server(), "board");
    expect(late.users.map((u) => u.name)).toEqual(["Olga", "Otto", "Bea", "Vic", late.self.name]);
    // An owner who comes later finds who was removed.
    const owner = await join(await server().connect(), "board", "Oona", newClientId(), ownerKey);
    expect(owner.owner?.removed).toEqual(toOlga![0]);
  });

  it("keeps their browser out, under any name, by either link, from any tab; a resend from a dismissed tab is NOT_JOINED", async () => {
    const { olga, viewKey } = await boardWithPeople();
    const timClient = newClientId();
    const tim = await openTab(server(), "board", "Tim", timClient);
    const req = addOp("t-1", strokeInput("t"));
    await commit(tim.socket, req);
    expect(await manage(olga, { type: "remove", userId: tim.id })).toEqual({ ok: true });

    expect(await sendOp(tim.socket, req)).toMatchObject(refused("NOT_JOINED"));
    expect(await askToJoin(tim.socket, "board", "Tim", timClient)).toEqual(REMOVED);
    const fresh = await server().connect();
    for (const [board, name] of [["board", "Tim"], ["board", "Someone Else"], [{ view: viewKey }, "Tim"]] as const) {
      expect(await askToJoin(fresh, board, name, timClient)).toEqual(REMOVED);
    }
    // By browser, not by name: another browser may be called Tim.
    expect((await join(fresh, "board", "Tim")).self.role).toBe("editor");
    // What they drew stays.
    expect(idsOf((await lateJoiner(server(), "board")).strokes)).toEqual(["t"]);
  });

  it("readmitting lets the browser back in, and only owners hear of it", async () => {
    const { olga, otto, bea } = await boardWithPeople();
    const timClient = newClientId();
    const tim = await openTab(server(), "board", "Tim", timClient);
    expect(await manage(olga, { type: "remove", userId: tim.id })).toEqual({ ok: true });
    await Promise.all([barrier(otto.socket), barrier(bea.socket)]);
    const toOtto = { access: record(otto.socket, "board:access"), lists: record(otto.socket, "owner:removed") };
    const toBea = { access: record(bea.socket, "board:access"), lists: record(bea.socket, "owner:removed") };

    expect(await manage(bea, { type: "readmit", userId: tim.id })).toMatchObject(FORBIDDEN);
    expect(await manage(olga, { type: "readmit", userId: tim.id })).toEqual({ ok: true });
    await Promise.all([barrier(otto.socket), barrier(bea.socket)]);
    expect(toOtto).toEqual({ access: [{ type: "readmitted", by: olga.id, name: "Tim" }], lists: [[]] });
    expect(toBea).toEqual({ access: [], lists: [] });

    const back = await join(tim.socket, "board", "Tim", timClient);
    expect(back.self).toMatchObject({ id: tim.id, role: "editor" });
    expect(await manage(olga, { type: "readmit", userId: tim.id })).toMatchObject(refused("UNKNOWN_RECIPIENT"));
  });
});

describe("ending the session", () => {
  it("dismisses every tab but the owners', locks the board, and keeps the owners on it", async () => {
    const { clients, olga, otto, bea, viewKey } = await boardWithPeople();
    const bea2 = await openTab(server(), "board", "Bea", clients.bea);
    const vic = await openTab(server(), { view: viewKey }, "Vic");
    const others = [bea, bea2, vic];
    const told = others.map((t) => ({ access: record(t.socket, "board:access"), dismissed: record(t.socket, "board:dismissed") }));
    const toOtto = { access: record(otto.socket, "board:access"), dismissed: record(otto.socket, "board:dismissed"), left: record(otto.socket, "presence:left") };

    expect(await manage(olga, { type: "end" })).toEqual({ ok: true });
    await Promise.all([olga, otto, ...others].map((t) => barrier(t.socket)));

    const locked = { ...OWNED_BOARD_DEFAULTS, locked: true };
    const changes = [
      { type: "settings", by: olga.id, settings: locked },
      { type: "ended", by: olga.id },
    ];
    for (const t of told) expect(t).toEqual({ access: changes, dismissed: [{ reason: "ended", by: olga.id }] });
    expect(toOtto.access).toEqual(changes);
    expect(toOtto.dismissed).toEqual([]);
    expect(new Set(toOtto.left)).toEqual(new Set(others.map((t) => t.id)));

    await commit(otto.socket, addOp("o-1", strokeInput("o")));
    const late = await lateJoiner(server(), "board");
    expect(late.settings).toEqual(locked);
    expect(late.users.map((u) => u.name)).toEqual(["Olga", "Otto", late.self.name]);
  });

  it("lets a non-owner come back only to look", async () => {
    const { olga, bea } = await boardWithPeople();
    expect(await manage(olga, { type: "end" })).toEqual({ ok: true });
    const back = await join(bea.socket, "board", "Bea");
    expect(effectiveRole(back.self.role, back.settings)).toBe("viewer");
    expect(await sendOp(bea.socket, addOp("b-1", strokeInput("b")))).toMatchObject(FORBIDDEN);
    expect(await bea.socket.emitWithAck("chat:send", { opId: "m-1", text: "hello?" })).toMatchObject(FORBIDDEN);
  });
});

describe("access across a restart", () => {
  it("keeps the lock, a role given and a removal on the same SQLite file, and the view link still works", async () => {
    const file = databaseFile(mkdtempSync(joinPath(tmpdir(), "scribble-access-")));
    /** A server on its own store of the file, both closed when the test ends (the server first). */
    const serverOn = async () => {
      const store = new SqliteStore(file);
      const srv = await startServer({}, store);
      onTestFinished(() => store.close());
      onTestFinished(() => srv.close());
      return srv;
    };

    const first = await serverOn();
    const { ownerKey, clients, olga, viewKey } = await boardWithPeople(first);
    await commit(olga.socket, addOp("o-1", strokeInput("o")));
    const gusClient = newClientId();
    const timClient = newClientId();
    const gus = await openTab(first, "board", "Gus", gusClient);
    const tim = await openTab(first, "board", "Tim", timClient);
    for (const req of [
      { type: "role", userId: gus.id, role: "viewer" },
      { type: "remove", userId: tim.id },
      { type: "settings", settings: { locked: true, chat: false } },
    ] as const) {
      expect(await manage(olga, req)).toEqual({ ok: true });
    }
    await first.close();

    const second = await serverOn();
    const settings = { ...OWNED_BOARD_DEFAULTS, locked: true, chat: false };
    expect(await askToJoin(await second.connect(), "board", "Tim", timClient)).toEqual(REMOVED);
    const owner = await openTab(second, "board", "Olga", clients.olga, ownerKey);
    expect(owner.snapshot).toMatchObject({ self: { id: olga.id, role: "owner" }, owned: true, settings, owner: { viewKey, removed: [{ userId: tim.id, name: "Tim" }] } });
    const viewer = await joinLoaded(await second.connect(), { view: viewKey }, "Vic");
    expect(viewer.snapshot).toMatchObject({ self: { role: "viewer" }, owned: true, settings });
    expect(idsOf(viewer.strokes)).toEqual(["o"]);
    const ed = await openTab(second, "board", "Ed");
    expect(ed.snapshot).toMatchObject({ self: { role: "editor" }, owned: true, settings });
    expect(await sendOp(ed.socket, addOp("e-1", strokeInput("e")))).toMatchObject(FORBIDDEN);

    // Unlocked, editors draw again, and Gus is still the viewer he was made.
    expect(await manage(owner, { type: "settings", settings: { locked: false } })).toEqual({ ok: true });
    await commit(ed.socket, addOp("e-1", strokeInput("e")));
    const gusBack = await openTab(second, "board", "Gus", gusClient);
    expect(gusBack.snapshot.self).toMatchObject({ id: gus.id, role: "viewer" });
    expect(await sendOp(gusBack.socket, addOp("g-1", strokeInput("g")))).toMatchObject(FORBIDDEN);
  });
});
