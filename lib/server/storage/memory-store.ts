import { recordOf, type HistoryRecord, type PersistedAccess, type PersistedBoard, type StoredChat } from "../../board";
import { upgradeOp } from "./upgrade";
import { LIMITS, type AppliedOp } from "../../protocol";
import { notCreated, storeClosed, type BoardStore, type StoredBoard } from "./board-store";

/**
 * Boards in this process's memory: for tests and for `STORAGE=memory`. It keeps the contract of
 * every store (values copied in and out, nothing shared by reference; refusals after `close`), so
 * that what passes against it passes against a real one. Copies with structuredClone, not a JSON
 * round trip, which would need the whole of a big board as one string.
 */
export class MemoryStore implements BoardStore {
  readonly kind = "memory";
  private readonly boards = new Map<string, StoredBoard>();
  private closed = false;

  constructor(private readonly historyBytes: number = LIMITS.historyBytesMax) {}

  async load(boardId: string): Promise<StoredBoard | null> {
    this.checkOpen();
    const b = this.boards.get(boardId);
    if (!b) return null;
    const after = b.snapshot?.seq ?? 0;
    return copy({ epoch: b.epoch, snapshot: b.snapshot, ops: b.ops.filter((op) => op.seq > after), chat: b.chat, access: b.access });
  }

  async create(boardId: string, epoch: string): Promise<void> {
    this.checkOpen();
    if (!this.boards.has(boardId)) this.boards.set(boardId, { epoch, snapshot: null, ops: [], chat: [], access: null });
  }

  async append(boardId: string, op: AppliedOp): Promise<void> {
    const b = this.board(boardId);
    b.ops.push(copy(op));
  }

  async saveSnapshot(boardId: string, snapshot: PersistedBoard): Promise<void> {
    const b = this.board(boardId);
    b.snapshot = copy(snapshot);
    // The oldest ops the snapshot covers go once all of them pass the history's budget.
    let kept = 0;
    const keepFrom = b.ops.findLastIndex((op) => (kept += JSON.stringify(op).length) > this.historyBytes) + 1;
    b.ops = b.ops.filter((op, i) => i >= keepFrom || op.seq > snapshot.seq);
  }

  async historyOf(boardId: string, limit: number): Promise<HistoryRecord[]> {
    this.checkOpen();
    return (this.boards.get(boardId)?.ops ?? []).slice(-limit).map((op) => recordOf(upgradeOp(copy(op))));
  }

  async appendChat(boardId: string, chat: StoredChat): Promise<void> {
    const b = this.board(boardId);
    b.chat = [...b.chat, copy(chat)].slice(-LIMITS.chatHistory);
  }

  async saveAccess(boardId: string, access: PersistedAccess): Promise<void> {
    const b = this.board(boardId);
    const holder = [...this.boards].find(([id, other]) => id !== boardId && other.access?.viewKey === access.viewKey);
    if (holder) throw new Error("that view key is another board's");
    b.access = copy(access);
  }

  async deleteBoard(boardId: string): Promise<void> {
    this.checkOpen();
    this.boards.delete(boardId);
  }

  async findByViewKey(viewKey: string): Promise<string | null> {
    this.checkOpen();
    for (const [id, b] of this.boards) if (b.access?.viewKey === viewKey) return id;
    return null;
  }

  async listedBoards(limit: number): Promise<string[]> {
    this.checkOpen();
    return [...this.boards].filter(([, b]) => b.access?.settings.listed).map(([id]) => id).sort().slice(0, limit);
  }

  /** Nothing is ever in flight: every write is done when its call returns. */
  async close(): Promise<void> {
    this.closed = true;
  }

  private board(boardId: string): StoredBoard {
    this.checkOpen();
    const b = this.boards.get(boardId);
    if (!b) throw notCreated(boardId);
    return b;
  }

  private checkOpen(): void {
    if (this.closed) throw storeClosed();
  }
}

const copy = <T>(value: T): T => structuredClone(value);
