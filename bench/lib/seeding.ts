import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { databaseFile } from "../../lib/server/storage";
import type { ClientPool } from "./client-pool";
import type { Scope } from "./scope";
import { startBenchServer, type BenchServer, type ServerOptions } from "./server-process";

/**
 * Boards of a given size for the join and storage cases, filled through the protocol (one
 * connection, ops in flight) with hand-drawn strokes: first LEADING_OPS circle colour changes,
 * then the strokes. So a board of N strokes has N + 250 ops, and with the default
 * SNAPSHOT_EVERY (500) an SQLite store holds it as a snapshot at seq N plus a tail of 250
 * stroke ops: half a snapshot interval, the average a real board is reopened with.
 */
export const LEADING_OPS = 250;
const SEED_WINDOW = 100;

export interface SeededBoard {
  boardId: string;
  strokes: number;
  ops: number;
  seedMs: number;
}

/** What an SQLite file holds for a board: where its snapshot is and how long its tail. */
export interface StoredLayout {
  boardId: string;
  snapshotSeq: number;
  snapshotBytes: number;
  tailOps: number;
}

export async function seedBoard(pool: ClientPool, server: BenchServer, boardId: string, strokes: number): Promise<SeededBoard> {
  const res = await pool.seed({ url: server.url, boardId, strokes, leadingOps: LEADING_OPS, window: SEED_WINDOW });
  return { boardId, strokes, ops: res.ops, seedMs: res.ms };
}

/** A temporary directory for an SQLite file, removed when the cell's scope closes. */
export function tempDataDir(scope: Scope): string {
  const dir = mkdtempSync(join(tmpdir(), "scribble-bench-"));
  scope.add({ stop: async () => rmSync(dir, { recursive: true, force: true }) });
  return dir;
}

/**
 * Fills SQLite boards in `dataDir`, each through a server of its own run with SNAPSHOT_EVERY set
 * to the board's stroke count, closed gracefully after. Ops 1..250 are colour changes and
 * 251..N+250 strokes, so that server snapshots once, at seq N, and leaves the last 250 stroke ops
 * as its tail: the same file a default server (a snapshot every 500 ops) would leave, without
 * serialising the growing board 20 times on the way. (Before d4464be every op also rewrote the
 * board's row, snapshot included, and filling a big board through a default server took minutes.)
 */
export async function seedSqlite(
  pool: ClientPool,
  dataDir: string,
  boards: { boardId: string; strokes: number }[],
  server: Omit<ServerOptions, "store" | "dataDir" | "env">,
): Promise<SeededBoard[]> {
  const seeded: SeededBoard[] = [];
  for (const b of boards) {
    const seeder = await startBenchServer({ ...server, store: "sqlite", dataDir, env: { SNAPSHOT_EVERY: String(b.strokes) } });
    try {
      seeded.push(await seedBoard(pool, seeder, b.boardId, b.strokes));
      await seeder.close();
    } finally {
      await seeder.stop();
    }
  }
  return seeded;
}

/** Reads the SQLite file of a stopped server: what each board will be reopened from. */
export function storedLayout(dataDir: string, boardIds: string[]): StoredLayout[] {
  const db = new Database(databaseFile(dataDir), { readonly: true, fileMustExist: true });
  try {
    const board = db.prepare<[string], { snapshot_seq: number; bytes: number | null }>(
      // A snapshot is a header row plus chunk rows; files from before chunks hold it in the board's row.
      `SELECT snapshot_seq, coalesce(length(snapshot), 0)
         + coalesce((SELECT length(head) FROM snapshots WHERE board_id = boards.id), 0)
         + coalesce((SELECT sum(length(strokes)) FROM snapshot_chunks WHERE board_id = boards.id), 0) AS bytes
       FROM boards WHERE id = ?`,
    );
    const tail = db.prepare<[string, number], { n: number }>("SELECT count(*) AS n FROM ops WHERE board_id = ? AND seq > ?");
    return boardIds.map((boardId) => {
      const row = board.get(boardId);
      if (!row) throw new Error(`board ${boardId} is not in the SQLite file`);
      return { boardId, snapshotSeq: row.snapshot_seq, snapshotBytes: row.bytes ?? 0, tailOps: tail.get(boardId, row.snapshot_seq)?.n ?? 0 };
    });
  } finally {
    db.close();
  }
}

/** Bytes of the SQLite file and its WAL. */
export function storeBytes(dataDir: string): number {
  return readdirSync(dataDir).reduce((n, f) => n + statSync(join(dataDir, f)).size, 0);
}
