import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_CIRCLE_COLOR, type PersistedBoard } from "@/lib/board";
import { LIMITS, PAGE, type Stroke } from "@/lib/protocol";
import { MemoryStore, SqliteStore, type BoardStore } from "@/lib/server/storage";
import { SNAPSHOT_CHUNK } from "@/lib/server/storage/sqlite-store";
import { applied, committedStroke } from "../unit/fixtures";

const dirs: string[] = [];
const stores: BoardStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dbFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "scribble-snapshot-"));
  dirs.push(dir);
  return join(dir, "scribble.db");
}

function open<S extends BoardStore>(store: S): S {
  stores.push(store);
  return store;
}

/** A stroke of the most points a client may send, each coordinate written with every digit. */
function longStroke(id: string, seq: number): Stroke {
  const points = Array.from({ length: LIMITS.strokePointsMax }, (_, i) => [
    ((i + seq) * 0.7919146537) % PAGE.width,
    ((i * seq) * 0.3141592653) % PAGE.height,
    (i % 97) / 97,
  ]).flat();
  return committedStroke(id, seq, "u-ada", { points, width: 64 });
}

/** A board of `small` two-point strokes and `long` longest ones, interleaved, some erased. */
function boardOf(small: number, long: number, seq = small + long): PersistedBoard {
  const every = long > 0 ? Math.floor((small + long) / long) : Infinity;
  const strokes = Array.from({ length: small + long }, (_, i) =>
    i % every === 0 && i / every < long ? longStroke(`long-${i}`, i + 1) : committedStroke(`s-${i}`, i + 1),
  );
  return {
    seq,
    circle: { color: DEFAULT_CIRCLE_COLOR, version: 0 },
    strokes,
    deleted: strokes.filter((_, i) => i % 7 === 3).map((s) => s.id),
    recentOps: strokes.slice(-50).map((s) => [`add-${s.id}`, s.seq]),
  };
}

const jsonChars = (strokes: readonly Stroke[]) => strokes.reduce((n, s) => n + JSON.stringify(s).length + 1, 0);

/** The chunk rows an SQLite file holds for a board, read without the store. */
function chunkRows(file: string, boardId: string): { idx: number; count: number; chars: number }[] {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare<[string], { idx: number; strokes: string }>("SELECT idx, strokes FROM snapshot_chunks WHERE board_id = ? ORDER BY idx")
      .all(boardId)
      .map((r) => ({ idx: r.idx, count: (JSON.parse(r.strokes) as unknown[]).length, chars: r.strokes.length }));
  } finally {
    db.close();
  }
}

const STORES: [string, () => BoardStore][] = [
  ["memory", () => new MemoryStore()],
  ["sqlite", () => new SqliteStore(dbFile())],
];

describe.each(STORES)("a snapshot larger than one chunk (%s store)", (_kind, makeStore) => {
  it.each([
    ["more strokes than one chunk holds", SNAPSHOT_CHUNK.strokes * 2 + 500, 0],
    ["more characters than one chunk holds", 200, 100],
  ])("loads back identical with %s, ops after it included", async (_label, small, long) => {
    const store = open(makeStore());
    const snapshot = boardOf(small, long);
    await store.create("big", "epoch-big");
    await store.saveSnapshot("big", snapshot);
    const after = applied(snapshot.seq + 1, { type: "stroke:add", opId: "after", stroke: committedStroke("after", snapshot.seq + 1) });
    await store.append("big", after);

    const loaded = await store.load("big");

    expect(loaded?.snapshot).toEqual(snapshot);
    expect(loaded?.snapshot).not.toBe(snapshot);
    expect(loaded?.ops).toEqual([after]);
  });
});

