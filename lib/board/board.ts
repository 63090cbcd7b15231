import type { AppliedOp, Circle, Color, CommittedOp, OpRequest, ProtocolError, Stroke } from "../protocol";
import { LIMITS } from "../protocol";

export const DEFAULT_CIRCLE_COLOR: Color = "#6366f1";

/** How many recent opIds a board remembers to recognise a resend. */
export const DEDUPE_WINDOW = 10_000;

export type CommitResult =
  | { ok: true; duplicate: false; applied: AppliedOp }
  /** This opId was applied before (`seq` is the original one), or the op changes nothing. */
  | { ok: true; duplicate: true; seq: number }
  | { ok: false; error: ProtocolError };

export interface BoardSnapshot {
  seq: number;
  circle: Circle;
  /** Visible strokes in z-order (by `seq`). */
  strokes: Stroke[];
}

/** Everything the server needs to carry a board over a restart (erased strokes and recent opIds too). */
export interface PersistedBoard {
  seq: number;
  circle: Circle;
  /** Every stroke, erased ones included (they can be restored), in z-order. */
  strokes: Stroke[];
  deleted: string[];
  /** The latest opIds with their seq, so that a resend after a restart is still recognised. */
  recentOps: [opId: string, seq: number][];
}

/**
 * The state of one board. Pure: no I/O, no clock, no sockets. On the server, `commit` orders a
 * change by giving it the board's next `seq`; everywhere (server, tabs, a replay of the log),
 * `applyCommitted` is the one path by which a committed change takes effect.
 *
 * Strokes are immutable: erasing marks them deleted (a tombstone), restoring unmarks them, so
 * concurrent edits never conflict and every erase can be undone.
 */
export class Board {
  readonly id: string;
  private seqValue = 0;
  private circleValue: Circle = { color: DEFAULT_CIRCLE_COLOR, version: 0 };
  /** Every stroke known, deleted ones included, in z-order (see `sortIfNeeded`). */
  private strokesById = new Map<string, Stroke>();
  private readonly deleted = new Set<string>();
  private unsorted = false;
  private highestInsertedSeq = 0;
  private readonly applied = new Map<string, number>();

  constructor(id: string, snapshot?: BoardSnapshot) {
    this.id = id;
    if (snapshot) {
      this.seqValue = snapshot.seq;
      this.circleValue = snapshot.circle;
      this.addStrokes(snapshot.strokes);
    }
  }

  get seq(): number {
    return this.seqValue;
  }

  get circle(): Circle {
    return this.circleValue;
  }

  /** Strokes a client loads in pieces after a snapshot's header (big boards arrive in chunks). */
  addStrokes(strokes: readonly Stroke[]): void {
    for (const stroke of strokes) this.insert(stroke);
  }

  stroke(id: string): Stroke | undefined {
    return this.strokesById.get(id);
  }

  isVisible(id: string): boolean {
    return this.strokesById.has(id) && !this.deleted.has(id);
  }

  get visibleCount(): number {
    return this.strokesById.size - this.deleted.size;
  }

  /** Visible strokes in z-order. */
  visibleStrokes(): Stroke[] {
    this.sortIfNeeded();
    const out: Stroke[] = [];
    for (const [id, stroke] of this.strokesById) if (!this.deleted.has(id)) out.push(stroke);
    return out;
  }

  snapshot(): BoardSnapshot {
    return { seq: this.seqValue, circle: this.circleValue, strokes: this.visibleStrokes() };
  }

  toPersisted(): PersistedBoard {
    this.sortIfNeeded();
    return {
      seq: this.seqValue,
      circle: this.circleValue,
      strokes: [...this.strokesById.values()],
      deleted: [...this.deleted],
      recentOps: [...this.applied],
    };
  }

  static fromPersisted(id: string, p: PersistedBoard): Board {
    const board = new Board(id, { seq: p.seq, circle: p.circle, strokes: p.strokes });
    for (const strokeId of p.deleted) board.deleted.add(strokeId);
    for (const [opId, seq] of p.recentOps) board.remember(opId, seq);
    return board;
  }

  /** Server side: checks a change against the board, orders it and applies it. */
  commit(req: OpRequest, author: string): CommitResult {
    const earlier = this.applied.get(req.opId);
    if (earlier !== undefined) return { ok: true, duplicate: true, seq: earlier };

    const decided = this.decide(req, author, this.seqValue + 1);
    if (!decided.ok) return decided;
    // Nothing to change: acked as done, at the board's current seq, and sent to nobody.
    if ("unchanged" in decided) return { ok: true, duplicate: true, seq: this.seqValue };
    const applied: AppliedOp = { seq: this.seqValue + 1, author, op: decided.op };
    this.applyCommitted(applied);
    return { ok: true, duplicate: false, applied };
  }

