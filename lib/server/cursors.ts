import type { CursorUpdate } from "../protocol";
import { boardRoom, boardSockets, ownersRoom, type ScribbleServer } from "./rooms";

/** Whose cursors a board's tabs get: null for everyone's; else non-owners get only the owners'. */
export type CursorAudience = (boardId: string) => { isOwner: (userId: string) => boolean } | null;

/**
 * Server-side cursor coalescing. Cursors are the heaviest traffic a board carries: N people
 * moving at 30 Hz make N×(N−1)×30 messages a second through a plain relay. Instead, the hub keeps
 * each board's latest position per person and, once per tick, sends every member one volatile
 * batch of the cursors that changed since the last tick, leaving out the member's own.
 */
export class CursorHub {
  /** boardId → userId → the latest update not sent yet. */
  private readonly changed = new Map<string, Map<string, CursorUpdate>>();
  /** boardId → userId → the last update sent, to skip one that changes nothing. */
  private readonly sent = new Map<string, Map<string, CursorUpdate>>();
  private timer: NodeJS.Timeout | undefined;
  private lastFlushAt = Date.now();

  constructor(
    private readonly io: ScribbleServer,
    private readonly tickMs: number,
    private readonly audience: CursorAudience = () => null,
    /** Cluster mode: the room of every socket on this node (see nodeRoom): the other nodes' tabs get this node's cursors by one batch a tick. */
    private readonly here?: string,
  ) {}

  update(boardId: string, update: CursorUpdate): void {
    const last = this.sent.get(boardId)?.get(update.id);
    const pending = this.changed.get(boardId);
    if (!pending?.has(update.id) && last && sameCursor(last, update)) return;
    let board = pending;
    if (!board) {
      board = new Map();
      this.changed.set(boardId, board);
    }
    board.set(update.id, update);
    // The timer runs only while there is something to send: an idle server does no ticking. It is
    // set from the last flush, not from now, so that the time a flush takes does not stretch the tick.
    this.timer ??= setTimeout(this.flush, Math.max(0, this.lastFlushAt + this.tickMs - Date.now()));
  }

  /** Sends what is pending now (the tick, or a test that wants no timer). */
  flush = (): void => {
    this.timer = undefined;
    this.lastFlushAt = Date.now();
    const batches = [...this.changed];
    this.changed.clear();
    for (const [boardId, updates] of batches) {
      const all = [...updates.values()];
      const sent = this.sent.get(boardId) ?? new Map<string, CursorUpdate>();
      this.sent.set(boardId, sent);
      for (const u of all) sent.set(u.id, u);
      // With owners' cursors only, a class of N sends N-1 cursors to each owner and the few
      // owners' to everyone else: about 2N, not N².
      const audience = this.audience(boardId);
      const owners = audience && all.filter((u) => audience.isOwner(u.id));
      for (const socket of boardSockets(this.io, boardId)) {
        const own = socket.data.userId;
        const seen = owners && !(own && audience.isOwner(own)) ? owners : all;
        const batch = own && updates.has(own) ? seen.filter((u) => u.id !== own) : seen;
        if (batch.length > 0) socket.volatile.emit("cursors", batch);
      }
      if (this.here) this.sendElsewhere(boardId, all, owners);
    }
  };

  /**
   * Cluster mode: the cursors of this node's people, to the tabs on the other nodes, in one
   * message a board a tick (the adapter publishes it once; each node writes it to its own tabs).
   * With owners' cursors only, the others' go to owners alone.
   */
  private sendElsewhere(boardId: string, all: CursorUpdate[], owners: CursorUpdate[] | null): void {
    const elsewhere = (room: string) => this.io.to(room).except(this.here!).volatile;
    if (!owners) return void elsewhere(boardRoom(boardId)).emit("cursors", all);
    if (owners.length > 0) elsewhere(boardRoom(boardId)).emit("cursors", owners);
    const rest = all.filter((u) => !owners.includes(u));
    if (rest.length > 0) elsewhere(ownersRoom(boardId)).emit("cursors", rest);
  }

  /** The person left the board: forget their cursor (the others drop it on `presence:left`). */
  remove(boardId: string, userId: string): void {
    this.changed.get(boardId)?.delete(userId);
    const sent = this.sent.get(boardId);
    sent?.delete(userId);
    if (sent?.size === 0) this.sent.delete(boardId);
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.changed.clear();
    this.sent.clear();
  }
}

function sameCursor(a: CursorUpdate, b: CursorUpdate): boolean {
  if ("hidden" in a || "hidden" in b) return "hidden" in a && "hidden" in b;
  return a.x === b.x && a.y === b.y;
}
