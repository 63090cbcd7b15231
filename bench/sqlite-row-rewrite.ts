/**
 * `npx tsx bench/sqlite-row-rewrite.ts`: what one op's write costs in SQLite when the board's row
 * holds a snapshot of a given size. Until d4464be, lib/server/storage/sqlite-store.ts appended an
 * op with an INSERT into `ops` and an UPDATE of `boards.updated_at`; the boards row also holds the
 * snapshot as TEXT, and SQLite rewrites a whole row (overflow pages included) on any update. Now
 * an op is the INSERT alone. Same schema, pragmas and statements as the store, in a temporary
 * directory, 1,000 ops of 1.4 KB per size, 5 per transaction (the store commits once per
 * event-loop turn). The finding that led to the change: see docs/BENCHMARKS.md.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";

const dir = mkdtempSync(join(tmpdir(), "scribble-rewrite-"));
try {
  const db = new Database(join(dir, "x.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(`
    CREATE TABLE boards (id TEXT PRIMARY KEY, epoch TEXT NOT NULL, updated_at INTEGER NOT NULL, snapshot_seq INTEGER NOT NULL DEFAULT 0, snapshot TEXT);
    CREATE TABLE ops (board_id TEXT NOT NULL, seq INTEGER NOT NULL, op TEXT NOT NULL, PRIMARY KEY (board_id, seq)) WITHOUT ROWID;
  `);
  db.prepare("INSERT INTO boards (id, epoch, updated_at) VALUES ('b', 'e', 0)").run();
  const append = db.prepare("INSERT INTO ops (board_id, seq, op) VALUES (?, ?, ?)");
  const touch = db.prepare("UPDATE boards SET updated_at = ? WHERE id = ?");
  const setSnapshot = db.prepare("UPDATE boards SET snapshot = ? WHERE id = 'b'");
  const op = JSON.stringify({ points: "x".repeat(1_400) });
  let seq = 0;
  console.log("| snapshot in the row | ms per op, INSERT + UPDATE updated_at (before d4464be) | ms per op, INSERT only (now) |");
  console.log("| ---: | ---: | ---: |");
  for (const mb of [0, 1, 3, 13]) {
    setSnapshot.run(mb ? "y".repeat(mb * 1_000_000) : null);
    const timed = (withTouch: boolean) => {
      const started = performance.now();
      for (let t = 0; t < 200; t++) {
        db.transaction(() => {
          for (let i = 0; i < 5; i++) {
            append.run("b", ++seq, op);
            if (withTouch) touch.run(Date.now(), "b");
          }
        })();
      }
      return (performance.now() - started) / 1_000;
    };
    const both = timed(true);
    const insertOnly = timed(false);
    console.log(`| ${mb} MB | ${both.toFixed(3)} | ${insertOnly.toFixed(3)} |`);
  }
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
