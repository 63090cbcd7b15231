import { strokeBytes } from "../board";
import type { AppliedOp } from "../protocol";

/** What an op adds around its stroke as JSON: seq, author, type and opId. */
const OP_ENVELOPE_BYTES = 200;

/** Ops kept in memory per board to bring a reconnecting tab up to date without a full snapshot. */
export const RESYNC_WINDOW = 1_000;
/**
 * And at most this much of them, as JSON: an op may name 5,000 strokes, so a thousand ops could
 * otherwise hold hundreds of megabytes per board.
 */
export const RESYNC_WINDOW_BYTES = 4_000_000;

/**
 * A board's latest ops, oldest first, bounded by count and by size, for the tabs that resume:
 * a tab whose last seq is still covered gets exactly the ops after it; one further behind starts
 * over from a snapshot.
 */
export class RecentOps {
  private readonly ops: { op: AppliedOp; bytes: number }[] = [];
  private bytes = 0;

  constructor(ops: readonly AppliedOp[] = []) {
    for (const op of ops) this.push(op);
  }

  push(op: AppliedOp): void {
    // A stroke's size is known already (the board counted it); other ops are small but for their ids.
    const bytes = op.op.type === "stroke:add" ? strokeBytes(op.op.stroke) + OP_ENVELOPE_BYTES : JSON.stringify(op).length;
    this.ops.push({ op, bytes });
    this.bytes += bytes;
    while (this.ops.length > RESYNC_WINDOW || (this.bytes > RESYNC_WINDOW_BYTES && this.ops.length > 1)) {
      this.bytes -= this.ops.shift()!.bytes;
    }
  }

  /** The opId of the op at `seq`, if it is still kept. */
  opIdAt(seq: number): string | undefined {
    return this.ops.find(({ op }) => op.seq === seq)?.op.op.opId;
  }

  /** The ops after `seq` (the board is at `boardSeq`), or null when they no longer reach back that far. */
  after(seq: number, boardSeq: number): AppliedOp[] | null {
    if (seq === boardSeq) return [];
    const oldest = this.ops[0]?.op.seq;
    if (oldest === undefined || seq < oldest - 1) return null;
    return this.ops.filter(({ op }) => op.seq > seq).map(({ op }) => op);
  }
}
