import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_CIRCLE_COLOR } from "@/lib/board";
import { BoardSession, GAP_CHECK_MS, LEAVE_GRACE_MS, SERVER_RETRY_MS } from "@/lib/client/board-session";
import { selectView } from "@/lib/client/board-view";
import { OPEN_BOARD, OWNED_BOARD_DEFAULTS, PROTOCOL_VERSION, type JoinSnapshot, type OpAck, type OpRequest } from "@/lib/protocol";
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

/** The server's ack of a `stroke:add` request: the stroke `strokeId` committed at `seq`. */
const strokeAck = (req: OpRequest, strokeId: string, seq: number): OpAck => ({
  ok: true,
  seq,
  applied: applied(seq, { type: "stroke:add", opId: req.opId, stroke: committedStroke(strokeId, seq) }),
});

const sessions: BoardSession[] = [];
afterEach(() => sessions.splice(0).forEach((s) => s.stop()));

function start() {
  const { client, server } = socketPair();
  const storage = new MemoryStorage();
  const session = new BoardSession({
    socket: client,
    board: { boardId: "room-1" },
    name: "Ada",
    clientId: "browser-1",
    storage,
    tabId: "tab-1",
    watchActivity: () => ({ stop() {}, current: () => "active" }),
  });
  sessions.push(session);
  session.start();
  const { replica, session: phase, history, chat } = session.state;
  return {
    session,
    server,
    storage,
    replica: () => replica.getState(),
    shown: () => selectView(replica.getState()).strokes.map((s) => s.id),
    phase: () => phase.getState(),
    history: () => history.getState(),
    chat: () => chat.getState(),
    /** Connects and answers the join with `snap`. */
    join(snap = snapshot()) {
      server.connect();
      server.answer("board:join", { ok: true, ...snap });
    },
    waitingOps: () => server.waiting("op") as OpRequest[],
  };
}

