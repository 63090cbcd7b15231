import type { Board } from "../board";
import type { Color, OpRequest, StrokeInput } from "../protocol";
import type { BoardReplica } from "./board-replica";

export interface BoardView {
  circleColor: Color;
  /** What this tab shows, in z-order: the server's strokes, then own pending ones on top. */
  strokes: StrokeInput[];
}

/**
 * The board as this tab shows it: the server's state with own pending changes applied on top,
 * so that a click or a stroke shows at once and the server's order still decides the end state.
 */
export function computeView(board: Board, pending: readonly OpRequest[]): BoardView {
  let circleColor = board.circle.color;
  const hidden = new Set<string>();
  const shown = new Set<string>();
  const added: StrokeInput[] = [];
  for (const op of pending) {
    switch (op.type) {
      case "circle:set":
        circleColor = op.color;
        break;
      case "stroke:add":
        if (!board.stroke(op.stroke.id)) added.push(op.stroke);
        break;
      case "stroke:erase":
        for (const id of op.strokeIds) {
          hidden.add(id);
          shown.delete(id);
        }
        break;
      case "stroke:restore":
        for (const id of op.strokeIds) {
          hidden.delete(id);
          shown.add(id);
        }
        break;
      case "board:clear":
        for (const s of board.visibleStrokes()) hidden.add(s.id);
        for (const s of added) hidden.add(s.id);
        shown.clear();
        break;
    }
  }
  if (pending.length === 0) return { circleColor, strokes: board.visibleStrokes() };

  const strokes: StrokeInput[] = [];
  for (const s of board.visibleStrokes()) if (!hidden.has(s.id)) strokes.push(s);
  // Restored strokes that the server still has as erased: shown in their place by seq order.
  let restored = false;
  for (const id of shown) {
    const s = board.stroke(id);
    if (s && !board.isVisible(id) && !hidden.has(id)) {
      strokes.push(s);
      restored = true;
    }
  }
  if (restored) strokes.sort((a, b) => seqOf(a) - seqOf(b));
  for (const s of added) if (!hidden.has(s.id)) strokes.push(s);
  return { circleColor, strokes };
}

const seqOf = (s: StrokeInput) => ("seq" in s ? (s.seq as number) : Infinity);

type CachedView = { version: number; pending: readonly OpRequest[]; view: BoardView };
// One entry per replica store, keyed by its Board: two sessions read in turn keep their own.
const views = new WeakMap<Board, CachedView>();

/** `computeView` for a replica's current state, computed once per change. */
export function selectView(s: BoardReplica): BoardView {
  const last = views.get(s.board);
  if (last && last.version === s.version && last.pending === s.pending) return last.view;
  const view = computeView(s.board, s.pending);
  views.set(s.board, { version: s.version, pending: s.pending, view });
  return view;
}
