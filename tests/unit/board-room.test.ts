import { describe, expect, it } from "vitest";
import type { PersistedAccess, StoredChat } from "@/lib/board";
import { OPEN_BOARD, OWNED_BOARD_DEFAULTS, type AppliedOp } from "@/lib/protocol";
import { BoardRoom, type JoinInput } from "@/lib/server/board-room";
import { createLogger } from "@/lib/server/log";
import { MemoryStore } from "@/lib/server/storage";
import { addOp, circleOp, strokeInput } from "./fixtures";

const OPTIONS = { snapshotEvery: 500, maxPeople: 10, maxTabs: 10 };
const log = createLogger("silent");

/** A memory store whose op and chat writes can be held (as on a busy disk) or made to fail. */
class GatedStore extends MemoryStore {
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => {};
  failing = false;

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open();
  }

  override async append(boardId: string, op: AppliedOp): Promise<void> {
    await this.gate;
    if (this.failing) throw new Error("disk full");
    return super.append(boardId, op);
  }

  override async appendChat(boardId: string, chat: StoredChat): Promise<void> {
    if (this.failing) throw new Error("disk full");
    return super.appendChat(boardId, chat);
  }

  override async create(boardId: string, epoch: string): Promise<void> {
    if (this.failing) throw new Error("disk full");
    return super.create(boardId, epoch);
  }

  override async saveAccess(boardId: string, access: PersistedAccess): Promise<void> {
    if (this.failing) throw new Error("disk full");
    return super.saveAccess(boardId, access);
  }
}

const joinInput = (name: string, resume?: JoinInput["resume"]): JoinInput => ({ boardId: "b", name, clientId: `client-${name}`, resume, protocol: 1 });
const credentials = (name: string) => ({ clientId: `client-${name}`, viaView: false });

/** A room on a fresh board with Ada on it (tab "s-ada"). */
function roomWithAda(store = new GatedStore()) {
  const room = new BoardRoom("b", store, log, OPTIONS);
  void room.join("s-ada", joinInput("Ada"), credentials("Ada"));
  return { room, store, ada: room.memberOf("s-ada")! };
}

/** Joins a tab that must be let in, and hands back what its join answered. */
async function joinOk(room: BoardRoom, ...args: Parameters<BoardRoom["join"]>) {
  const res = await room.join(...args);
  if (!res.ok) throw new Error(`join refused: ${res.error.message}`);
  return res;
}

/** The room as a service would load it from the store now. */
async function reloaded(store: MemoryStore): Promise<BoardRoom> {
  const stored = await store.load("b");
  if (!stored) throw new Error("board b is not stored");
  return BoardRoom.fromStored("b", stored, store, log, OPTIONS);
}