describe("board session", () => {
  it("joins with the protocol version and puts the snapshot in its stores", () => {
    const t = start();
    t.server.connect();
    expect(t.server.waiting("board:join")).toEqual([{ protocol: PROTOCOL_VERSION, boardId: "room-1", name: "Ada", clientId: "browser-1" }]);

    t.server.answer("board:join", { ok: true, ...snapshot({ seq: 2, strokeCount: 1 }) });
    t.server.push("board:strokes", { strokes: [committedStroke("s1", 1)], done: true });

    expect(t.phase().phase).toBe("joined");
    expect(t.replica().board.seq).toBe(2);
    expect(t.shown()).toEqual(["s1"]);
    expect(t.session.state.presence.getState().self).toEqual(ada);
  });

  it("shows a refused join, and an outdated tab when the server speaks another version", () => {
    const t = start();
    t.server.connect();
    t.server.answer("board:join", { ok: false, error: { code: "NAME_TAKEN", message: "Taken." } });
    expect(t.phase()).toMatchObject({ phase: "refused", joinError: "Taken." });

    const u = start();
    u.server.connect();
    u.server.answer("board:join", { ok: false, error: { code: "VERSION_MISMATCH", message: "Reload." } });
    expect(u.phase()).toMatchObject({ phase: "outdated", joinError: "Reload." });
  });

  it("shows a stroke pending at once, and on its ack holds it on the board with nothing pending", async () => {
    const t = start();
    t.join();
    t.session.addStroke(strokeInput("s1"));
    expect(t.replica().pending.map((p) => p.type)).toEqual(["stroke:add"]);
    expect(t.shown()).toEqual(["s1"]);
    await expect.poll(() => t.waitingOps()).toHaveLength(1);

    const [req] = t.waitingOps();
    t.server.answer("op", strokeAck(req!, "s1", 1));

    await expect.poll(() => t.replica().pending).toEqual([]);
    expect(t.replica().board.seq).toBe(1);
    expect(t.shown()).toEqual(["s1"]);
  });

  it("sends an unanswered op again with the same opId after the next join, which resumes the board", async () => {
    const t = start();
    t.join(snapshot({ seq: 3 }));
    t.session.addStroke(strokeInput("s1"));
    await expect.poll(() => t.waitingOps()).toHaveLength(1);
    const [first] = t.waitingOps();

    t.server.disconnect();
    t.server.connect();
    expect(t.server.waiting("board:join")).toEqual([
      expect.objectContaining({ protocol: PROTOCOL_VERSION, resume: { epoch: "epoch-1", seq: 3 } }),
    ]);
    t.server.answer("board:join", { ok: true, ...snapshot({ seq: 4, sync: "delta" }) });
    // The op missed while away follows as an `op`; the board is kept.
    t.server.push("op", applied(4, { type: "stroke:add", opId: "other", stroke: committedStroke("s0", 4, "u-bob") }, "u-bob"));

    await expect.poll(() => t.waitingOps()).toHaveLength(1);
    expect(t.waitingOps()[0]!.opId).toBe(first!.opId);
    expect(t.replica().board.seq).toBe(4);
    expect(t.shown()).toEqual(["s0", "s1"]);
  });

  it("keeps an op the server could not store, and sends it again until it is stored", async () => {
    vi.useFakeTimers();
    try {
      const t = start();
      t.join();
      t.session.addStroke(strokeInput("s1"));
      await vi.waitFor(() => expect(t.waitingOps()).toHaveLength(1));
      const [first] = t.waitingOps();
      t.server.answer("op", { ok: false, error: { code: "INTERNAL", message: "The change could not be stored; nothing was changed." } });
      await vi.advanceTimersByTimeAsync(0);
      expect(t.replica().pending.map((p) => p.opId)).toEqual([first!.opId]);
      expect(t.waitingOps()).toEqual([]);

      await vi.advanceTimersByTimeAsync(SERVER_RETRY_MS);
      expect(t.waitingOps().map((op) => op.opId)).toEqual([first!.opId]);
      t.server.answer("op", strokeAck(first!, "s1", 1));
      await vi.advanceTimersByTimeAsync(0);
      expect(t.replica().pending).toEqual([]);
      expect(t.shown()).toEqual(["s1"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("joins again, resuming from what it has, when an op it waits for does not come", async () => {
    vi.useFakeTimers();
    try {
      const t = start();
      t.join(snapshot({ seq: 3 }));
      // Op 4 is lost on its way; 5 comes and waits for it.
      t.server.push("op", applied(5, { type: "stroke:add", opId: "other-5", stroke: committedStroke("s5", 5, "u-bob") }, "u-bob"));
      expect(t.replica().board.seq).toBe(3);
      await vi.advanceTimersByTimeAsync(GAP_CHECK_MS);
      expect(t.server.waiting("board:join")).toEqual([]);
      await vi.advanceTimersByTimeAsync(GAP_CHECK_MS);
      expect(t.server.waiting("board:join")).toEqual([expect.objectContaining({ resume: { epoch: "epoch-1", seq: 3 } })]);
      t.server.answer("board:join", { ok: true, ...snapshot({ seq: 5, sync: "delta" }) });
      t.server.push("op", applied(4, { type: "stroke:add", opId: "other-4", stroke: committedStroke("s4", 4, "u-bob") }, "u-bob"));
      expect(t.replica().board.seq).toBe(5);
      expect(t.shown()).toEqual(["s4", "s5"]);
    } finally {
      vi.useRealTimers();
    }
  });

  it("asks again for a join the server could not serve", async () => {
    vi.useFakeTimers();
    try {
      const t = start();
      t.server.connect();
      t.server.answer("board:join", { ok: false, error: { code: "INTERNAL", message: "board:join failed on the server." } });
      expect(t.server.waiting("board:join")).toEqual([]);
      await vi.advanceTimersByTimeAsync(SERVER_RETRY_MS);
      expect(t.server.waiting("board:join")).toHaveLength(1);
      t.server.answer("board:join", { ok: true, ...snapshot() });
      expect(t.phase().phase).toBe("joined");
    } finally {
      vi.useRealTimers();
    }
  });

  it("drops a refused op from pending and from the history, and says why", async () => {
    const t = start();
    t.join();
    t.session.addStroke(strokeInput("s1"));
    expect(t.history().canUndo).toBe(true);
    await expect.poll(() => t.waitingOps()).toHaveLength(1);

    t.server.answer("op", { ok: false, error: { code: "BOARD_FULL", message: "The board is full." } });

    await expect.poll(() => t.replica().pending).toEqual([]);
    expect(t.history().canUndo).toBe(false);
    expect(t.phase().opError?.message).toBe("The board is full.");
  });

  it("sends a rate-limited op again, same opId, once the hint has passed, and nothing overtakes it", async () => {
    const t = start();
    t.join();
    t.session.addStroke(strokeInput("s1"));
    t.session.addStroke(strokeInput("s2"));
    await expect.poll(() => t.waitingOps()).toHaveLength(1);
    const [first] = t.waitingOps();

    t.server.answer("op", { ok: false, error: { code: "RATE_LIMITED", message: "Slow down.", retryAfterMs: 20 } });

    await expect.poll(() => t.waitingOps()).toHaveLength(1);
    expect(t.waitingOps()[0]!.opId).toBe(first!.opId);
    expect(t.server.sent("op")).toHaveLength(2);
    expect(t.replica().pending).toHaveLength(2);
    expect(t.phase().opError).toBeFalsy();
    t.server.answer("op", strokeAck(first!, "s1", 1));
    await expect.poll(() => t.waitingOps().map((op) => op.opId)).not.toEqual([first!.opId]);
    expect(t.waitingOps()).toEqual([expect.objectContaining({ type: "stroke:add" })]);
    expect(t.replica().pending).toHaveLength(1);
  });

  it("undoes a stroke with an erase and redoes it with a restore", async () => {
    const t = start();
    t.join();
    t.session.addStroke(strokeInput("s1"));
    t.session.undo();
    expect(t.history()).toMatchObject({ canUndo: false, canRedo: true });
    t.session.redo();
    expect(t.history()).toMatchObject({ canUndo: true, canRedo: false });
    expect(t.replica().pending.map((p) => p.type)).toEqual(["stroke:add", "stroke:erase", "stroke:restore"]);
  });

  it("keeps unacked changes in storage and a new session takes them over", () => {
    const t = start();
    t.session.addStroke(strokeInput("s1"));
    expect(t.storage.length).toBe(1);
    t.session.stop();

    const { client } = socketPair();
    const next = new BoardSession({
      socket: client,
      board: { boardId: "room-1" },
      name: "Ada",
      clientId: "browser-1",
      storage: t.storage,
      tabId: "tab-2",
      watchActivity: () => ({ stop() {}, current: () => "active" }),
    });
    sessions.push(next);
    next.start();
    expect(next.state.replica.getState().pending.map((p) => p.type)).toEqual(["stroke:add"]);
  });

  it("says in the chat who erased whose strokes and who cleared the board, but not what one's own tabs did", () => {
    const t = start();
    const bob = { ...ada, id: "u-bob", name: "Bob" };
    const grace = { ...ada, id: "u-grace", name: "Grace", color: "#16a34a" };
    t.join(snapshot({ users: [ada, bob, grace] }));
    t.server.push("op", applied(1, { type: "stroke:add", opId: "o1", stroke: committedStroke("s1", 1, "u-bob") }, "u-bob"));
    t.server.push("op", applied(2, { type: "stroke:add", opId: "o2", stroke: committedStroke("s2", 2, "u-ada") }, "u-ada"));
    t.server.push("presence:left", "u-bob");
    t.server.push("op", applied(3, { type: "stroke:erase", opId: "o3", strokeIds: ["s1"] }, "u-grace"));
    t.server.push("op", applied(4, { type: "stroke:restore", opId: "o4", strokeIds: ["s1"] }, "u-ada"));
    t.server.push("op", applied(5, { type: "board:clear", opId: "o5", strokeIds: ["s1", "s2"] }, "u-grace"));

    const lines = t.chat().items.filter((i) => i.kind === "activity");
    expect(lines.map((i) => `${i.user.name} ${i.kind === "activity" ? i.text : ""}`)).toEqual([
      "Grace erased 1 of Bob's strokes",
      "Grace cleared the board",
    ]);
    expect(lines[0]!.user.color).toBe("#16a34a");
  });

  it("shows an own chat message pending, then sent on its ack", async () => {
    const t = start();
    t.join();
    t.session.sendChat("hello");
    expect(t.chat().items).toMatchObject([{ kind: "message", status: "pending" }]);
    await expect.poll(() => t.server.waiting("chat:send")).toHaveLength(1);
    const [req] = t.server.waiting("chat:send") as { opId: string }[];

    t.server.answer("chat:send", { ok: true, message: { id: 1, opId: req!.opId, author: ada, text: "hello", at: 1 } });

    await expect.poll(() => t.chat().items).toMatchObject([{ kind: "message", status: "sent" }]);
  });

  it("follows owners' changes: settings, roles and who may do what, and says them in the chat", () => {
    const t = start();
    const grace = { ...ada, id: "u-grace", name: "Grace", role: "owner" as const };
    t.join(snapshot({ users: [ada, grace], owned: true, settings: OWNED_BOARD_DEFAULTS }));
    expect(t.session.whyNot("draw")).toBeUndefined();
    expect(t.session.whyNot("clear")).toMatch(/only the board's owners/i);

    t.server.push("board:access", { type: "settings", by: "u-grace", settings: { ...OWNED_BOARD_DEFAULTS, locked: true, chat: false } });
    expect(t.session.whyNot("draw")).toMatch(/locked/);
    t.session.undo();
    expect(t.phase().opError?.message).toMatch(/locked/);

    t.server.push("board:access", { type: "settings", by: "u-grace", settings: OWNED_BOARD_DEFAULTS });
    t.server.push("board:access", { type: "role", by: "u-grace", userId: "u-ada", role: "viewer" });
    expect(t.session.state.presence.getState().self?.role).toBe("viewer");
    expect(t.session.whyNot("draw")).toMatch(/look at this board/);

    const lines = t.chat().items.flatMap((i) => (i.kind === "activity" ? [`${i.user.name} ${i.text}`] : []));
    expect(lines).toEqual(["Grace locked the board and turned the chat off", "Grace unlocked the board and turned the chat on", "Grace made you a viewer"]);
  });

  it("stops for good when removed, and when a join is refused as removed or by an unknown view link", () => {
    const t = start();
    t.join();
    t.server.push("board:dismissed", { reason: "removed", by: "u-grace" });
    expect(t.phase()).toMatchObject({ phase: "dismissed", dismissal: { reason: "removed" } });
    t.session.addStroke(strokeInput("s1"));
    expect(t.waitingOps()).toEqual([]);

    const again = start();
    again.server.connect();
    again.server.answer("board:join", { ok: false, error: { code: "REMOVED", message: "You were removed from this board." } });
    expect(again.phase()).toMatchObject({ phase: "dismissed", dismissal: { reason: "removed" } });
  });

  it("joins by a view key without an owner key, and by id with one", () => {
    const { client, server } = socketPair();
    const watch = () => ({ stop() {}, current: () => "active" as const });
    const common = { socket: client, name: "Ada", clientId: "browser-1", storage: null, tabId: "tab-1", watchActivity: watch, ownerKey: "owner-key-0123456789" };
    const viewer = new BoardSession({ ...common, board: { view: "view-key-0123456789" } });
    sessions.push(viewer);
    viewer.start();
    server.connect();
    expect(server.waiting("board:join")).toEqual([{ protocol: PROTOCOL_VERSION, view: "view-key-0123456789", name: "Ada", clientId: "browser-1" }]);
  });

  it("says nothing of a person who leaves and comes back within the grace (a reload), and says a leave after it", () => {
    vi.useFakeTimers();
    try {
      const t = start();
      const bob = { ...ada, id: "u-bob", name: "Bob" };
      t.join(snapshot({ users: [ada, bob] }));
      t.server.push("presence:left", "u-bob");
      vi.advanceTimersByTime(LEAVE_GRACE_MS - 1);
      t.server.push("presence:joined", bob);
      t.server.push("presence:left", "u-bob");
      vi.advanceTimersByTime(LEAVE_GRACE_MS);
      expect(t.chat().items.map((i) => `${i.kind}`)).toEqual(["left"]);
      // About oneself, never.
      t.server.push("presence:left", "u-ada");
      vi.advanceTimersByTime(LEAVE_GRACE_MS);
      expect(t.chat().items).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("shows a moment of the history with strokes it never had fetched in parts, drops a stale answer, and records a restore as one undoable action", async () => {
    const t = start();
    const owner = { ...ada, role: "owner" as const };
    t.join(snapshot({ seq: 1, strokeCount: 1, self: owner, users: [owner], owned: true, settings: OWNED_BOARD_DEFAULTS }));
    t.server.push("board:strokes", { strokes: [committedStroke("s1", 1)], done: true });
    const { timeline } = t.session.state;

    // Dragged past 1 and 2 to 3 while the first moment is asked for: 2 is never asked for.
    const shown = t.session.showMoment(1);
    void t.session.showMoment(2);
    void t.session.showMoment(3);
    expect(t.server.waiting("history:at")).toEqual([{ seq: 1 }]);
    t.server.answer("history:at", { ok: true, seq: 1, strokeIds: ["s1"], circle: { color: "#ef4444", version: 1 } });
    await expect.poll(() => t.server.waiting("history:at")).toEqual([{ seq: 3 }]);
    t.server.answer("history:at", { ok: true, seq: 3, strokeIds: ["s1", "gone-1", "gone-2"], circle: { color: "#22c55e", version: 3 } });
    // The server answers the first id only, then the rest when asked again.
    await expect.poll(() => t.server.waiting("strokes:get")).toEqual([{ strokeIds: ["gone-1", "gone-2"] }]);
    t.server.answer("strokes:get", { ok: true, strokes: [committedStroke("gone-1", 2)], answered: 1 });
    await expect.poll(() => t.server.waiting("strokes:get")).toEqual([{ strokeIds: ["gone-2"] }]);
    t.server.answer("strokes:get", { ok: true, strokes: [committedStroke("gone-2", 3)], answered: 1 });
    await shown;
    expect(timeline.getState().moment).toMatchObject({ seq: 3, circle: { color: "#22c55e" } });
    expect(timeline.getState().moment!.strokes.map((s) => s.id)).toEqual(["s1", "gone-1", "gone-2"]);

    const restoring = t.session.restoreMoment(3);
    await expect.poll(() => t.server.waiting("history:restore")).toEqual([{ seq: 3 }]);
    t.server.answer("history:restore", {
      ok: true,
      applied: [
        applied(4, { type: "stroke:erase", opId: "restore-x-e0", strokeIds: ["s9"] }),
        applied(5, { type: "stroke:restore", opId: "restore-x-r0", strokeIds: ["gone-1", "gone-2"] }),
      ],
    });
    expect(await restoring).toBe(true);
    expect(timeline.getState()).toMatchObject({ open: false, moment: null });
    t.session.undo();
    await expect.poll(() => t.waitingOps().map((op) => [op.type, "strokeIds" in op ? op.strokeIds : []])).toEqual([["stroke:restore", ["s9"]]]);
  });

  it("never joins again once taken off the board, whatever reconnects", () => {
    const t = start();
    t.join();
    t.server.push("board:dismissed", { reason: "deleted", by: "operator" });
    t.server.disconnect();
    t.server.connect();
    expect(t.server.waiting("board:join")).toEqual([]);
    expect(t.phase()).toMatchObject({ phase: "dismissed", dismissal: { reason: "deleted" } });
  });
});