  /**
   * Applies a change the server has ordered. Changes must come in `seq` order; one at or below
   * the board's `seq` was applied already and is ignored (returns false).
   */
  applyCommitted({ seq, op }: AppliedOp): boolean {
    if (seq <= this.seqValue) return false;
    if (seq !== this.seqValue + 1) throw new Error(`board ${this.id}: op ${seq} applied after ${this.seqValue}`);
    this.seqValue = seq;
    switch (op.type) {
      case "circle:set":
        this.circleValue = { color: op.color, version: seq };
        break;
      case "stroke:add":
        this.insert(op.stroke);
        break;
      case "stroke:erase":
      case "board:clear":
        for (const id of op.strokeIds) if (this.strokesById.has(id)) this.deleted.add(id);
        break;
      case "stroke:restore":
        for (const stroke of op.strokes) {
          this.insert(stroke);
          this.deleted.delete(stroke.id);
        }
        break;
    }
    this.remember(op.opId, seq);
    return true;
  }

  /** What a request becomes once the server has filled in its facts, or why it is refused. */
  private decide(
    req: OpRequest,
    author: string,
    seq: number,
  ): { ok: true; op: CommittedOp } | { ok: true; unchanged: true } | { ok: false; error: ProtocolError } {
    switch (req.type) {
      case "circle:set":
        return { ok: true, op: req };
      case "stroke:add":
        if (this.strokesById.has(req.stroke.id)) {
          return refuse("STROKE_EXISTS", `a stroke with id ${req.stroke.id} is on the board already`);
        }
        if (this.strokesById.size >= LIMITS.boardStrokesMax) {
          return refuse("BOARD_FULL", `this board holds its maximum of ${LIMITS.boardStrokesMax} strokes; clear it or start another`);
        }
        return { ok: true, op: { type: req.type, opId: req.opId, stroke: { ...req.stroke, author, seq } } };
      case "stroke:erase":
      case "stroke:restore": {
        const ids = [...new Set(req.strokeIds)];
        const unknown = ids.filter((id) => !this.strokesById.has(id));
        if (unknown.length > 0) {
          return refuse("UNKNOWN_STROKE", `no stroke on this board has the id ${unknown.slice(0, 3).join(", ")}${unknown.length > 3 ? ", ..." : ""}`);
        }
        // Only what changes is ordered, stored and sent: erasing the erased or restoring the
        // visible would cost everyone a copy of the strokes for nothing.
        const erase = req.type === "stroke:erase";
        const changing = ids.filter((id) => this.deleted.has(id) !== erase);
        if (changing.length === 0) return { ok: true, unchanged: true };
        if (erase) return { ok: true, op: { type: req.type, opId: req.opId, strokeIds: changing } };
        const strokes = changing.map((id) => this.strokesById.get(id)!);
        const points = strokes.reduce((n, s) => n + s.points.length / 3, 0);
        if (points > LIMITS.restorePointsMax) {
          return refuse("INVALID_PAYLOAD", `a restore may bring back at most ${LIMITS.restorePointsMax} points at once; send it in parts`);
        }
        return { ok: true, op: { type: req.type, opId: req.opId, strokes } };
      }
      case "board:clear":
        return { ok: true, op: { type: req.type, opId: req.opId, strokeIds: this.visibleStrokes().map((s) => s.id) } };
    }
  }

  private insert(stroke: Stroke): void {
    if (this.strokesById.has(stroke.id)) return;
    if (stroke.seq < this.highestInsertedSeq) this.unsorted = true;
    this.highestInsertedSeq = Math.max(this.highestInsertedSeq, stroke.seq);
    this.strokesById.set(stroke.id, stroke);
  }

  /** A restored stroke this tab never had arrives after newer ones: put it back in z-order. */
  private sortIfNeeded(): void {
    if (!this.unsorted) return;
    this.strokesById = new Map([...this.strokesById.entries()].sort((a, b) => a[1].seq - b[1].seq));
    this.unsorted = false;
  }

  private remember(opId: string, seq: number): void {
    this.applied.set(opId, seq);
    if (this.applied.size > DEDUPE_WINDOW) {
      // Maps iterate in insertion order, so the first key is the oldest.
      const oldest = this.applied.keys().next().value as string;
      this.applied.delete(oldest);
    }
  }
}

function refuse(code: ProtocolError["code"], message: string): { ok: false; error: ProtocolError } {
  return { ok: false, error: { code, message } };
}
