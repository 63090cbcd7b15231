import type { PersistedBoard, StoredChat } from "../../board";
import { LIMITS, type AppliedOp } from "../../protocol";
import type { BoardStore, StoredBoard } from "./board-store";

/**
 * Boards in this process's memory: for tests and for `STORAGE=memory`. Values are copied in and
 * out, so that it behaves like a real store (nothing shared by reference); with structuredClone,
 * not a JSON round trip, which would need the whole of a big board as one string.
 */
export class MemoryStore implements BoardStore {
  readonly kind = "memory";
  private readonly boards = new Map<string, StoredBoard>();

  async load(boardId: string): Promise<StoredBoard | null> {
    const b = this.boards.get(boardId);
    return b ? copy({ epoch: b.epoch, snapshot: b.snapshot, ops: b.ops, chat: b.chat }) : null;
  }

  async create(boardId: string, epoch: string): Promise<void> {
    if (!this.boards.has(boardId)) this.boards.set(boardId, { epoch, snapshot: null, ops: [], chat: [] });
  }

  async append(boardId: string, op: AppliedOp): Promise<void> {
    const b = this.board(boardId);
    b.ops.push(copy(op));
  }

  async saveSnapshot(boardId: string, snapshot: PersistedBoard): Promise<void> {
    const b = this.board(boardId);
    b.snapshot = copy(snapshot);
    b.ops = b.ops.filter((op) => op.seq > snapshot.seq);
  }

  async appendChat(boardId: string, chat: StoredChat): Promise<void> {
    const b = this.board(boardId);
    b.chat = [...b.chat, copy(chat)].slice(-LIMITS.chatHistory);
  }

  async close(): Promise<void> {}

  private board(boardId: string): StoredBoard {
    const b = this.boards.get(boardId);
    if (!b) throw new Error(`board ${boardId} was not created in the store`);
    return b;
  }
}

const copy = <T>(value: T): T => structuredClone(value);
