import type { AppliedOp, Circle, Color, CommittedOp, OpRequest, Refusal, Stroke } from "../protocol";
import { LIMITS, refuse } from "../protocol";

export const DEFAULT_CIRCLE_COLOR: Color = "#6366f1";

/** How many recent opIds a board remembers to recognise a resend. */
export const DEDUPE_WINDOW = 10_000;

export type CommitResult =
  | { ok: true; duplicate: false; applied: AppliedOp }
  /** This opId was applied before: `seq` is the one it was given then. */
  | { ok: true; duplicate: true; seq: number }
  | Refusal;

/**
 * Said when a board has no room for another stroke. Erasing and clearing free nothing (the
 * strokes are kept so that they can be restored), so a new board is the way on.
 */
export const BOARD_FULL_MESSAGE =
  "This board is full: it keeps every stroke, erased and cleared ones too, so that they can be restored. Start a new board to draw more.";

export interface BoardSnapshot {
  seq: number;
  /** The opId of the op at `seq`, when known (see JoinSnapshot.last). */
  lastOpId?: string;
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
  /** Who hid each erased stroke (by user id); absent in snapshots taken before it was kept. */
  erasedBy?: [strokeId: string, userId: string][];
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
  /** Who erased or cleared away each hidden stroke: bringing back a stroke someone else hid is erasing others' work undone. */
  private readonly erasers = new Map<string, string>();
  private unsorted = false;
  private highestInsertedSeq = 0;
  private readonly applied = new Map<string, number>();
  private lastOp: { opId: string; seq: number } | undefined;
  /**
   * Restored strokes this board does not hold (a tab that joined after they were erased: a
   * restore names strokes by id only), with whether the ops since left them visible, until they
   * arrive through `fill`. Only a tab ever has any: the server holds every stroke.
   */
  private readonly missing = new Map<string, boolean>();
  /**
   * The JSON size of every stroke held, erased ones included: counted on first use, since only
   * the server asks (a tab loading a big board would pay for it at every join).
   */
  private bytesValue: number | undefined;

  constructor(id: string, snapshot?: BoardSnapshot) {
    this.id = id;
    if (snapshot) {
      this.seqValue = snapshot.seq;
      this.circleValue = snapshot.circle;
      this.lastOp = snapshot.lastOpId === undefined ? undefined : { opId: snapshot.lastOpId, seq: snapshot.seq };
      this.addStrokes(snapshot.strokes);
    }
  }

  /** The opId of the op at `seq`, when this board applied it or was told it (see JoinSnapshot.last). */
  get lastOpId(): string | undefined {
    return this.lastOp?.seq === this.seqValue ? this.lastOp.opId : undefined;
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

  /** Who hid an erased stroke (a user id); undefined for a visible one, or one hidden before this was kept. */
  erasedBy(id: string): string | undefined {
    return this.erasers.get(id);
  }

  isVisible(id: string): boolean {
    return this.strokesById.has(id) && !this.deleted.has(id);
  }

  get visibleCount(): number {
    return this.strokesById.size - this.deleted.size;
  }

  /** What the board's strokes take, erased ones included, as JSON: what its byte budget counts. */
  get bytes(): number {
    this.bytesValue ??= [...this.strokesById.values()].reduce((n, s) => n + strokeBytes(s), 0);
    return this.bytesValue;
  }

  /**
   * The strokes `ids` name, erased ones included, in the order asked, at most `maxPoints` points
   * in all (but at least one stroke). `answered` is how many of the ids, from the first, this
   * covers: ids among those that the board does not hold are left out; the rest must be asked
   * for again.
   */
  strokesFor(ids: readonly string[], maxPoints: number): { strokes: Stroke[]; answered: number } {
    const strokes: Stroke[] = [];
    const taken = new Set<string>();
    let points = 0;
    let answered = 0;
    for (const id of ids) {
      const stroke = this.strokesById.get(id);
      if (stroke && !taken.has(id)) {
        const n = stroke.points.length / 3;
        if (strokes.length > 0 && points + n > maxPoints) break;
        strokes.push(stroke);
        taken.add(id);
        points += n;
      }
      answered += 1;
    }
    return { strokes, answered };
  }

  /** Up to `max` ids of restored strokes this board lacks, to fetch. */
  missingStrokeIds(max: number): string[] {
    const ids: string[] = [];
    for (const id of this.missing.keys()) {
      if (ids.length >= max) break;
      ids.push(id);
    }
    return ids;
  }

  /**
   * Takes the strokes fetched for `asked`, ids this board lacked: each is shown or kept hidden
   * as the ops since its restore left it (an erase may have come before the stroke did). An
   * asked id the answer lacks is given up: the server does not hold it, so it can never be
   * shown. Returns whether it took any stroke.
   */
  fill(asked: readonly string[], strokes: readonly Stroke[]): boolean {
    let took = false;
    for (const stroke of strokes) {
      const visible = this.missing.get(stroke.id);
      if (visible === undefined) continue;
      this.missing.delete(stroke.id);
      this.insert(stroke);
      if (!visible) this.deleted.add(stroke.id);
      took = true;
    }
    for (const id of asked) this.missing.delete(id);
    return took;
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
      erasedBy: [...this.erasers],
      recentOps: [...this.applied],
    };
  }

