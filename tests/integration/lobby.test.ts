import { describe, expect, it } from "vitest";
import { PROTOCOL_VERSION } from "@/lib/protocol";
import { barrier, circleOp, commit, join, newClientId, next, record, useServer } from "./harness";

const server = useServer();

describe("lobby", () => {
  it("lists the active boards with their head counts, busiest first, and no board nobody is on", async () => {
    const [a, b, c, d, watcher] = await Promise.all([
      server().connect(),
      server().connect(),
      server().connect(),
      server().connect(),
      server().connect(),
    ]);
    await join(a, "quiet", "Ada");
    await join(b, "busy", "Bob");
    await join(c, "busy", "Cy");
    await join(d, "emptied", "Dee");
    await commit(d, circleOp("mark", "#22c55e"));
    await join(a, "only-looked-at", "Ada");
    await join(a, "quiet", "Ada");
    d.emit("board:leave");
    await barrier(d);

    const res = await watcher.emitWithAck("lobby:watch");

    expect(res).toEqual({
      ok: true,
      boards: [
        { boardId: "busy", count: 2 },
        { boardId: "quiet", count: 1 },
        // A board nobody is on is not listed, stored or not: its id is its only lock.
      ],
    });
  });

  it("sends the new list as people join and leave, and drops a board when the last person leaves", async () => {
    const watcher = await server().connect();
    expect(await watcher.emitWithAck("lobby:watch")).toEqual({ ok: true, boards: [] });
    const [a, b, bTab2] = await Promise.all([server().connect(), server().connect(), server().connect()]);
    const bob = newClientId();

    // Each step waits for its update, so the throttle never folds two steps into one message.
    let update = next(watcher, "lobby:boards");
    await join(a, "room-1", "Ada");
    expect(await update).toEqual([{ boardId: "room-1", count: 1 }]);

    update = next(watcher, "lobby:boards");
    await join(b, "room-1", "Bob", bob);
    expect(await update).toEqual([{ boardId: "room-1", count: 2 }]);

    update = next(watcher, "lobby:boards");
    await join(bTab2, "room-1", "Bob", bob);
    expect(await update).toEqual([{ boardId: "room-1", count: 2 }]);

    update = next(watcher, "lobby:boards");
    a.disconnect();
    expect(await update).toEqual([{ boardId: "room-1", count: 1 }]);

    // Bob is still there through his other tab.
    update = next(watcher, "lobby:boards");
    b.emit("board:leave");
    expect(await update).toEqual([{ boardId: "room-1", count: 1 }]);

    await commit(bTab2, circleOp("drawn-on", "#22c55e"));
    update = next(watcher, "lobby:boards");
    bTab2.emit("board:leave");
    expect(await update).toEqual([]);
  });

  it("sends nothing to a socket that stopped watching, nor to one that never watched", async () => {
    const [watcher, quitter, bystander, a] = await Promise.all([
      server().connect(),
      server().connect(),
      server().connect(),
      server().connect(),
    ]);
    await watcher.emitWithAck("lobby:watch");
    await quitter.emitWithAck("lobby:watch");
    quitter.emit("lobby:unwatch");
    await barrier(quitter);
    const toQuitter = record(quitter, "lobby:boards");
    const toBystander = record(bystander, "lobby:boards");
    const update = next(watcher, "lobby:boards");

    await join(a, "room-1", "Ada");

    expect(await update).toEqual([{ boardId: "room-1", count: 1 }]);
    // The list went to the whole lobby room at once: the others would have it by now.
    await Promise.all([barrier(quitter), barrier(bystander)]);
    expect(toQuitter).toEqual([]);
    expect(toBystander).toEqual([]);
  });

  it("does not list a board whose only join was refused", async () => {
    const [a, b, watcher] = await Promise.all([server().connect(), server().connect(), server().connect()]);
    await join(a, "room-1", "Ada");
    const refused = await b.emitWithAck("board:join", { protocol: PROTOCOL_VERSION, boardId: "room-2", name: "", clientId: newClientId() });
    expect(refused.ok).toBe(false);

    expect(await watcher.emitWithAck("lobby:watch")).toEqual({ ok: true, boards: [{ boardId: "room-1", count: 1 }] });
  });
});
