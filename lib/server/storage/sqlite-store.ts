import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { recordOf, type HistoryRecord, type PersistedAccess, type PersistedBoard, type StoredChat } from "../../board";
import { upgradeOp } from "./upgrade";
import { LIMITS, type AppliedOp, type Stroke } from "../../protocol";
import { notCreated, storeClosed, type BoardStore, type StoredBoard } from "./board-store";
import { strokeChunks } from "./snapshot-chunks";

type Write = () => void;

/**
 * SQLite's `synchronous` in WAL mode. `normal`: a committed transaction survives the process being
 * killed; only a power cut or OS crash can lose the last commits. `full`: those too, at some write speed.
 */
export const SQLITE_SYNCHRONOUS_MODES = ["normal", "full"] as const;
export type SqliteSynchronous = (typeof SQLITE_SYNCHRONOUS_MODES)[number];

/**
 * Boards in one SQLite file (WAL mode). Writes are queued and committed together once per
 * event-loop turn, in one transaction: a burst of ops costs one commit, and each op's promise
 * resolves only after the commit that holds it. better-sqlite3 is synchronous, so the order of
 * writes is the order of calls; each write is a savepoint of its own, so one that fails is undone
 * and rejected alone. An op is one small row insert; a snapshot is a header row plus its
 * strokes in chunk rows, written only with a new snapshot, never per op, and never as one string
 * (a board of thousands of long strokes would pass the longest string V8 can build).
 */
