import { afterEach, describe, expect, it } from "vitest";
import type { PersistedBoard } from "@/lib/board";
import { LIMITS, type AppliedOp } from "@/lib/protocol";
import { createBoardStore, type BoardStore, type StoreSettings } from "@/lib/server/storage";
import { SNAPSHOT_CHUNK } from "@/lib/server/storage/snapshot-chunks";
import { spawnProcess } from "@/tools/lib/spawn-server";
import { applied, committedStroke } from "../../unit/fixtures";
import { accessOf, addAt, boardOf, chatAt, issueWorkload, WORKLOAD, workloadLoaded } from "./fixtures";

/** A store implementation as the contract sees it. */
export interface StoreUnderTest {
  /** What it keeps outlives its process: a store made again from the same settings finds it. */
  durable: boolean;
  /** Settings for `createBoardStore` naming a new, empty place to keep boards; one per test. */
  place(): StoreSettings;
}

const CHILD = "tests/integration/storage/store-child.ts";

/**
 * What `BoardStore` promises, as tests: every store runs this suite from a file of its own
 * (`describeBoardStore("redis", { durable: true, place: ... })`).
 */
export function describeBoardStore(name: string, subject: StoreUnderTest): void {
  describe(`the ${name} store keeps the BoardStore contract`, () => {
    const opened: BoardStore[] = [];
    afterEach(async () => {
      for (const store of opened.splice(0)) await store.close();
    });
    const open = (settings = subject.place()): BoardStore => {
      const store = createBoardStore(settings);
      opened.push(store);
      return store;
    };
    const ops = (from: number, to: number): AppliedOp[] => Array.from({ length: to - from + 1 }, (_, i) => addAt(from + i));

    it("loads a board never created as null", async () => {
      expect(await open().load("nobody-made-this")).toBeNull();
    });

    it("loads a created board with its epoch and nothing else; creating it again keeps the first epoch", async () => {
      const store = open();
      await store.create("b", "epoch-1");
      await store.create("b", "epoch-2");
      expect(await store.load("b")).toEqual({ epoch: "epoch-1", snapshot: null, ops: [], chat: [], access: null });
    });

    it("loads ops back in seq order", async () => {
      const store = open();
      await store.create("b", "epoch-b");
      const log = [
        addAt(1),
        applied(2, { type: "stroke:erase", opId: "erase", strokeIds: ["s-1"] }),
        applied(3, { type: "circle:set", opId: "circle", color: "#22c55e" }, "u-bob"),
        addAt(4),
        applied(5, { type: "stroke:restore", opId: "restore", strokeIds: ["s-1"] }),
        applied(6, { type: "board:clear", opId: "clear", strokeIds: ["s-1", "s-4"] }, "u-bob"),
      ];
      for (const op of log) await store.append("b", op);
      expect((await store.load("b"))?.ops).toEqual(log);
    });

    it("loads a snapshot back identical, with only the ops after it; a later snapshot replaces it whole", async () => {
      const store = open();
      await store.create("b", "epoch-b");
      for (const op of ops(1, 10)) await store.append("b", op);
      const first = boardOf(6);
      await store.saveSnapshot("b", first);
      await store.append("b", addAt(11));
      expect(await store.load("b")).toMatchObject({ snapshot: first, ops: ops(7, 11) });

      const cleared: PersistedBoard = { ...boardOf(0, 0, 11), deleted: [] };
      await store.saveSnapshot("b", cleared);
      expect(await store.load("b")).toMatchObject({ snapshot: cleared, ops: [] });
    });

    // Sizes that cross SQLite's chunk rows; any store may split a big snapshot somewhere.
    it.each([
      ["more strokes than one chunk row holds", SNAPSHOT_CHUNK.strokes * 2 + 500, 0],
      ["more characters than one chunk row holds", 200, 100],
    ])("loads a big snapshot back identical: %s", async (_label, small, long) => {
      const store = open();
      const snapshot = boardOf(small, long);
      await store.create("big", "epoch-big");
      await store.saveSnapshot("big", snapshot);
      await store.append("big", addAt(snapshot.seq + 1));
      expect(await store.load("big")).toMatchObject({ snapshot, ops: [addAt(snapshot.seq + 1)] });
    });

    it("keeps boards apart", async () => {
      const store = open();
      const [x, y] = [boardOf(SNAPSHOT_CHUNK.strokes + 1), boardOf(3)];
      await Promise.all([store.create("x", "epoch-x"), store.create("y", "epoch-y")]);
      await Promise.all([store.saveSnapshot("x", x), store.saveSnapshot("y", y)]);
      await Promise.all([store.append("x", addAt(x.seq + 1)), store.appendChat("y", chatAt(1))]);

      expect(await store.load("x")).toEqual({ epoch: "epoch-x", snapshot: x, ops: [addAt(x.seq + 1)], chat: [], access: null });
      expect(await store.load("y")).toEqual({ epoch: "epoch-y", snapshot: y, ops: [], chat: [chatAt(1)], access: null });
    });

    it(`keeps a board's last ${LIMITS.chatHistory} chat messages, oldest first`, async () => {
      const store = open();
      await store.create("b", "epoch-b");
      for (let id = 1; id <= 3; id++) await store.appendChat("b", chatAt(id));
      expect((await store.load("b"))?.chat).toEqual([chatAt(1), chatAt(2), chatAt(3)]);

      const total = LIMITS.chatHistory + 25;
      for (let id = 4; id <= total; id++) await store.appendChat("b", chatAt(id));
      const kept = Array.from({ length: LIMITS.chatHistory }, (_, i) => chatAt(total - LIMITS.chatHistory + 1 + i));
      expect((await store.load("b"))?.chat).toEqual(kept);
    });

    it("completes writes to one board in the order they were made, two boards interleaved, none awaited", async () => {
      const store = open();
      const issued = { a: [] as string[], b: [] as string[] };
      const done = { a: [] as string[], b: [] as string[] };
      const writes: Promise<void>[] = [];
      const write = (boardId: "a" | "b", label: string, w: Promise<void>) => {
        issued[boardId].push(label);
        writes.push(w.then(() => void done[boardId].push(label)));
      };
      for (const boardId of ["a", "b"] as const) write(boardId, "create", store.create(boardId, `epoch-${boardId}`));
      for (let seq = 1; seq <= 200; seq++) {
        for (const boardId of ["a", "b"] as const) write(boardId, `op ${seq}`, store.append(boardId, addAt(seq)));
        if (seq === 120) write("a", "snapshot", store.saveSnapshot("a", boardOf(120)));
        if (seq % 10 === 0) write("b", `chat ${seq}`, store.appendChat("b", chatAt(seq / 10)));
      }
      await Promise.all(writes);

      expect(done).toEqual(issued);
      expect(await store.load("a")).toMatchObject({ snapshot: boardOf(120), ops: ops(121, 200), chat: [] });
      expect(await store.load("b")).toMatchObject({
        snapshot: null,
        ops: ops(1, 200),
        chat: Array.from({ length: 20 }, (_, i) => chatAt(i + 1)),
      });
    });

    it("rejects a write to a board never created, stores nothing of it, and takes no other write down with it", async () => {
      const store = open();
      await store.create("b", "epoch-b");
      const before = store.append("b", addAt(1));
      const refused = [store.append("ghost", addAt(1)), store.saveSnapshot("ghost", boardOf(3)), store.appendChat("ghost", chatAt(1))];
      const after = store.append("b", addAt(2));

      for (const write of refused) await expect(write).rejects.toThrow("board ghost was not created in the store");
      await Promise.all([before, after]);
      expect((await store.load("b"))?.ops).toEqual(ops(1, 2));
      expect(await store.load("ghost")).toBeNull();
      await store.create("ghost", "epoch-ghost");
      expect(await store.load("ghost")).toEqual({ epoch: "epoch-ghost", snapshot: null, ops: [], chat: [], access: null });
    });

    it("keeps every op as history, those a snapshot covers too, without their points", async () => {
      const store = open();
      await store.create("b", "epoch-b");
      const log = [
        { ...addAt(1), name: "Ada", at: 1_700_000_000_001 },
        applied(2, { type: "circle:set", opId: "circle", color: "#22c55e" }, "u-bob"),
        applied(3, { type: "stroke:erase", opId: "erase", strokeIds: ["s-1"] }),
        applied(4, { type: "board:clear", opId: "clear", strokeIds: [] }, "u-bob"),
      ];
      for (const op of log.slice(0, 3)) await store.append("b", op);
      await store.saveSnapshot("b", boardOf(1, 0, 3));
      await store.append("b", log[3]!);
      // A restore as versions before restores went by id stored it: with its strokes.
      const legacy = { seq: 5, author: "u-ada", op: { type: "stroke:restore", opId: "old", strokes: [committedStroke("s-1", 1)] } };
      await store.append("b", legacy as unknown as AppliedOp);

      expect(await store.historyOf("b", 1_000)).toEqual([
        { seq: 1, author: "u-ada", name: "Ada", at: 1_700_000_000_001, type: "stroke:add", strokeIds: ["s-1"] },
        { seq: 2, author: "u-bob", type: "circle:set", strokeIds: [], color: "#22c55e" },
        { seq: 3, author: "u-ada", type: "stroke:erase", strokeIds: ["s-1"] },
        { seq: 4, author: "u-bob", type: "board:clear", strokeIds: [] },
        { seq: 5, author: "u-ada", type: "stroke:restore", strokeIds: ["s-1"] },
      ]);
      expect((await store.load("b"))?.ops.map((op) => op.seq)).toEqual([4, 5]);
      expect((await store.historyOf("b", 2)).map((r) => r.seq)).toEqual([4, 5]);
      expect(await store.historyOf("nobody-made-this", 1_000)).toEqual([]);
    });

    it("lets a snapshot drop the oldest ops it covers once the board's ops pass the history's budget, never one after it", async () => {
      const ops = Array.from({ length: 10 }, (_, i) => addAt(i + 1));
      const size = JSON.stringify(ops[9]).length;
      // Room for about four ops.
      const store = open({ ...subject.place(), historyBytes: size * 4 + 10 });
      await store.create("b", "epoch-b");
      for (const op of ops) await store.append("b", op);
      await store.saveSnapshot("b", boardOf(8));
      expect((await store.historyOf("b", 1_000)).map((r) => r.seq)).toEqual([7, 8, 9, 10]);
      expect((await store.load("b"))?.ops.map((op) => op.seq)).toEqual([9, 10]);
      // Ops after the snapshot stay whatever they take.
      for (let seq = 11; seq <= 16; seq++) await store.append("b", addAt(seq));
      await store.saveSnapshot("b", boardOf(12));
      expect((await store.historyOf("b", 1_000)).map((r) => r.seq)).toEqual([13, 14, 15, 16]);
    });

    it("deletes a board and everything of it, and no other board", async () => {
      const store = open();
      for (const id of ["a", "b"]) {
        await store.create(id, `epoch-${id}`);
        await store.append(id, addAt(1));
        await store.saveSnapshot(id, boardOf(1));
        await store.appendChat(id, chatAt(1));
        await store.saveAccess(id, accessOf(`view-${id}-00000000000`, true));
      }
      await store.deleteBoard("a");
      await store.deleteBoard("never-made");
      expect(await store.load("a")).toBeNull();
      expect(await store.historyOf("a", 1_000)).toEqual([]);
      expect(await store.findByViewKey("view-a-00000000000")).toBeNull();
      expect(await store.listedBoards(10)).toEqual(["b"]);
      expect((await store.load("b"))?.ops).toEqual([]);
      expect((await store.load("b"))?.chat).toEqual([chatAt(1)]);
      // Made again under the same id, it starts empty.
      await store.create("a", "epoch-again");
      expect(await store.load("a")).toEqual({ epoch: "epoch-again", snapshot: null, ops: [], chat: [], access: null });
    });

    it("keeps a board's access, finds a board by its view key, and lists the boards whose owners listed them", async () => {
      const store = open();
      for (const id of ["c", "a", "b"]) await store.create(id, `epoch-${id}`);
      await store.saveAccess("a", accessOf("view-a-00000000000", true));
      await store.saveAccess("b", accessOf("view-b-00000000000"));
      await store.saveAccess("c", accessOf("view-c-00000000000", true));
      await store.saveAccess("c", accessOf("view-c-00000000000", false));

      expect((await store.load("a"))?.access).toEqual(accessOf("view-a-00000000000", true));
      expect(await store.findByViewKey("view-b-00000000000")).toBe("b");
      expect(await store.findByViewKey("view-z-00000000000")).toBeNull();
      expect(await store.listedBoards(10)).toEqual(["a"]);
      await store.saveAccess("b", accessOf("view-b-00000000000", true));
      expect(await store.listedBoards(10)).toEqual(["a", "b"]);
      expect(await store.listedBoards(1)).toEqual(["a"]);
    });

    it("refuses a view key that is another board's, and access for a board never created, changing nothing", async () => {
      const store = open();
      await store.create("a", "epoch-a");
      await store.create("b", "epoch-b");
      await store.saveAccess("a", accessOf("view-a-00000000000"));
      await expect(store.saveAccess("b", accessOf("view-a-00000000000"))).rejects.toThrow();
      await expect(store.saveAccess("ghost", accessOf("view-g-00000000000"))).rejects.toThrow(/not created/);
      expect((await store.load("b"))?.access).toBeNull();
      expect(await store.findByViewKey("view-a-00000000000")).toBe("a");
      expect(await store.findByViewKey("view-g-00000000000")).toBeNull();
    });

    it("refuses every call after close, and closes again without complaint", async () => {
      const store = open();
      await store.create("b", "epoch-b");
      await store.close();
      const calls = [
        store.load("b"),
        store.create("c", "epoch-c"),
        store.append("b", addAt(1)),
        store.saveSnapshot("b", boardOf(1)),
        store.appendChat("b", chatAt(1)),
        store.saveAccess("b", accessOf("view-b-00000000000")),
        store.findByViewKey("view-b-00000000000"),
        store.listedBoards(10),
        store.historyOf("b", 1_000),
        store.deleteBoard("b"),
      ];
      for (const call of calls) await expect(call).rejects.toThrow("the board store is closed");
      await store.close();
    });

    it("copies values in and out: changing what was passed or loaded changes nothing stored", async () => {
      const store = open();
      await store.create("b", "epoch-b");
      const [op, snapshot, chat, access] = [addAt(2), boardOf(1), chatAt(1), accessOf("view-b-00000000000")];
      const stored = {
        epoch: "epoch-b",
        snapshot: structuredClone(snapshot),
        ops: [structuredClone(op)],
        chat: [structuredClone(chat)],
        access: structuredClone(access),
      };
      const writes = [store.saveSnapshot("b", snapshot), store.append("b", op), store.appendChat("b", chat), store.saveAccess("b", access)];
      // Changed before the writes are even awaited.
      snapshot.strokes[0]!.points[0] = -1;
      snapshot.deleted.push("s-0");
      op.seq = 99;
      if (op.op.type === "stroke:add") op.op.stroke.color = "#000000";
      chat.message.text = "changed";
      access.settings.locked = false;
      access.grants.push(["client-cy", "editor"]);
      await Promise.all(writes);
      expect(await store.load("b")).toEqual(stored);

      const loaded = (await store.load("b"))!;
      loaded.snapshot!.strokes.length = 0;
      loaded.ops[0]!.seq = 42;
      loaded.chat[0]!.message.text = "changed too";
      loaded.epoch = "another";
      loaded.access!.removed.length = 0;
      expect(await store.load("b")).toEqual(stored);
    });

    if (subject.durable) {
      it("finishes the writes in flight on close: a store opened again finds them all", async () => {
        const settings = subject.place();
        const store = open(settings);
        const writes = issueWorkload(store);
        await store.close();
        await Promise.all(writes);
        expect(await open(settings).load(WORKLOAD.boardId)).toEqual(workloadLoaded());
      });

      it("loses no resolved write when its process is killed (SIGKILL): a store opened again loads them all", async () => {
        const settings = subject.place();
        await writeInChildThenKill(settings);
        expect(await open(settings).load(WORKLOAD.boardId)).toEqual(workloadLoaded());
      });
    } else {
      it("is not durable: a store made again from the same settings starts empty (so no kill-and-reopen test)", async () => {
        const settings = subject.place();
        await Promise.all(issueWorkload(open(settings)));
        expect(await open(settings).load(WORKLOAD.boardId)).toBeNull();
      });
    }
  });
}

/** Runs store-child.ts on `settings` in a real Node process, and kills it once it says its writes resolved. */
async function writeInChildThenKill(settings: StoreSettings): Promise<void> {
  const child = await spawnProcess(
    { script: CHILD, name: "the store process", env: { STORE_SETTINGS: JSON.stringify(settings) } },
    (proc, output) =>
      new Promise<void>((resolve) => {
        const onData = () => output().includes("written\n") && resolve();
        proc.stdout!.on("data", onData);
      }),
  );
  await child.kill();
  expect(child.child.signalCode).toBe("SIGKILL");
}