  static fromPersisted(id: string, p: PersistedBoard): Board {
    const board = new Board(id, { seq: p.seq, circle: p.circle, strokes: p.strokes });
    for (const strokeId of p.deleted) board.deleted.add(strokeId);
    for (const [strokeId, userId] of p.erasedBy ?? []) board.erasers.set(strokeId, userId);
    for (const [opId, seq] of p.recentOps) board.remember(opId, seq);
    return board;
  }

  /**
   * Server side: checks a change against the board, orders it and applies it. A stroke that
   * would take the board's strokes past `maxBytes` of JSON is refused.
   */
  commit(req: OpRequest, author: string, maxBytes = Number.POSITIVE_INFINITY): CommitResult {
    const res = this.prepare(req, author, maxBytes);
    if (res.ok && !res.duplicate) this.applyCommitted(res.applied);
    return res;
  }

  /**
   * What `commit` would do, without doing it: the change as the board's next op, a resend's
   * earlier seq, or the refusal. In a cluster, a node stores the op first (its seq may have been
   * taken by another node meanwhile), and applies it only once it is stored.
   */
  prepare(req: OpRequest, author: string, maxBytes = Number.POSITIVE_INFINITY): CommitResult {
    const earlier = this.applied.get(req.opId);
    if (earlier !== undefined) return { ok: true, duplicate: true, seq: earlier };
    const decided = this.decide(req, author, this.seqValue + 1, maxBytes);
    if (!decided.ok) return decided;
    return { ok: true, duplicate: false, applied: { seq: this.seqValue + 1, author, op: decided.op } };
  }

  /**
   * Applies a change the server has ordered. Changes must come in `seq` order; one at or below
   * the board's `seq` was applied already and is ignored (returns false).
   */
  applyCommitted({ seq, author, op }: AppliedOp): boolean {
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
        for (const id of op.strokeIds) {
          if (this.strokesById.has(id)) this.deleted.add(id);
          else if (this.missing.has(id)) this.missing.set(id, false);
          this.erasers.set(id, author);
        }
        break;
      case "stroke:restore":
        for (const id of op.strokeIds) {
          if (this.strokesById.has(id)) this.deleted.delete(id);
          else this.missing.set(id, true);
          this.erasers.delete(id);
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
    maxBytes: number,
  ): { ok: true; op: CommittedOp } | Refusal {
    switch (req.type) {
      case "circle:set":
        return { ok: true, op: req };
      case "stroke:add": {
        if (this.strokesById.has(req.stroke.id)) return refuse("STROKE_EXISTS", "A stroke with this id is on the board already.");
        const stroke = { ...req.stroke, author, seq };
        if (this.strokesById.size >= LIMITS.boardStrokesMax || this.bytes + strokeBytes(stroke) > maxBytes) {
          return refuse("BOARD_FULL", BOARD_FULL_MESSAGE);
        }
        return { ok: true, op: { type: req.type, opId: req.opId, stroke } };
      }
      case "stroke:erase":
      case "stroke:restore": {
        const ids = [...new Set(req.strokeIds)];
        if (ids.some((id) => !this.strokesById.has(id))) return refuse("UNKNOWN_STROKE", "Some of these strokes are not on this board.");
        // Only what changes is listed. One that changes nothing (an undo after someone else got
        // there first) is still ordered, stored and sent, with no ids: a resend of its opId is
        // then recognised as one, across restarts too (the log and snapshots keep its opId), and
        // gets its first answer. Acked at the board's seq and forgotten instead, a resend after a
        // later change would be applied anew and undo that change.
        const erase = req.type === "stroke:erase";
        return { ok: true, op: { type: req.type, opId: req.opId, strokeIds: ids.filter((id) => this.deleted.has(id) !== erase) } };
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
    if (this.bytesValue !== undefined) this.bytesValue += strokeBytes(stroke);
  }

  /** A restored stroke this tab never had arrives after newer ones: put it back in z-order. */
  private sortIfNeeded(): void {
    if (!this.unsorted) return;
    this.strokesById = new Map([...this.strokesById.entries()].sort((a, b) => a[1].seq - b[1].seq));
    this.unsorted = false;
  }

  private remember(opId: string, seq: number): void {
    this.applied.set(opId, seq);
    if (seq >= (this.lastOp?.seq ?? 0)) this.lastOp = { opId, seq };
    if (this.applied.size > DEDUPE_WINDOW) {
      // Maps iterate in insertion order, so the first key is the oldest.
      const oldest = this.applied.keys().next().value as string;
      this.applied.delete(oldest);
    }
  }
}

const sizes = new WeakMap<Stroke, number>();

/**
 * A stroke's size as JSON (its fields are ASCII: ids, colours and numbers, so characters are
 * bytes), worked out once per stroke: the board's budget check, its count and the server's
 * resync window all ask for the same strokes.
 */
export function strokeBytes(stroke: Stroke): number {
  let size = sizes.get(stroke);
  if (size === undefined) {
    size = JSON.stringify(stroke).length;
    sizes.set(stroke, size);
  }
  return size;
}