export class SqliteStore implements BoardStore {
  readonly kind = "sqlite";
  private readonly db: Database.Database;
  private queue: { write: Write; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private flushing: Promise<void> | null = null;
  /** Set by `close`: from then on every call is refused. */
  private closing: Promise<void> | null = null;
  private readonly statements;
  private readonly savepoint;

  constructor(
    readonly file: string,
    synchronous: SqliteSynchronous = "normal",
    private readonly historyBytes: number = LIMITS.historyBytesMax,
  ) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS boards (
        id TEXT PRIMARY KEY,
        epoch TEXT NOT NULL,
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
    `);
    dropUpdatedAt(this.db);
    addAccess(this.db);
    this.statements = {
      exists: this.db.prepare<[string], 1>("SELECT 1 FROM boards WHERE id = ?").pluck(),
      board: this.db.prepare<[string], { epoch: string; snapshot: string | null; access: string | null }>("SELECT epoch, snapshot, access FROM boards WHERE id = ?"),
      accessSet: this.db.prepare("UPDATE boards SET access = ?, view_key = ?, listed = ? WHERE id = ?"),
      byViewKey: this.db.prepare<[string], string>("SELECT id FROM boards WHERE view_key = ?").pluck(),
      listed: this.db.prepare<[number], string>("SELECT id FROM boards WHERE listed = 1 ORDER BY id LIMIT ?").pluck(),
      head: this.db.prepare<[string], { head: string; chunks: number }>("SELECT head, chunks FROM snapshots WHERE board_id = ?"),
      chunks: this.db.prepare<[string], { strokes: string }>("SELECT strokes FROM snapshot_chunks WHERE board_id = ? ORDER BY idx"),
      ops: this.db.prepare<[string, number], { op: string }>("SELECT op FROM ops WHERE board_id = ? AND seq > ? ORDER BY seq"),
      opsPage: this.db.prepare<[string, number, number], string>("SELECT op FROM ops WHERE board_id = ? AND seq > ? ORDER BY seq LIMIT ?").pluck(),
      ids: this.db.prepare<[], string>("SELECT id FROM boards ORDER BY id").pluck(),
      chat: this.db.prepare<[string, number], { entry: string }>(
        "SELECT entry FROM (SELECT id, entry FROM chat WHERE board_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id",
      ),
      create: this.db.prepare("INSERT OR IGNORE INTO boards (id, epoch) VALUES (?, ?)"),
      append: this.db.prepare("INSERT INTO ops (board_id, seq, op) VALUES (?, ?, ?)"),
      // The whole-snapshot column of older files is emptied by the first chunked snapshot.
      snapshotSeq: this.db.prepare("UPDATE boards SET snapshot = NULL, snapshot_seq = ? WHERE id = ?"),
      headSet: this.db.prepare("INSERT OR REPLACE INTO snapshots (board_id, head, chunks) VALUES (?, ?, ?)"),
      chunksClear: this.db.prepare("DELETE FROM snapshot_chunks WHERE board_id = ?"),
      chunkAdd: this.db.prepare("INSERT INTO snapshot_chunks (board_id, idx, strokes) VALUES (?, ?, ?)"),
      // What the history needs of each op, read by SQLite itself: a board's whole log without its points.
      history: this.db.prepare<[string, number], { seq: number; author: string; name: string | null; at: number | null; type: HistoryRecord["type"]; ids: string | null; color: string | null }>(
        `SELECT seq, json_extract(op, '$.author') AS author, json_extract(op, '$.name') AS name, json_extract(op, '$.at') AS at,
           json_extract(op, '$.op.type') AS type, json_extract(op, '$.op.color') AS color,
           CASE json_extract(op, '$.op.type')
             WHEN 'stroke:add' THEN json_array(json_extract(op, '$.op.stroke.id'))
             WHEN 'circle:set' THEN '[]'
             ELSE json_extract(op, '$.op.strokeIds') END AS ids
         FROM (SELECT seq, op FROM ops WHERE board_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq`,
      ),
      op: this.db.prepare<[string, number], string>("SELECT op FROM ops WHERE board_id = ? AND seq = ?").pluck(),
      // The oldest ops a snapshot covers go once all the board's ops pass the history's budget.
      pruneHistory: this.db.prepare<{ board: string; seq: number; budget: number }>(
        `DELETE FROM ops WHERE board_id = @board AND seq <= @seq AND seq < (
           SELECT COALESCE(MIN(seq), @seq + 1) FROM (
             SELECT seq, SUM(length(op)) OVER (ORDER BY seq DESC) AS kept FROM ops WHERE board_id = @board
           ) WHERE kept <= @budget)`,
      ),
      deleteBoard: ["boards:id", "ops:board_id", "chat:board_id", "snapshots:board_id", "snapshot_chunks:board_id"].map((entry) => {
        const [table, column] = entry.split(":");
        return this.db.prepare(`DELETE FROM ${table} WHERE ${column} = ?`);
      }),
      chatAdd: this.db.prepare("INSERT OR REPLACE INTO chat (board_id, id, entry) VALUES (?, ?, ?)"),
      chatPrune: this.db.prepare("DELETE FROM chat WHERE board_id = ? AND id <= ?"),
    };
    // Called inside the batch's transaction, better-sqlite3 makes it a savepoint.
    this.savepoint = this.db.transaction((write: Write) => write());
  }

  async load(boardId: string): Promise<StoredBoard | null> {
    if (this.closing) throw storeClosed();
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
      access: row.access ? (JSON.parse(row.access) as PersistedAccess) : null,
    };
  }

  create(boardId: string, epoch: string): Promise<void> {
    return this.enqueue(() => this.statements.create.run(boardId, epoch));
  }

  append(boardId: string, op: AppliedOp): Promise<void> {
    const json = JSON.stringify(op);
    return this.enqueue(() => {
      this.mustExist(boardId);
      this.statements.append.run(boardId, op.seq, json);
    });
  }

  saveSnapshot(boardId: string, snapshot: PersistedBoard): Promise<void> {
    const { strokes, ...rest } = snapshot;
    const head = JSON.stringify(rest);
    const chunks = strokeChunks(strokes);
    return this.enqueue(() => {
      this.mustExist(boardId);
      this.statements.headSet.run(boardId, head, chunks.length);
      this.statements.chunksClear.run(boardId);
      chunks.forEach((chunk, idx) => this.statements.chunkAdd.run(boardId, idx, chunk));
      this.statements.snapshotSeq.run(snapshot.seq, boardId);
      this.statements.pruneHistory.run({ board: boardId, seq: snapshot.seq, budget: this.historyBytes });
    });
  }

  async historyOf(boardId: string, limit: number): Promise<HistoryRecord[]> {
    if (this.closing) throw storeClosed();
    await this.flush();
    return this.statements.history.all(boardId, limit).map((row) => {
      // A restore stored by a version before restores went by id holds its strokes: read it whole.
      if (row.ids === null) return recordOf(upgradeOp(JSON.parse(this.statements.op.get(boardId, row.seq)!) as AppliedOp));
      const { name, at, color } = row;
      return { seq: row.seq, author: row.author, ...(name !== null && { name }), ...(at !== null && { at }), type: row.type, strokeIds: JSON.parse(row.ids) as string[], ...(color !== null && { color }) };
    });
  }

  appendChat(boardId: string, chat: StoredChat): Promise<void> {
    const json = JSON.stringify(chat);
    return this.enqueue(() => {
      this.mustExist(boardId);
      this.statements.chatAdd.run(boardId, chat.message.id, json);
      this.statements.chatPrune.run(boardId, chat.message.id - LIMITS.chatHistory);
    });
  }

  saveAccess(boardId: string, access: PersistedAccess): Promise<void> {
    const json = JSON.stringify(access);
    return this.enqueue(() => {
      this.mustExist(boardId);
      this.statements.accessSet.run(json, access.viewKey, access.settings.listed ? 1 : 0, boardId);
    });
  }

  deleteBoard(boardId: string): Promise<void> {
    return this.enqueue(() => {
      for (const statement of this.statements.deleteBoard) statement.run(boardId);
    });
  }

  async findByViewKey(viewKey: string): Promise<string | null> {
    if (this.closing) throw storeClosed();
    await this.flush();
    return this.statements.byViewKey.get(viewKey) ?? null;
  }

  async listedBoards(limit: number): Promise<string[]> {
    if (this.closing) throw storeClosed();
    await this.flush();
    return this.statements.listed.all(limit);
  }

  /** Every board stored, by id: for tools that read the whole file (tools/migrate-to-redis.ts). */
  async boardIds(): Promise<string[]> {
    if (this.closing) throw storeClosed();
    await this.flush();
    return this.statements.ids.all();
  }

  /** The ops the store keeps of a board after `seq`, its history included, at most `limit`, in seq order, as stored. */
  async opsAfter(boardId: string, seq: number, limit: number): Promise<AppliedOp[]> {
    if (this.closing) throw storeClosed();
    await this.flush();
    return this.statements.opsPage.all(boardId, seq, limit).map((json) => JSON.parse(json) as AppliedOp);
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

  close(): Promise<void> {
    return (this.closing ??= this.flush().then(() => void this.db.close()));
  }

  /** Without it SQLite would take ops of a board it has no row for, which no load would ever find. */
  private mustExist(boardId: string): void {
    if (this.statements.exists.get(boardId) === undefined) throw notCreated(boardId);
  }

  private enqueue(write: Write): Promise<void> {
    if (this.closing) return Promise.reject(storeClosed());
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
    const failed = new Map<number, unknown>();
    try {
      this.db.transaction(() => {
        batch.forEach((w, i) => {
          try {
            this.savepoint(w.write);
          } catch (err) {
            failed.set(i, err);
          }
        });
      })();
    } catch (err) {
      for (const w of batch) w.reject(err);
      return;
    }
    batch.forEach((w, i) => (failed.has(i) ? w.reject(failed.get(i)) : w.resolve()));
  }
}

/**
 * Files made by earlier versions have `boards.updated_at`, which nothing reads, and an index on it that
 * every new board paid for. Gone at the first open (SQLite 3.35+ drops a column; better-sqlite3
 * bundles a later one), in one transaction.
 */
function dropUpdatedAt(db: Database.Database): void {
  const columns = db.pragma("table_info(boards)") as { name: string }[];
  if (!columns.some((c) => c.name === "updated_at")) return;
  db.transaction(() => {
    db.exec("DROP INDEX IF EXISTS boards_updated");
    db.exec("ALTER TABLE boards DROP COLUMN updated_at");
  })();
}

/**
 * Owners came with this version: a board's access (JSON), its view key (looked up by view-only
 * links, so indexed and unique) and whether it is listed (for the lobby). Boards stored before
 * have none of them: nobody owns them. Added at the first open, in one transaction.
 */
function addAccess(db: Database.Database): void {
  const columns = db.pragma("table_info(boards)") as { name: string }[];
  if (columns.some((c) => c.name === "access")) return;
  db.transaction(() => {
    db.exec("ALTER TABLE boards ADD COLUMN access TEXT");
    db.exec("ALTER TABLE boards ADD COLUMN view_key TEXT");
    db.exec("ALTER TABLE boards ADD COLUMN listed INTEGER NOT NULL DEFAULT 0");
    db.exec("CREATE UNIQUE INDEX boards_view_key ON boards (view_key) WHERE view_key IS NOT NULL");
    db.exec("CREATE INDEX boards_listed ON boards (listed) WHERE listed = 1");
  })();
}
