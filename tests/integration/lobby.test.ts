import { describe, expect, it } from "vitest";
import { LIMITS, PROTOCOL_VERSION } from "@/lib/protocol";
import { barrier, circleOp, commit, join, newClientId, next, record, useServer } from "./harness";

const server = useServer();

describe("lobby", () => {
  it("answers the head counts of the boards it names, and of no other board", async () => {
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
    await join(d, "another-class", "Dee");
    await commit(d, circleOp("mark", "#22c55e"));

    const res = await watcher.emitWithAck("lobby:watch", { boards: ["busy", "quiet", "never-opened", "busy"] });

    // A board in use that the lobby did not name is never mentioned: its id is its only lock.
    expect(res).toEqual({
      ok: true,
      boards: [
        { boardId: "busy", count: 2 },
        { boardId: "quiet", count: 1 },
        { boardId: "never-opened", count: 0 },
      ],
      listed: [],
    });
  });

  it("sends a watched board's new count as people join and leave (not a person's second tab), 0 once the last one has gone", async () => {
    const watcher = await server().connect();
    expect(await watcher.emitWithAck("lobby:watch", { boards: ["room-1"] })).toEqual({ ok: true, boards: [{ boardId: "room-1", count: 0 }], listed: [] });
    const [a, b, bTab2] = await Promise.all([server().connect(), server().connect(), server().connect()]);
    const bob = newClientId();

    // Each step waits for its update, so the throttle never folds two steps into one message.
    let update = next(watcher, "lobby:count");
    await join(a, "room-1", "Ada");
    expect(await update).toEqual({ boardId: "room-1", count: 1 });

    update = next(watcher, "lobby:count");
    await join(b, "room-1", "Bob", bob);
    expect(await update).toEqual({ boardId: "room-1", count: 2 });

    // Bob's second tab changes no count: the next update is Ada's leaving.
    await join(bTab2, "room-1", "Bob", bob);
    update = next(watcher, "lobby:count");
    a.disconnect();
    expect(await update).toEqual({ boardId: "room-1", count: 1 });

    // Bob is still there through his other tab: nothing is sent, and the next update is his last tab's leaving.
    b.emit("board:leave");
    await barrier(b);
    await commit(bTab2, circleOp("drawn-on", "#22c55e"));
    update = next(watcher, "lobby:count");
    bTab2.emit("board:leave");
    expect(await update).toEqual({ boardId: "room-1", count: 0 });
  });

  it("sends nothing of a board it does not watch, and nothing once it stopped watching or named other boards", async () => {
    const [watcher, quitter, renamer, bystander, a] = await Promise.all([
      server().connect(),
      server().connect(),
      server().connect(),
      server().connect(),
      server().connect(),
    ]);
    await watcher.emitWithAck("lobby:watch", { boards: ["room-1"] });
    await quitter.emitWithAck("lobby:watch", { boards: ["room-1"] });
    quitter.emit("lobby:unwatch");
    await renamer.emitWithAck("lobby:watch", { boards: ["room-1"] });
    await renamer.emitWithAck("lobby:watch", { boards: ["room-2"] });
    await bystander.emitWithAck("lobby:watch", { boards: ["room-2"] });
    await barrier(quitter);
    const toOthers = [quitter, renamer, bystander].map((s) => record(s, "lobby:count"));
    const update = next(watcher, "lobby:count");

    await join(a, "room-1", "Ada");

    expect(await update).toEqual({ boardId: "room-1", count: 1 });
    // The count went to the board's lobby room at once: the others would have it by now.
    await Promise.all([barrier(quitter), barrier(renamer), barrier(bystander)]);
    expect(toOthers).toEqual([[], [], []]);
  });

  it("a lobby socket that joins a board keeps watching", async () => {
    const [a, tab] = await Promise.all([server().connect(), server().connect()]);
    await tab.emitWithAck("lobby:watch", { boards: ["room-1"] });
    await join(tab, "room-2", "Tab");
    const update = next(tab, "lobby:count");
    await join(a, "room-1", "Ada");
    expect(await update).toEqual({ boardId: "room-1", count: 1 });
  });

  it("holds at most one list of rooms per socket, however often it names boards, and none once it is gone", async () => {
    const watcher = await server().connect();
    const lobbyRooms = () => [...server().sockets.io.sockets.adapter.rooms.keys()].filter((room) => room.startsWith("lobby:"));
    // As many lists as its rate admits at once, each naming boards never named before.
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, round) =>
        watcher.emitWithAck("lobby:watch", { boards: Array.from({ length: LIMITS.lobbyBoardsMax }, (_, i) => `round-${round}-board-${i}`) }),
      ),
    );
    expect(answers.every((res) => res.ok)).toBe(true);
    expect(lobbyRooms()).toHaveLength(LIMITS.lobbyBoardsMax);
    expect(lobbyRooms().every((room) => room.startsWith("lobby:round-9-"))).toBe(true);

    watcher.disconnect();
    await expect.poll(lobbyRooms).toEqual([]);
  });

  it("refuses a list longer than a browser keeps, or holding something that is not a board id", async () => {
    const watcher = await server().connect();
    const tooMany = Array.from({ length: LIMITS.lobbyBoardsMax + 1 }, (_, i) => `board-${i}`);
    for (const boards of [tooMany, ["not a/board"]]) {
      expect(await watcher.emitWithAck("lobby:watch", { boards })).toMatchObject({ ok: false, error: { code: "INVALID_PAYLOAD" } });
    }
  });

  it("does not count a join that was refused", async () => {
    const [a, b, watcher] = await Promise.all([server().connect(), server().connect(), server().connect()]);
    await join(a, "room-1", "Ada");
    const refused = await b.emitWithAck("board:join", { protocol: PROTOCOL_VERSION, boardId: "room-2", name: "", clientId: newClientId() });
    expect(refused.ok).toBe(false);

    expect(await watcher.emitWithAck("lobby:watch", { boards: ["room-1", "room-2"] })).toEqual({
      ok: true,
      boards: [
        { boardId: "room-1", count: 1 },
        { boardId: "room-2", count: 0 },
      ],
      listed: [],
    });
  });

  it("lists a board its owner listed in every lobby, live, with its count, and forgets it once unlisted", async () => {
    const [owner, guest, watcher] = await Promise.all([server().connect(), server().connect(), server().connect()]);
    const joined = await owner.emitWithAck("board:join", { protocol: PROTOCOL_VERSION, boardId: "open-day", ownerKey: "owner-key-open-day-1", name: "Ada", clientId: newClientId() });
    expect(joined).toMatchObject({ ok: true, self: { role: "owner" } });
    await join(guest, "unlisted", "Bob");
    expect(await watcher.emitWithAck("lobby:watch", { boards: ["beacon"] })).toEqual({ ok: true, boards: [{ boardId: "beacon", count: 0 }], listed: [] });

    let listing = next(watcher, "lobby:listed");
    expect(await owner.emitWithAck("board:manage", { type: "settings", settings: { listed: true } })).toEqual({ ok: true });
    expect(await listing).toEqual([{ boardId: "open-day", count: 1 }]);
    const counts = next(watcher, "lobby:count");
    await join(guest, "open-day", "Bob");
    expect(await counts).toEqual({ boardId: "open-day", count: 2 });
    // A lobby opened now gets it in its answer.
    const late = await server().connect();
    expect(await late.emitWithAck("lobby:watch", { boards: [] })).toEqual({ ok: true, boards: [], listed: [{ boardId: "open-day", count: 2 }] });

    listing = next(watcher, "lobby:listed");
    await owner.emitWithAck("board:manage", { type: "settings", settings: { listed: false } });
    expect(await listing).toEqual([]);
    const heard = record(watcher, "lobby:count");
    guest.emit("board:leave");
    // Counts go out in order of change: once the beacon's arrives, one for the leave would have too.
    const beacon = next(watcher, "lobby:count");
    await join(late, "beacon", "Cy");
    expect(await beacon).toEqual({ boardId: "beacon", count: 1 });
    expect(heard).toEqual([{ boardId: "beacon", count: 1 }]);
  });
});
