import { LIMITS, type AppliedOp, type Circle, type Color, type CommittedOp, type HistoryEntry } from "../protocol";
import { DEFAULT_CIRCLE_COLOR } from "./board";

/**
 * One change as the history keeps it: who made it, when, and which strokes it changed (only
 * those it changed: an erase names the strokes it hid), never the strokes' points, which the
 * board holds anyway.
 */
export interface HistoryRecord {
  seq: number;
  /** User id of who made it. */
  author: string;
  /** Their name then; absent on changes stored before names were. */
  name?: string;
  /** Server time, ms since the epoch; absent on changes stored before times were. */
  at?: number;
  type: CommittedOp["type"];
  /** The strokes it added, hid or showed again. */
  strokeIds: string[];
  /** A circle change's colour. */
  color?: Color;
}

/** Changes of one kind by one person this close together make one entry. */
const RUN_GAP_MS = 60_000;

/** The record of one applied op. */
export function recordOf({ seq, author, name, at, op }: AppliedOp): HistoryRecord {
  const strokeIds = op.type === "stroke:add" ? [op.stroke.id] : op.type === "circle:set" ? [] : op.strokeIds;
  return { seq, author, ...(name !== undefined && { name }), ...(at !== undefined && { at }), type: op.type, strokeIds, ...(op.type === "circle:set" && { color: op.color }) };
}

/**
 * A board's history: its latest changes (at most `max`), from which the board as it was after
 * any of them is worked out backwards from the board as it is, since every change names exactly
 * what it changed and strokes are never destroyed. Pure.
 */
export class Timeline {
  private readonly records: HistoryRecord[] = [];
  /** Stroke ids in all the records. */
  private ids = 0;

  /**
   * `records` in seq order, the changes after `since`: 0 when they go back to the board's first
   * change; later when earlier changes are not kept (older logs, or a snapshot let them go). It
   * holds the latest `max.changes` changes naming at most `max.ids` stroke ids.
   */
  constructor(
    records: readonly HistoryRecord[],
    private since: number,
    private readonly max: { changes: number; ids: number } = { changes: LIMITS.historyChangesMax, ids: LIMITS.historyIdsMax },
  ) {
    const all = since === 0 ? onlyWhatChanged(records) : records;
    // The latest that fit, taken at once: appending a long log one by one would trim it one by one.
    let from = all.length;
    let ids = 0;
    while (from > 0 && all.length - from < max.changes && ids + all[from - 1]!.strokeIds.length <= max.ids) ids += all[--from]!.strokeIds.length;
    if (from === all.length && from > 0) from -= 1;
    if (from > 0) this.since = all[from - 1]!.seq;
    for (let i = from; i < all.length; i++) this.append(all[i]!);
  }

  /** Adds the latest change; one at or before the latest kept (read from the store meanwhile) is ignored. */
  append(record: HistoryRecord): void {
    if (record.seq <= (this.records.at(-1)?.seq ?? this.since)) return;
    this.records.push(record);
    this.ids += record.strokeIds.length;
    while (this.records.length > this.max.changes || (this.ids > this.max.ids && this.records.length > 1)) {
      this.ids -= this.records.shift()!.strokeIds.length;
      this.since = this.records[0]!.seq - 1;
    }
  }

  /** The earliest moment the board can be shown as it was. */
  get firstSeq(): number {
    return this.since;
  }

  private get complete(): boolean {
    return this.since === 0;
  }

  /** The changes as runs, oldest first (see HistoryEntry). */
  entries(): HistoryEntry[] {
    const entries: HistoryEntry[] = [];
    for (const r of this.records) {
      const last = entries.at(-1);
      const joins =
        last !== undefined &&
        last.author === r.author &&
        last.type === r.type &&
        r.type !== "board:clear" &&
        (r.at === undefined || last.at === undefined || r.at - last.at < RUN_GAP_MS);
      const count = r.type === "circle:set" ? 1 : r.strokeIds.length;
      if (joins) {
        last.toSeq = r.seq;
        last.count += count;
        if (r.at !== undefined) last.at = r.at;
      } else {
        entries.push({ fromSeq: r.seq, toSeq: r.seq, author: r.author, ...(r.name !== undefined && { name: r.name }), ...(r.at !== undefined && { at: r.at }), type: r.type, count });
      }
    }
    return entries;
  }

  /**
   * The strokes visible right after change `seq`, and the circle then, from those visible now
   * (`visible`, in any order) and the circle now. Undefined for a moment before `firstSeq` or
   * after the latest change. A circle changed before the oldest change kept keeps its colour.
   */
  at(seq: number, visible: Iterable<string>, circle: Circle): { strokeIds: Set<string>; circle: Circle } | undefined {
    const latest = this.records.at(-1)?.seq ?? 0;
    if (seq < this.firstSeq || seq > Math.max(latest, this.firstSeq)) return undefined;
    const ids = new Set(visible);
    let i = this.records.length - 1;
    for (; i >= 0 && this.records[i]!.seq > seq; i--) {
      const r = this.records[i]!;
      if (r.type === "stroke:add" || r.type === "stroke:restore") for (const id of r.strokeIds) ids.delete(id);
      else if (r.type === "stroke:erase" || r.type === "board:clear") for (const id of r.strokeIds) ids.add(id);
    }
    return { strokeIds: ids, circle: this.circleAt(i, circle) };
  }

  /** The circle after record `i` (the last one at or before the moment). */
  private circleAt(i: number, now: Circle): Circle {
    for (let j = i; j >= 0; j--) {
      const r = this.records[j]!;
      if (r.type === "circle:set") return { color: r.color!, version: r.seq };
    }
    // None kept before the moment: the board's first colour if the history is whole; else the
    // colour now, which is right unless a change kept after the moment made it (then unknown).
    return this.complete ? { color: DEFAULT_CIRCLE_COLOR, version: 0 } : now;
  }
}

/**
 * A whole history with every erase, clear and restore naming only the strokes it changed, as
 * the board decides them now. Logs of versions before that named every stroke asked for: an
 * erase of a stroke erased already would, walked back, show it at a moment it was hidden.
 */
function onlyWhatChanged(records: readonly HistoryRecord[]): HistoryRecord[] {
  const shown = new Set<string>();
  return records.map((r) => {
    if (r.type === "stroke:add") {
      for (const id of r.strokeIds) shown.add(id);
      return r;
    }
    if (r.type === "circle:set") return r;
    const hides = r.type !== "stroke:restore";
    const strokeIds = r.strokeIds.filter((id) => shown.has(id) === hides);
    for (const id of strokeIds) {
      if (hides) shown.delete(id);
      else shown.add(id);
    }
    return strokeIds.length === r.strokeIds.length ? r : { ...r, strokeIds };
  });
}
