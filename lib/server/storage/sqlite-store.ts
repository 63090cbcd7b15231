import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { PersistedBoard, StoredChat } from "../../board";
import { LIMITS, type AppliedOp, type Stroke } from "../../protocol";
import type { BoardStore, StoredBoard } from "./board-store";

type Write = () => void;

/**
 * Boards in one SQLite file (WAL mode). Writes are queued and committed together once per
 * event-loop turn, in one transaction: a burst of ops costs one commit, and each op's promise
 * resolves only after the commit that holds it. better-sqlite3 is synchronous, so the order of
 * writes is the order of calls. An op is one small row insert; a snapshot is a header row plus its
 * strokes in chunk rows, written only with a new snapshot, never per op, and never as one string
 * (a board of thousands of long strokes would pass the longest string V8 can build).
 */
export class SqliteStore implements BoardStore {
  readonly kind = "sqlite";
  private readonly db: Database.Database;
  private queue: { write: Write; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private flushing: Promise<void> | null = null;
  private readonly statements;

  constructor(readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    // NORMAL in WAL mode: a committed transaction survives the process being killed; only a
    // power cut or OS crash can lose the last commits (set SQLITE_SYNCHRONOUS=full for that).
    this.db.pragma(`synchronous = ${process.env.SQLITE_SYNCHRONOUS === "full" ? "FULL" : "NORMAL"}`);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS boards (
        id TEXT PRIMARY KEY,
        epoch TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        snapshot_seq INTEGER NOT NULL DEFAULT 0,
        snapshot TEXT
      );
      CREATE TABLE IF NOT EXISTS ops (
        board_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        op TEXT NOT NULL,
        PRIMARY KEY (board_id, seq)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS chat (
        board_id TEXT NOT NULL,
        id INTEGER NOT NULL,
        entry TEXT NOT NULL,
        PRIMARY KEY (board_id, id)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS snapshots (
        board_id TEXT PRIMARY KEY,
        head TEXT NOT NULL,
        chunks INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS snapshot_chunks (
        board_id TEXT NOT NULL,
        idx INTEGER NOT NULL,
        strokes TEXT NOT NULL,
        PRIMARY KEY (board_id, idx)
      );
      CREATE INDEX IF NOT EXISTS boards_updated ON boards (updated_at DESC);
    `);
    this.statements = {
      board: this.db.prepare<[string], { epoch: string; snapshot: string | null }>("SELECT epoch, snapshot FROM boards WHERE id = ?"),
      head: this.db.prepare<[string], { head: string; chunks: number }>("SELECT head, chunks FROM snapshots WHERE board_id = ?"),
      chunks: this.db.prepare<[string], { strokes: string }>("SELECT strokes FROM snapshot_chunks WHERE board_id = ? ORDER BY idx"),
      ops: this.db.prepare<[string, number], { op: string }>("SELECT op FROM ops WHERE board_id = ? AND seq > ? ORDER BY seq"),
      chat: this.db.prepare<[string, number], { entry: string }>(
        "SELECT entry FROM (SELECT id, entry FROM chat WHERE board_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id",
      ),
      create: this.db.prepare("INSERT OR IGNORE INTO boards (id, epoch, updated_at) VALUES (?, ?, ?)"),
      append: this.db.prepare("INSERT INTO ops (board_id, seq, op) VALUES (?, ?, ?)"),
      // The whole-snapshot column of older files is emptied by the first chunked snapshot.
      snapshotSeq: this.db.prepare("UPDATE boards SET snapshot = NULL, snapshot_seq = ? WHERE id = ?"),
      headSet: this.db.prepare("INSERT OR REPLACE INTO snapshots (board_id, head, chunks) VALUES (?, ?, ?)"),
      chunksClear: this.db.prepare("DELETE FROM snapshot_chunks WHERE board_id = ?"),
      chunkAdd: this.db.prepare("INSERT INTO snapshot_chunks (board_id, idx, strokes) VALUES (?, ?, ?)"),
      prune: this.db.prepare("DELETE FROM ops WHERE board_id = ? AND seq <= ?"),
      chatAdd: this.db.prepare("INSERT OR REPLACE INTO chat (board_id, id, entry) VALUES (?, ?, ?)"),
      chatPrune: this.db.prepare("DELETE FROM chat WHERE board_id = ? AND id <= ?"),
    };
  }

  async load(boardId: string): Promise<StoredBoard | null> {
    // Reads see every write made before them: what is queued goes to disk first.
    await this.flush();
    const row = this.statements.board.get(boardId);
    if (!row) return null;
    const snapshot = this.readSnapshot(boardId) ?? (row.snapshot ? (JSON.parse(row.snapshot) as PersistedBoard) : null);
    return {
      epoch: row.epoch,
      snapshot,
      ops: this.statements.ops.all(boardId, snapshot?.seq ?? 0).map((r) => JSON.parse(r.op) as AppliedOp),
      chat: this.statements.chat.all(boardId, LIMITS.chatHistory).map((r) => JSON.parse(r.entry) as StoredChat),
    };
  }

  create(boardId: string, epoch: string): Promise<void> {
    return this.enqueue(() => this.statements.create.run(boardId, epoch, Date.now()));
  }

  append(boardId: string, op: AppliedOp): Promise<void> {
    const json = JSON.stringify(op);
    return this.enqueue(() => this.statements.append.run(boardId, op.seq, json));
  }

  saveSnapshot(boardId: string, snapshot: PersistedBoard): Promise<void> {
    const { strokes, ...rest } = snapshot;
    const head = JSON.stringify(rest);
    const chunks = strokeChunks(strokes);
    return this.enqueue(() => {
      this.statements.headSet.run(boardId, head, chunks.length);
      this.statements.chunksClear.run(boardId);
      chunks.forEach((chunk, idx) => this.statements.chunkAdd.run(boardId, idx, chunk));
      this.statements.snapshotSeq.run(snapshot.seq, boardId);
      this.statements.prune.run(boardId, snapshot.seq);
    });
  }

  appendChat(boardId: string, chat: StoredChat): Promise<void> {
    const json = JSON.stringify(chat);
    return this.enqueue(() => {
      this.statements.chatAdd.run(boardId, chat.message.id, json);
      this.statements.chatPrune.run(boardId, chat.message.id - LIMITS.chatHistory);
    });
  }

  /** The chunked snapshot, strokes in their order, or null when the board has none in that form. */
  private readSnapshot(boardId: string): PersistedBoard | null {
    const row = this.statements.head.get(boardId);
    if (!row) return null;
    const strokes: Stroke[] = [];
    let chunks = 0;
    for (const { strokes: chunk } of this.statements.chunks.iterate(boardId)) {
      for (const stroke of JSON.parse(chunk) as Stroke[]) strokes.push(stroke);
      chunks++;
    }
    // Written in one transaction, so a mismatch means a damaged file: better no board than half of one.
    if (chunks !== row.chunks) throw new Error(`the snapshot of board ${boardId} has ${chunks} of its ${row.chunks} chunks`);
    return { ...(JSON.parse(row.head) as Omit<PersistedBoard, "strokes">), strokes };
  }

  async close(): Promise<void> {
    await this.flush();
    this.db.close();
  }

  private enqueue(write: Write): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ write, resolve, reject });
      this.flushing ??= new Promise<void>((done) => setImmediate(done)).then(() => this.commit());
    });
  }

  /** Resolves once everything queued so far is committed. */
  private async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private commit(): void {
    const batch = this.queue;
    this.queue = [];
    this.flushing = null;
    try {
      this.db.transaction(() => {
        for (const w of batch) w.write();
      })();
      for (const w of batch) w.resolve();
    } catch (err) {
      for (const w of batch) w.reject(err);
    }
  }
}

/**
 * Bounds of one chunk of a snapshot's strokes: far below V8's longest string (about 512 MiB of
 * characters) and SQLite's longest value (1 GB), and small enough that writing or reading one
 * never needs much memory at once.
 */
export const SNAPSHOT_CHUNK = { strokes: 1_000, chars: 4_000_000 } as const;

/** The strokes as JSON arrays of at most `SNAPSHOT_CHUNK` each, in order; none for no strokes. */
function strokeChunks(strokes: readonly Stroke[]): string[] {
  const chunks: string[] = [];
  let parts: string[] = [];
  let chars = 0;
  const close = () => {
    chunks.push(`[${parts.join(",")}]`);
    parts = [];
    chars = 0;
  };
  for (const stroke of strokes) {
    const json = JSON.stringify(stroke);
    if (parts.length === SNAPSHOT_CHUNK.strokes || (parts.length > 0 && chars + json.length + 1 > SNAPSHOT_CHUNK.chars)) close();
    parts.push(json);
    chars += json.length + 1;
  }
  if (parts.length > 0) close();
  return chunks;
}