describe("SQLite snapshot chunks", () => {
  it("stores strokes in several bounded rows, in order, and a reopened file loads them", async () => {
    const file = dbFile();
    const store = open(new SqliteStore(file));
    const snapshot = boardOf(SNAPSHOT_CHUNK.strokes + 300, 100);
    expect(jsonChars(snapshot.strokes)).toBeGreaterThan(SNAPSHOT_CHUNK.chars * 2);
    await store.create("big", "epoch-big");
    await store.saveSnapshot("big", snapshot);

    const rows = chunkRows(file, "big");
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(rows.map((r) => r.idx)).toEqual(rows.map((_, i) => i));
    expect(rows.reduce((n, r) => n + r.count, 0)).toBe(snapshot.strokes.length);
    for (const r of rows) {
      expect(r.count).toBeLessThanOrEqual(SNAPSHOT_CHUNK.strokes);
      expect(r.chars).toBeLessThanOrEqual(SNAPSHOT_CHUNK.chars + 2);
    }

    const reopened = open(new SqliteStore(file));
    expect((await reopened.load("big"))?.snapshot).toEqual(snapshot);
  });

  it("replaces every chunk of the last snapshot, leaving none behind", async () => {
    const file = dbFile();
    const store = open(new SqliteStore(file));
    await store.create("b", "epoch-b");
    await store.saveSnapshot("b", boardOf(SNAPSHOT_CHUNK.strokes * 3, 0));
    expect(chunkRows(file, "b")).toHaveLength(3);

    const cleared: PersistedBoard = { ...boardOf(0, 0, 5_000), deleted: [] };
    await store.saveSnapshot("b", cleared);

    expect(chunkRows(file, "b")).toEqual([]);
    expect((await store.load("b"))?.snapshot).toEqual(cleared);
  });

  it("keeps boards apart", async () => {
    const store = open(new SqliteStore(dbFile()));
    const [x, y] = [boardOf(SNAPSHOT_CHUNK.strokes + 1, 0), boardOf(3, 0)];
    await Promise.all([store.create("x", "epoch-x"), store.create("y", "epoch-y")]);
    await Promise.all([store.saveSnapshot("x", x), store.saveSnapshot("y", y)]);

    expect((await store.load("x"))?.snapshot).toEqual(x);
    expect((await store.load("y"))?.snapshot).toEqual(y);
  });

  it("loads a file written before chunks (the whole snapshot in the board's row), and moves it to chunks on the next snapshot", async () => {
    const file = dbFile();
    const old = boardOf(40, 2);
    const tail = applied(old.seq + 1, { type: "stroke:add", opId: "tail", stroke: committedStroke("tail", old.seq + 1) });
    // The schema and rows the store wrote before snapshots were chunked.
    const db = new Database(file);
    db.exec(`
      CREATE TABLE boards (id TEXT PRIMARY KEY, epoch TEXT NOT NULL, updated_at INTEGER NOT NULL,
        snapshot_seq INTEGER NOT NULL DEFAULT 0, snapshot TEXT);
      CREATE TABLE ops (board_id TEXT NOT NULL, seq INTEGER NOT NULL, op TEXT NOT NULL, PRIMARY KEY (board_id, seq)) WITHOUT ROWID;
      CREATE TABLE chat (board_id TEXT NOT NULL, id INTEGER NOT NULL, entry TEXT NOT NULL, PRIMARY KEY (board_id, id)) WITHOUT ROWID;
    `);
    db.prepare("INSERT INTO boards (id, epoch, updated_at, snapshot_seq, snapshot) VALUES (?, ?, ?, ?, ?)").run(
      "legacy", "epoch-legacy", Date.now(), old.seq, JSON.stringify(old),
    );
    db.prepare("INSERT INTO ops (board_id, seq, op) VALUES (?, ?, ?)").run("legacy", tail.seq, JSON.stringify(tail));
    db.close();

    const store = open(new SqliteStore(file));
    const loaded = await store.load("legacy");
    expect(loaded).toMatchObject({ epoch: "epoch-legacy", snapshot: old, ops: [tail] });

    const next = boardOf(SNAPSHOT_CHUNK.strokes + 10, 0, old.seq + 1);
    await store.saveSnapshot("legacy", next);
    const check = new Database(file, { readonly: true });
    const row = check.prepare<[string], { snapshot: string | null; snapshot_seq: number }>("SELECT snapshot, snapshot_seq FROM boards WHERE id = ?").get("legacy");
    check.close();
    expect(row).toEqual({ snapshot: null, snapshot_seq: next.seq });
    expect(chunkRows(file, "legacy")).toHaveLength(2);
    expect((await open(new SqliteStore(file)).load("legacy"))?.snapshot).toEqual(next);
  });
});
