import { describe, expect, it } from "vitest";
import { barrier, circleOp, commit, join, newClientId, next, record, useServer } from "./harness";

const server = useServer();

describe("presence", () => {
  it("tells the others on the board of a joiner, not the joiner itself nor another board", async () => {
    const [a, b, c] = await Promise.all([server().connect(), server().connect(), server().connect()]);
    await join(a, "room-1", "Ada");
    await join(c, "room-2", "Cy");
    const toA = next(a, "presence:joined");
    const toB = record(b, "presence:joined");
    const toC = record(c, "presence:joined");

    const bob = await join(b, "room-1", "Bob");

    expect(await toA).toEqual(bob.self);
    await Promise.all([barrier(b), barrier(c)]);
    expect(toB).toEqual([]);
    expect(toC).toEqual([]);
  });

  it("tells the others when a client disconnects", async () => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    await join(a, "room-1", "Ada");
    const bob = await join(b, "room-1", "Bob");
    const left = next(a, "presence:left");

    b.disconnect();

    expect(await left).toBe(bob.self.id);
    expect(server().sockets.boards.activeBoards()).toEqual([{ boardId: "room-1", count: 1 }]);
  });

  it("tells the others, not the leaver, when a client sends board:leave", async () => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    await join(a, "room-1", "Ada");
    const bob = await join(b, "room-1", "Bob");
    const left = next(a, "presence:left");
    const toB = record(b, "presence:left");

    b.emit("board:leave");

    expect(await left).toBe(bob.self.id);
    await barrier(b);
    expect(toB).toEqual([]);
    expect(server().sockets.boards.memberOf(b.id!)).toBeUndefined();
    // Off the board, the socket hears nothing more of it.
    const ops = record(b, "op");
    await commit(a, circleOp("op-1", "#ff0000"));
    await barrier(b);
    expect(ops).toEqual([]);
  });

  it("announces a person with two tabs as gone only when the last tab leaves", async () => {
    const [observer, tab1, tab2] = await Promise.all([server().connect(), server().connect(), server().connect()]);
    await join(observer, "room-1", "Bob");
    const clientId = newClientId();
    const ada = await join(tab1, "room-1", "Ada", clientId);
    await join(tab2, "room-1", "Ada", clientId);
    const leaves = record(observer, "presence:left");

    tab1.emit("board:leave");
    // The ping after board:leave on the same connection proves the server has handled the leave.
    await barrier(tab1);
    await barrier(observer);
    expect(leaves).toEqual([]);
    expect(server().sockets.boards.activeBoards()).toEqual([{ boardId: "room-1", count: 2 }]);

    const left = next(observer, "presence:left");
    tab2.disconnect();
    expect(await left).toBe(ada.self.id);
    expect(leaves).toEqual([ada.self.id]);
    expect(server().sockets.boards.activeBoards()).toEqual([{ boardId: "room-1", count: 1 }]);
  });
});
