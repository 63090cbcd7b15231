import { describe, expect, it } from "vitest";
import { PROTOCOL_VERSION } from "@/lib/protocol";
import { PERSON_COLORS } from "@/lib/board";
import { barrier, circleOp, commit, join, joinLoaded, newClientId, next, record, sendOp, useServer } from "./harness";

const server = useServer();

describe("joining a board", () => {
  it("answers with the joiner, everyone on the board, the circle, the seq and the stroke count", async () => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    const ada = await join(a, "room-1", "Ada");

    const bob = await join(b, "room-1", "  Bob  ");

    expect(ada.self).toEqual({ id: expect.any(String), name: "Ada", color: PERSON_COLORS[0], state: "active", role: "editor" });
    expect(bob.self).toEqual({ id: expect.any(String), name: "Bob", color: PERSON_COLORS[1], state: "active", role: "editor" });
    expect(bob.self.id).not.toBe(ada.self.id);
    expect(bob.users).toEqual(expect.arrayContaining([ada.self, bob.self]));
    expect(bob.users).toHaveLength(2);
    expect(bob).toMatchObject({ seq: 0, strokeCount: 0 });
    expect(server().sockets.boards.memberOf(b.id!)?.boardId).toBe("room-1");
  });

  it("follows the ack of an empty board with exactly one empty chunk marked done", async () => {
    const a = await server().connect();
    const chunks = record(a, "board:strokes");

    const { chunks: loaded } = await joinLoaded(a, "room-1", "Ada");

    expect(loaded).toEqual([{ strokes: [], done: true }]);
    await barrier(a);
    expect(chunks).toEqual([{ strokes: [], done: true }]);
  });

  it("refuses a name another browser holds on the board, in any case, and changes nothing", async () => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    const ada = await join(a, "room-1", "Ada");
    const toA = record(a, "presence:joined");

    const res = await b.emitWithAck("board:join", { protocol: PROTOCOL_VERSION, boardId: "room-1", name: "ada", clientId: newClientId() });

    expect(res).toEqual({ ok: false, error: { code: "NAME_TAKEN", message: expect.not.stringContaining("ada") } });
    await barrier(a);
    expect(toA).toEqual([]);
    expect(server().sockets.boards.activeBoards()).toEqual([{ boardId: "room-1", count: 1 }]);
    expect(server().sockets.boards.memberOf(b.id!)).toBeUndefined();
    // The refused socket is not on the board: it may not change anything there.
    expect(await sendOp(b, circleOp("op-1", "#ff0000"))).toMatchObject({
      ok: false,
      error: { code: "NOT_JOINED" },
    });
    const late = await join(await server().connect(), "room-1", "Cy");
    expect(late.users.map((u) => u.name).sort()).toEqual(["Ada", "Cy"]);
    expect(late.users).toContainEqual(ada.self);
  });

  it.each([
    ["an older build, which sends no version", {}],
    ["an older version", { protocol: PROTOCOL_VERSION - 1 }],
    ["a newer version", { protocol: PROTOCOL_VERSION + 1 }],
  ])("refuses a tab of %s with VERSION_MISMATCH, and changes nothing", async (_label, version) => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    await join(a, "room-1", "Ada");
    const toA = record(a, "presence:joined");

    const res = await b.emitWithAck("board:join", { boardId: "room-1", name: "Bob", clientId: newClientId(), ...version } as never);

    expect(res).toEqual({ ok: false, error: { code: "VERSION_MISMATCH", message: expect.stringMatching(/reload the page/) } });
    await barrier(a);
    expect(toA).toEqual([]);
    expect(server().sockets.boards.activeBoards()).toEqual([{ boardId: "room-1", count: 1 }]);
    expect(server().sockets.boards.memberOf(b.id!)).toBeUndefined();
    expect(server().logs).toContainEqual(expect.objectContaining({ msg: "refused", fields: expect.objectContaining({ event: "board:join" }) }));
  });

  it("lets the same name on another board", async () => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    await join(a, "room-1", "Ada");
    const other = await join(b, "room-2", "Ada");
    expect(other.self.name).toBe("Ada");
  });

  it("lets a second tab of the same browser take the same name, as the same person counted once", async () => {
    const [tab1, tab2, observer] = await Promise.all([server().connect(), server().connect(), server().connect()]);
    const clientId = newClientId();
    await join(observer, "room-1", "Bob");
    const first = await join(tab1, "room-1", "Ada", clientId);
    const joined = record(observer, "presence:joined");

    const second = await join(tab2, "room-1", "ada", clientId);

    expect(second.self).toEqual(first.self);
    expect(second.users.filter((u) => u.id === first.self.id)).toHaveLength(1);
    expect(second.users).toHaveLength(2);
    await barrier(observer);
    expect(joined).toEqual([]);
    expect(server().sockets.boards.activeBoards()).toEqual([{ boardId: "room-1", count: 2 }]);
    const lobby = await observer.emitWithAck("lobby:watch", { boards: ["room-1"] });
    expect(lobby).toEqual({ ok: true, boards: [{ boardId: "room-1", count: 2 }], listed: [] });
  });

  it("treats joining the same board again under the same name as a no-op", async () => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    const clientId = newClientId();
    const first = await join(a, "room-1", "Ada", clientId);
    await join(b, "room-1", "Bob");
    const joined = record(b, "presence:joined");
    const left = record(b, "presence:left");

    const again = await join(a, "room-1", "Ada", clientId);

    expect(again.self).toEqual(first.self);
    await barrier(b);
    expect(joined).toEqual([]);
    expect(left).toEqual([]);
    expect(server().sockets.boards.activeBoards()).toEqual([{ boardId: "room-1", count: 2 }]);
  });

  it("keeps a socket that joins its own board under another name on it, though it was the only one there", async () => {
    // Nothing stored yet: a board left empty leaves memory at once, and once did so between the
    // tab leaving its old name and taking the new one, leaving it on a board nobody could reach.
    const a = await server().connect();
    await join(a, "room-1", "Ada");

    const renamed = await join(a, "room-1", "Ann");

    expect(renamed.users).toEqual([renamed.self]);
    expect(server().sockets.boards.memberOf(a.id!)?.user).toEqual(renamed.self);
    expect(server().sockets.boards.activeBoards()).toEqual([{ boardId: "room-1", count: 1 }]);
    await commit(a, circleOp("op-1", "#ff0000"));
  });

  it("moves a socket that joins another board: the old board hears it leave and sends it nothing more", async () => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    const ada = await join(a, "room-1", "Ada");
    await join(b, "room-1", "Bob");
    const left = next(b, "presence:left");

    await join(a, "room-2", "Ada");

    expect(await left).toBe(ada.self.id);
    expect(server().sockets.boards.activeBoards()).toEqual([
      { boardId: "room-1", count: 1 },
      { boardId: "room-2", count: 1 },
    ]);
    const toA = record(a, "op");
    await commit(b, circleOp("op-1", "#ff0000"));
    await barrier(a);
    expect(toA).toEqual([]);
  });
});
