import { createStore, type StoreApi } from "zustand/vanilla";
import { Board } from "../board";
import type { AppliedOp, JoinSnapshot, OpRequest, Stroke, StrokeChunk } from "../protocol";

export interface BoardReplica {
  /** The board as the server has ordered it. Mutated in place: `version` says when it changed. */
  board: Board;
  version: number;
  /** Own changes sent (or waiting to be sent) but not acked yet, oldest first. */
  pending: OpRequest[];
  /** Changes that came before one they follow: held until it comes (see `gap`). */
  held: number;
  /** Set while a joining tab is still receiving the board's strokes. */
  loading: { received: number; total: number } | null;
  /** The epoch of the board held, to resume it after a reconnect (see JoinSnapshot.epoch). */
  epoch: string | null;
  /** Starts over from a full join snapshot; its strokes follow through `chunk`. */
  begin(boardId: string, snapshot: JoinSnapshot): void;
  /** A join that resumes: the board is kept, and the missed ops follow as `remote` ops. */
  resume(snapshot: JoinSnapshot): void;
  chunk(chunk: StrokeChunk): void;
  /** A change the server ordered: someone else's, or our own from its ack. */
  remote(applied: AppliedOp): void;
  /**
   * The answer to a `strokes:get` for `asked`, restored strokes `board` lacked (see Board.fill);
   * ignored if the tab has started over on another board since it asked.
   */
  fill(board: Board, asked: readonly string[], strokes: readonly Stroke[]): void;
  local(req: OpRequest): void;
  /** `applied` is absent when the server had applied this op before (a resend). */
  acked(opId: string, applied?: AppliedOp): void;
  refused(opId: string): void;
  /** The seq the board waits for while later ops are held (a gap), or null when none is held. */
  gap(): number | null;
}

export type ReplicaStore = StoreApi<BoardReplica>;

/**
 * The tab's copy of the board: the server's order plus own pending changes on top. Changes are
 * applied strictly in `seq` order: ones that arrive early (an ack can overtake a broadcast) wait
 * in `ahead`, and ones that arrive while the strokes are still loading wait until they are in.
 */
export const createReplicaStore = (): ReplicaStore => createStore<BoardReplica>((set, get) => {
  let ahead = new Map<number, AppliedOp>();

  const drain = () => {
    const { board, loading } = get();
    if (loading) return;
    let changed = false;
    const appliedOpIds = new Set<string>();
    for (let next = ahead.get(board.seq + 1); next; next = ahead.get(board.seq + 1)) {
      ahead.delete(next.seq);
      if (board.applyCommitted(next)) {
        changed = true;
        appliedOpIds.add(next.op.opId);
      }
    }
    for (const seq of ahead.keys()) if (seq <= board.seq) ahead.delete(seq);
    const held = ahead.size;
    if (!changed) {
      if (held !== get().held) set({ held });
      return;
    }
    // An own op leaves `pending` only once the board holds it: never a frame without it.
    const pending = get().pending.filter((p) => !appliedOpIds.has(p.opId));
    set({ version: get().version + 1, held, ...(pending.length !== get().pending.length ? { pending } : {}) });
  };

  return {
    board: new Board(""),
    version: 0,
    pending: [],
    held: 0,
    loading: null,
    epoch: null,
    begin: (boardId, snapshot) => {
      // Anything held back came before this join: the snapshot has it, or it belongs to another
      // board or epoch. What happens after the join arrives after this.
      ahead = new Map();
      set({
        board: new Board(boardId, { seq: snapshot.seq, circle: snapshot.circle, strokes: [], lastOpId: snapshot.last }),
        version: get().version + 1,
        held: 0,
        epoch: snapshot.epoch,
        loading: snapshot.strokeCount > 0 ? { received: 0, total: snapshot.strokeCount } : null,
      });
      drain();
    },
    resume: (snapshot) => {
      set({ epoch: snapshot.epoch });
      drain();
    },
    chunk: ({ strokes, done }) => {
      const { board, loading } = get();
      if (!loading) return;
      board.addStrokes(strokes);
      const received = loading.received + strokes.length;
      set({ version: get().version + 1, loading: done ? null : { ...loading, received } });
      if (done) drain();
    },
    remote: (applied) => {
      if (applied.seq <= get().board.seq) return;
      ahead.set(applied.seq, applied);
      drain();
    },
    fill: (board, asked, strokes) => {
      if (board !== get().board) return;
      if (board.fill(asked, strokes)) set({ version: get().version + 1 });
    },
    local: (req) => set({ pending: [...get().pending, req] }),
    acked: (opId, applied) => {
      // A resend of an op applied before: the board has it already (or will, from the server).
      if (!applied || applied.seq <= get().board.seq) set({ pending: get().pending.filter((p) => p.opId !== opId) });
      if (applied) get().remote(applied);
    },
    refused: (opId) => set({ pending: get().pending.filter((p) => p.opId !== opId) }),
    gap: () => (ahead.size > 0 && !get().loading ? get().board.seq + 1 : null),
  };
});
