import { describe, expect, it } from "vitest";
import type { AppliedOp, StrokeChunk } from "@/lib/protocol";
import {
  addOp,
  barrier,
  commit,
  eraseOp,
  idsOf,
  join,
  joinLoaded,
  lateJoiner,
  loadStrokes,
  record,
  replay,
  seedBoard,
  SlowStore,
  startServer,
  strokeAdds,
  strokeInput,
  strokeOf,
  useServer,
} from "./harness";

const server = useServer();

/** Strokes per `board:strokes` message, as the protocol fixes it (docs/PROTOCOL.md). */
const STROKE_CHUNK_SIZE = 250;

describe("joining a board with strokes", () => {
  it("streams every visible stroke in z-order, 250 a chunk, the last marked done; erased ones stay behind", async () => {
    const erased = ["s-0", "s-300", "s-301", "s-609", ...Array.from({ length: 6 }, (_, i) => `s-${100 + i}`)];
    const seeded = await seedBoard(server().store, "room-1", [...strokeAdds("s", 610), eraseOp("erase", ...erased)]);
    const visible = seeded.slice(0, 610).map(strokeOf).filter((s) => !erased.includes(s.id));

    const { snapshot, chunks, strokes } = await joinLoaded(await server().connect(), "room-1", "Bob");

    expect(snapshot).toMatchObject({ seq: 611, strokeCount: 600 });
    expect(chunks.map((c) => [c.strokes.length, c.done])).toEqual([
      [250, false],
      [250, false],
      [100, true],
    ]);
    expect(strokes).toEqual(visible);
  });

  it.each([
    [STROKE_CHUNK_SIZE, [[250, true]]],
    [STROKE_CHUNK_SIZE + 1, [[250, false], [1, true]]],
    [2 * STROKE_CHUNK_SIZE, [[250, false], [250, true]]],
  ])("splits %i strokes into chunks of %j", async (count, expected) => {
    await seedBoard(server().store, "room-1", strokeAdds("s", count));

    const { snapshot, chunks } = await joinLoaded(await server().connect(), "room-1", "Bob");

    expect(snapshot.strokeCount).toBe(count);
    expect(chunks.map((c) => [c.strokes.length, c.done])).toEqual(expected);
  });

  it("sends ops committed while the joiner is still loading as op events after the snapshot's seq, each once", async () => {
    await seedBoard(server().store, "room-1", strokeAdds("s", 600));
    const [a, j] = await Promise.all([server().connect(), server().connect()]);
    await join(a, "room-1", "Ada");
    const toJ = record(j, "op") as AppliedOp[];
    const order: string[] = [];
    j.on("op", (op) => order.push(`op ${op.seq}`));
    const mine: Promise<AppliedOp>[] = [];
    // The first chunk is the moment the joiner is surely mid-load: it still waits for two more.
    j.once("board:strokes", (chunk: StrokeChunk) => {
      expect(chunk.done).toBe(false);
      mine.push(commit(a, addOp("during-1", strokeInput("during-1"))), commit(a, eraseOp("during-2", "s-5")));
    });
    j.on("board:strokes", (chunk: StrokeChunk) => order.push(`chunk ${chunk.done ? "done" : ""}`));

    // Some ops race the join itself: they land before or after its snapshot.
    const racing = Promise.all([0, 1, 2].map((i) => commit(a, addOp(`race-${i}`, strokeInput(`race-${i}`)))));
    const loaded = await joinLoaded(j, "room-1", "Jo");
    const during = await Promise.all(mine);
    const raced = await racing;
    await barrier(j);

    const after = loaded.snapshot.seq;
    expect(toJ.every((op) => op.seq > after)).toBe(true);
    const last = during.at(-1)!.seq;
    // Every op after the snapshot, and only those, came as an op event, once each.
    expect(toJ.map((op) => op.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: last - after }, (_, i) => after + 1 + i));
    expect(idsOf(loaded.strokes)).not.toContain("during-1");
    for (const op of raced) expect(idsOf(loaded.strokes).includes(strokeOf(op).id)).toBe(op.seq <= after);
    expect(loaded.strokes).toHaveLength(loaded.snapshot.strokeCount);
    expect(order.filter((e) => e.startsWith("chunk"))).toHaveLength(3);

    const late = await lateJoiner(server(), "room-1");
    const view = replay(loaded, toJ);
    expect(view.seq).toBe(late.seq);
    expect(view.visibleStrokes()).toEqual(late.strokes);
    expect(idsOf(late.strokes)).toContain("during-1");
    expect(idsOf(late.strokes)).not.toContain("s-5");
  });

  it("streams only to the joiner: the others on the board get no chunks", async () => {
    await seedBoard(server().store, "room-1", strokeAdds("s", 300));
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    // A's own load must be over, or its chunks would be taken for B's.
    await joinLoaded(a, "room-1", "Ada");
    const toA = record(a, "board:strokes");

    const loaded = loadStrokes(b);
    await join(b, "room-1", "Bob");
    expect(await loaded).toHaveLength(2);

    await barrier(a);
    expect(toA).toEqual([]);
  });

  it("never sends a joiner an op event its snapshot already holds, while that op is still being stored", async () => {
    const store = new SlowStore();
    const slow = await startServer({}, store);
    try {
      const [a, j] = await Promise.all([slow.connect(), slow.connect()]);
      await join(a, "room-1", "Ada");
      store.hold();
      const acked = commit(a, addOp("op-1", strokeInput("s-1")));
      // The ping is answered after the op handler started: the op is ordered, its write pending.
      await barrier(a);
      const toJ = record(j, "op") as AppliedOp[];

      // The join waits for the write: a snapshot holds only what is stored.
      const joining = joinLoaded(j, "room-1", "Jo");
      await barrier(j);
      store.release();
      const loaded = await joining;
      await acked;
      await barrier(j);

      // Whichever side of the join the op falls on, the joiner must get it exactly once.
      const heard = [...idsOf(loaded.strokes), ...toJ.map((op) => strokeOf(op).id)];
      expect(heard).toEqual(["s-1"]);
      expect(toJ.filter((op) => op.seq <= loaded.snapshot.seq)).toEqual([]);
    } finally {
      await slow.close();
    }
  });
});
