import type { CursorUpdate } from "../protocol";
import { boardSockets, type ScribbleServer } from "./rooms";

/** Whose cursors a board's tabs get: null for everyone's; else non-owners get only the owners'. */
export type CursorAudience = (boardId: string) => { isOwner: (userId: string) => boolean } | null;

/**
 * Server-side cursor coalescing. Cursors are the heaviest traffic a board carries: N people
 * moving at 30 Hz make N×(N−1)×30 messages a second through a plain relay. Instead, the hub keeps
 * each board's latest position per person and, once per tick, sends every member one volatile
 * batch of the cursors that changed since the last tick, leaving out the member's own. In a
 * cluster each node also hands its own people's changes to the other nodes once per tick
 * (`elsewhere`), and takes theirs into its next tick (`merge`): a tab gets one batch a tick,
 * whatever the number of nodes its board's people are on.
 */
export class CursorHub {
  /** boardId → userId → the latest update not sent yet. */
  private readonly changed = new Map<string, Map<string, CursorUpdate>>();
  /** Cluster mode: boardId → userId → the latest update from another node, not sent yet. */
  private readonly arrived = new Map<string, Map<string, CursorUpdate>>();
  /** boardId → userId → the last update sent, to skip one that changes nothing. */
  private readonly sent = new Map<string, Map<string, CursorUpdate>>();
  private timer: NodeJS.Timeout | undefined;
  private lastFlushAt = Date.now();

  constructor(
    private readonly io: ScribbleServer,
    private readonly tickMs: number,
    private readonly audience: CursorAudience = () => null,
    /** Cluster mode: hands this node's people's changes of a tick to the other nodes. */
    private readonly elsewhere?: (boardId: string, updates: CursorUpdate[]) => void,
  ) {}

  update(boardId: string, update: CursorUpdate): void {
    const last = this.sent.get(boardId)?.get(update.id);
    const pending = this.changed.get(boardId);
    if (!pending?.has(update.id) && last && sameCursor(last, update)) return;
    this.keep(this.changed, boardId, [update]);
  }

  /** Cluster mode: another node's people's changes, for this node's tabs at its next tick. */
  merge(boardId: string, updates: readonly CursorUpdate[]): void {
    this.keep(this.arrived, boardId, updates);
  }

  private keep(pending: Map<string, Map<string, CursorUpdate>>, boardId: string, updates: readonly CursorUpdate[]): void {
    let board = pending.get(boardId);
    if (!board) {
      board = new Map();
      pending.set(boardId, board);
    }
    for (const update of updates) board.set(update.id, update);
    // The timer runs only while there is something to send: an idle server does no ticking. It is
    // set from the last flush, not from now, so that the time a flush takes does not stretch the tick.
    this.timer ??= setTimeout(this.flush, Math.max(0, this.lastFlushAt + this.tickMs - Date.now()));
  }

  /** Sends what is pending now (the tick, or a test that wants no timer). */
  flush = (): void => {
    this.timer = undefined;
    this.lastFlushAt = Date.now();
    const boards = new Set([...this.changed.keys(), ...this.arrived.keys()]);
    const [changed, arrived] = [new Map(this.changed), new Map(this.arrived)];
    this.changed.clear();
    this.arrived.clear();
    for (const boardId of boards) {
      const mine = [...(changed.get(boardId)?.values() ?? [])];
      if (mine.length > 0) this.elsewhere?.(boardId, mine);
      const sent = this.sent.get(boardId) ?? new Map<string, CursorUpdate>();
      this.sent.set(boardId, sent);
      for (const u of mine) sent.set(u.id, u);
      // One batch a tab: this node's people's and the other nodes' (this node's own is the
      // latest for a person with tabs on two nodes).
      const updates = new Map([...(arrived.get(boardId) ?? []), ...(changed.get(boardId) ?? [])]);
      const all = [...updates.values()];
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
    }
  };

  /** The person left the board: forget their cursor (the others drop it on `presence:left`). */
  remove(boardId: string, userId: string): void {
    this.changed.get(boardId)?.delete(userId);
    this.arrived.get(boardId)?.delete(userId);
    const sent = this.sent.get(boardId);
    sent?.delete(userId);
    if (sent?.size === 0) this.sent.delete(boardId);
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.changed.clear();
    this.arrived.clear();
    this.sent.clear();
  }
}

function sameCursor(a: CursorUpdate, b: CursorUpdate): boolean {
  if ("hidden" in a || "hidden" in b) return "hidden" in a && "hidden" in b;
  return a.x === b.x && a.y === b.y;
}