describe("BoardRoom", () => {
  it("sends a new tab every stroke, and a tab that resumes only the ops it missed", async () => {
    const { room, ada } = roomWithAda();
    const first = await room.commit(ada, addOp("op-1", strokeInput("s1")));
    const { snapshot } = await joinOk(room, "s-bob", joinInput("Bob"), credentials("Bob"));
    const second = await room.commit(ada, addOp("op-2", strokeInput("s2")));
    if (!first.ok || !second.ok) throw new Error("commit refused");

    const full = await joinOk(room, "s-cy", joinInput("Cy"), credentials("Cy"));
    expect(full.snapshot).toMatchObject({ sync: "full", strokeCount: 2, seq: 2 });
    expect(full.follow).toMatchObject({ kind: "strokes", strokes: [{ id: "s1" }, { id: "s2" }] });

    const resumed = await joinOk(room, "s-bob-2", joinInput("Bob", { epoch: snapshot.epoch, seq: snapshot.seq }), credentials("Bob"));
    expect(resumed.snapshot).toMatchObject({ sync: "delta", strokeCount: 0, seq: 2 });
    expect(resumed.follow).toEqual({ kind: "ops", ops: [second.applied] });
  });

  it("starts a resuming tab over when it knew another board, or a seq this one never reached", async () => {
    const { room, ada } = roomWithAda();
    await room.commit(ada, circleOp("op-1", "#ff0000"));
    const { epoch } = (await joinOk(room, "s-bob", joinInput("Bob"), credentials("Bob"))).snapshot;

    expect((await joinOk(room, "s-cy", joinInput("Cy", { epoch: "another-board", seq: 1 }), credentials("Cy"))).snapshot.sync).toBe("full");
    expect((await joinOk(room, "s-dee", joinInput("Dee", { epoch, seq: 5 }), credentials("Dee"))).snapshot.sync).toBe("full");
    expect((await joinOk(room, "s-eve", joinInput("Eve", { epoch, seq: 1 }), credentials("Eve"))).snapshot.sync).toBe("delta");
  });

  it("starts a resuming tab over when the op it has at its seq is not the board's (a store that went back gave the seq to another op)", async () => {
    const { room, ada } = roomWithAda();
    await room.commit(ada, circleOp("op-1", "#ff0000"));
    await room.commit(ada, circleOp("op-2", "#00ff00"));
    const { epoch, last } = (await joinOk(room, "s-bob", joinInput("Bob"), credentials("Bob"))).snapshot;
    expect(last).toBe("op-2");

    const resume = (name: string, seq: number, opId: string) => joinOk(room, `s-${name}`, joinInput(name, { epoch, seq, last: opId }), credentials(name));
    expect((await resume("Cy", 2, "op-2")).snapshot.sync).toBe("delta");
    expect((await resume("Dee", 1, "op-1")).snapshot.sync).toBe("delta");
    expect((await resume("Eve", 2, "lost-op")).snapshot.sync).toBe("full");
    expect((await resume("Fay", 1, "lost-op")).snapshot.sync).toBe("full");
  });

  it("keeps the missed-op window across a reload from the store", async () => {
    const { room, store, ada } = roomWithAda();
    const { epoch } = (await joinOk(room, "s-bob", joinInput("Bob"), credentials("Bob"))).snapshot;
    for (let i = 1; i <= 3; i++) await room.commit(ada, circleOp(`op-${i}`, "#00ff00"));

    const again = await joinOk(await reloaded(store), "s-bob", joinInput("Bob", { epoch, seq: 1 }), credentials("Bob"));
    expect(again.follow).toMatchObject({ kind: "ops", ops: [{ seq: 2 }, { seq: 3 }] });
  });

  it("holds `settled` and a resend's ack until the write in flight is stored", async () => {
    const { room, store, ada } = roomWithAda();
    store.hold();
    const commit = room.commit(ada, circleOp("op-1", "#ff0000"));
    const resend = room.commit(ada, circleOp("op-1", "#ff0000"));
    let settled = false;
    const waiting = room.settled().then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(settled).toBe(false);
    expect(room.isWriting).toBe(true);

    store.release();
    await waiting;
    expect(await commit).toMatchObject({ ok: true, seq: 1 });
    expect(await resend).toEqual({ ok: true, seq: 1 });
    expect((await store.load("b"))?.ops.map((op) => op.seq)).toEqual([1]);
  });

  it("after a failed op write, says reload and keeps nothing in flight", async () => {
    const { room, store, ada } = roomWithAda();
    await room.commit(ada, circleOp("op-1", "#ff0000"));
    store.failing = true;

    expect(await room.commit(ada, circleOp("op-2", "#00ff00"))).toMatchObject({ ok: false, error: { code: "INTERNAL" }, reload: true });
    await room.settled();
    expect(room.isWriting).toBe(false);
    expect((await joinOk(await reloaded(store), "s-bob", joinInput("Bob"), credentials("Bob"))).snapshot).toMatchObject({ seq: 1, circle: { color: "#ff0000" } });
  });

  it("after a failed chat write, posts the retry anew rather than acking it as a resend", async () => {
    const { room, store, ada } = roomWithAda();
    const from = ada;
    store.failing = true;
    expect(await room.postChat(from, { opId: "m1", text: "hi" }, 1)).toMatchObject({ ok: false, error: { code: "INTERNAL" } });

    store.failing = false;
    expect(await room.postChat(from, { opId: "m1", text: "hi" }, 2)).toMatchObject({ ok: true, duplicate: false });
    expect((await store.load("b"))?.chat.map((c) => c.message.text)).toEqual(["hi"]);
  });

  it("creates the board in the store again after its first write failed to create it", async () => {
    const { room, store, ada } = roomWithAda();
    const member = ada;
    store.failing = true;
    expect(await room.postChat(member, { opId: "c-1", text: "hello" }, 1)).toMatchObject({ ok: false });
    expect(room.isStored).toBe(false);

    store.failing = false;
    expect(await room.postChat(member, { opId: "c-2", text: "hello again" }, 2)).toMatchObject({ ok: true });
    expect((await store.load("b"))?.chat).toHaveLength(1);
  });

  it("leaves a board whose claim could not be stored open and new: the next claim takes it", async () => {
    const { room, store } = roomWithAda();
    store.failing = true;
    await expect(room.claim("owner-hash", "view-key-1")).rejects.toThrow("disk full");
    expect(room.isStored).toBe(false);
    expect((await joinOk(room, "s-olga", joinInput("Olga"), { ...credentials("Olga"), ownerKeyHash: "owner-hash" })).snapshot).toMatchObject({
      owned: false,
      settings: OPEN_BOARD,
      self: { role: "editor" },
    });

    store.failing = false;
    expect(await room.claim("owner-hash", "view-key-2")).toBe(true);
    expect((await store.load("b"))?.access).toMatchObject({ ownerKeyHash: "owner-hash", viewKey: "view-key-2" });
    expect(await room.claim("another-hash", "view-key-3")).toBe(false);
  });

  it("changes nothing, and dismisses nobody, when an owner's change could not be stored", async () => {
    const { room, store, ada } = roomWithAda();
    await room.claim("owner-hash", "view-key");
    await joinOk(room, "s-olga", joinInput("Olga"), { ...credentials("Olga"), ownerKeyHash: "owner-hash" });
    const olga = room.memberOf("s-olga")!;
    store.failing = true;

    for (const req of [
      { type: "settings", settings: { locked: true } },
      { type: "role", userId: ada.user.id, role: "viewer" },
      { type: "remove", userId: ada.user.id },
      { type: "end" },
    ] as const) {
      expect(await room.manage(olga, req, 1)).toEqual({ ok: false, error: { code: "INTERNAL", message: "The change could not be stored; nothing was changed." } });
    }
    expect(room.memberOf("s-ada")).toMatchObject({ role: "editor", user: { role: "editor" } });
    expect((await joinOk(room, "s-bob", joinInput("Bob"), credentials("Bob"))).snapshot.settings).toEqual(OWNED_BOARD_DEFAULTS);
    expect((await store.load("b"))?.access).toMatchObject({ settings: OWNED_BOARD_DEFAULTS, grants: [], removed: [] });

    // The next change is decided on what is stored, not on what failed.
    store.failing = false;
    expect(await room.manage(olga, { type: "settings", settings: { chat: false } }, 2)).toMatchObject({
      ok: true,
      changes: [{ type: "settings", settings: { ...OWNED_BOARD_DEFAULTS, chat: false } }],
    });
  });

  it("stores a board with its first change only, and snapshots only what changed", async () => {
    const { room, store, ada } = roomWithAda();
    room.snapshot();
    expect(room.isStored).toBe(false);
    expect(await store.load("b")).toBeNull();

    await room.commit(ada, circleOp("op-1", "#ff0000"));
    room.snapshot();
    await room.settled();
    await expect.poll(async () => (await store.load("b"))?.snapshot?.seq).toBe(1);
    expect((await store.load("b"))?.ops).toEqual([]);
  });
});
