import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { PersistedBoard } from "@/lib/board";
import type { Stroke } from "@/lib/protocol";
import { databaseFile, SqliteStore } from "@/lib/server/storage";
import { SNAPSHOT_CHUNK } from "@/lib/server/storage/snapshot-chunks";
import { describeBoardStore } from "./board-store.contract";
import { addAt, boardOf, chatAt } from "./fixtures";

const root = mkdtempSync(join(tmpdir(), "scribble-sqlite-store-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const dataDir = () => mkdtempSync(join(root, "data-"));

describeBoardStore("sqlite", {
  durable: true,
  place: () => ({ storage: "sqlite", dataDir: dataDir(), sqliteSynchronous: "normal" }),
});

/** The tables of the oldest files: the whole snapshot in the board's row. */
const SCHEMA_BEFORE_CHUNKS = `
  CREATE TABLE boards (id TEXT PRIMARY KEY, epoch TEXT NOT NULL, updated_at INTEGER NOT NULL,
    snapshot_seq INTEGER NOT NULL DEFAULT 0, snapshot TEXT);
  CREATE TABLE ops (board_id TEXT NOT NULL, seq INTEGER NOT NULL, op TEXT NOT NULL, PRIMARY KEY (board_id, seq)) WITHOUT ROWID;
  CREATE TABLE chat (board_id TEXT NOT NULL, id INTEGER NOT NULL, entry TEXT NOT NULL, PRIMARY KEY (board_id, id)) WITHOUT ROWID;
`;

/** The tables of files from before `boards.updated_at` and its index were dropped: snapshots in chunks. */
const SCHEMA_BEFORE_DROP = `${SCHEMA_BEFORE_CHUNKS}
  CREATE TABLE snapshots (board_id TEXT PRIMARY KEY, head TEXT NOT NULL, chunks INTEGER NOT NULL);
  CREATE TABLE snapshot_chunks (board_id TEXT NOT NULL, idx INTEGER NOT NULL, strokes TEXT NOT NULL, PRIMARY KEY (board_id, idx));
  CREATE INDEX boards_updated ON boards (updated_at DESC);
`;

// What the file looks like inside: the contract sees none of it.
describe("the SQLite file", () => {
  const stores: SqliteStore[] = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
  });
  const open = (file: string): SqliteStore => {
    const store = new SqliteStore(file);
    stores.push(store);
    return store;
  };
  const dbFile = () => databaseFile(dataDir());

  /** Runs `read` on the file through a connection of its own, past the store. */
  function peek<T>(file: string, read: (db: Database.Database) => T): T {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  }

  /** The chunk rows the file holds for a board. */
  const chunkRows = (file: string, boardId: string) =>
    peek(file, (db) =>
      db
        .prepare<[string], { idx: number; strokes: string }>("SELECT idx, strokes FROM snapshot_chunks WHERE board_id = ? ORDER BY idx")
        .all(boardId)
        .map((r) => ({ idx: r.idx, count: (JSON.parse(r.strokes) as unknown[]).length, chars: r.strokes.length })),
    );

  const boardsColumns = (file: string) => peek(file, (db) => (db.pragma("table_info(boards)") as { name: string }[]).map((c) => c.name));
  const indexes = (file: string) =>
    peek(file, (db) => db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'").pluck().all());

  const jsonChars = (strokes: readonly Stroke[]) => strokes.reduce((n, s) => n + JSON.stringify(s).length + 1, 0);

  it("holds a snapshot's strokes in several bounded rows, in order", async () => {
    const file = dbFile();
    const store = open(file);
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
    expect((await open(file).load("big"))?.snapshot).toEqual(snapshot);
  });

  it("replaces every chunk row of the last snapshot, leaving none behind", async () => {
    const file = dbFile();
    const store = open(file);
    await store.create("b", "epoch-b");
    await store.saveSnapshot("b", boardOf(SNAPSHOT_CHUNK.strokes * 3));
    expect(chunkRows(file, "b")).toHaveLength(3);

    const cleared: PersistedBoard = { ...boardOf(0, 0, 5_000), deleted: [] };
    await store.saveSnapshot("b", cleared);

    expect(chunkRows(file, "b")).toEqual([]);
    expect((await store.load("b"))?.snapshot).toEqual(cleared);
  });

  it("undoes a snapshot that fails part-way whole, and keeps the writes made with it", async () => {
    const file = dbFile();
    const store = open(file);
    const first = boardOf(3);
    await store.create("b", "epoch-b");
    await store.saveSnapshot("b", first);
    // A failure after the snapshot's head and first chunk are written, as a full disk might cause.
    const db = new Database(file);
    db.exec("CREATE TRIGGER second_chunk_fails BEFORE INSERT ON snapshot_chunks WHEN NEW.idx = 1 BEGIN SELECT RAISE(ABORT, 'no room'); END");
    db.close();

    const before = store.append("b", addAt(4));
    const snapshot = store.saveSnapshot("b", boardOf(SNAPSHOT_CHUNK.strokes + 1));
    const after = store.appendChat("b", chatAt(1));

    await expect(snapshot).rejects.toThrow("no room");
    await Promise.all([before, after]);
    expect(await store.load("b")).toEqual({ epoch: "epoch-b", snapshot: first, ops: [addAt(4)], chat: [chatAt(1)], access: null });
  });

  it("opens a file written before chunks (the whole snapshot in the board's row), and moves it to chunks on the next snapshot", async () => {
    const file = dbFile();
    const old = boardOf(40, 2);
    const tail = addAt(old.seq + 1, "tail");
    // The rows the store wrote before snapshots were chunked.
    const db = new Database(file);
    db.exec(SCHEMA_BEFORE_CHUNKS);
    db.prepare("INSERT INTO boards (id, epoch, updated_at, snapshot_seq, snapshot) VALUES (?, ?, ?, ?, ?)").run(
      "legacy", "epoch-legacy", Date.now(), old.seq, JSON.stringify(old),
    );
    db.prepare("INSERT INTO ops (board_id, seq, op) VALUES (?, ?, ?)").run("legacy", tail.seq, JSON.stringify(tail));
    db.close();

    const store = open(file);
    expect(await store.load("legacy")).toMatchObject({ epoch: "epoch-legacy", snapshot: old, ops: [tail] });
    expect(boardsColumns(file)).toEqual(["id", "epoch", "snapshot_seq", "snapshot", "access", "view_key", "listed"]);

    const next = boardOf(SNAPSHOT_CHUNK.strokes + 10, 0, old.seq + 1);
    await store.saveSnapshot("legacy", next);
    const row = peek(file, (db) =>
      db.prepare<[string], { snapshot: string | null; snapshot_seq: number }>("SELECT snapshot, snapshot_seq FROM boards WHERE id = ?").get("legacy"),
    );
    expect(row).toEqual({ snapshot: null, snapshot_seq: next.seq });
    expect(chunkRows(file, "legacy")).toHaveLength(2);
    expect((await open(file).load("legacy"))?.snapshot).toEqual(next);
  });

  it("opens a file with boards.updated_at and its index (before they were dropped), drops both, and goes on as before", async () => {
    const file = dbFile();
    const snapshot = boardOf(5);
    // One board, as the store wrote it before updated_at was dropped.
    const db = new Database(file);
    db.exec(SCHEMA_BEFORE_DROP);
    const { strokes, ...head } = snapshot;
    db.prepare("INSERT INTO boards (id, epoch, updated_at, snapshot_seq) VALUES (?, ?, ?, ?)").run("old", "epoch-old", Date.now(), snapshot.seq);
    db.prepare("INSERT INTO snapshots (board_id, head, chunks) VALUES (?, ?, 1)").run("old", JSON.stringify(head));
    db.prepare("INSERT INTO snapshot_chunks (board_id, idx, strokes) VALUES (?, 0, ?)").run("old", JSON.stringify(strokes));
    db.prepare("INSERT INTO ops (board_id, seq, op) VALUES (?, ?, ?)").run("old", 6, JSON.stringify(addAt(6)));
    db.prepare("INSERT INTO chat (board_id, id, entry) VALUES (?, ?, ?)").run("old", 1, JSON.stringify(chatAt(1)));
    db.close();
    expect(boardsColumns(file)).toContain("updated_at");

    const store = open(file);
    expect(await store.load("old")).toEqual({ epoch: "epoch-old", snapshot, ops: [addAt(6)], chat: [chatAt(1)], access: null });
    await Promise.all([store.append("old", addAt(7)), store.appendChat("old", chatAt(2)), store.create("new", "epoch-new")]);
    await store.append("new", addAt(1));

    expect(boardsColumns(file)).toEqual(["id", "epoch", "snapshot_seq", "snapshot", "access", "view_key", "listed"]);
    expect(indexes(file)).not.toContain("boards_updated");
    const reopened = open(file);
    expect(await reopened.load("old")).toEqual({ epoch: "epoch-old", snapshot, ops: [addAt(6), addAt(7)], chat: [chatAt(1), chatAt(2)], access: null });
    expect(await reopened.load("new")).toEqual({ epoch: "epoch-new", snapshot: null, ops: [addAt(1)], chat: [], access: null });
  });
});
