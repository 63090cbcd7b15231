import type { AppliedOp, Stroke } from "../../protocol";

/** A restore as versions before restores went by id stored it: with the strokes themselves. */
interface LegacyRestore {
  type: "stroke:restore";
  opId: string;
  strokes: Stroke[];
}

/**
 * An op as this version stores it, from one an earlier version may have stored. A legacy
 * restore becomes its ids: the board holds every stroke it names (a restore names only strokes
 * that were on the board, and erased ones are kept).
 */
export function upgradeOp(applied: AppliedOp): AppliedOp {
  const op = applied.op as AppliedOp["op"] | LegacyRestore;
  if (op.type !== "stroke:restore" || !("strokes" in op)) return applied;
  return { ...applied, op: { type: op.type, opId: op.opId, strokeIds: op.strokes.map((s) => s.id) } };
}

/** A board as loaded from a store, its op log upgraded (see `upgradeOp`). */
export function upgradeStored<T extends { ops: AppliedOp[] }>(stored: T | null): T | null {
  return stored && { ...stored, ops: stored.ops.map(upgradeOp) };
}
