import { newId } from "../ids";
import { strokeBounds, strokeHit, type Box } from "../../board";
import { LIMITS, type StrokeInput, type StrokePreview } from "../../protocol";
import type { ToolStore } from "../tool-store";

/** Eraser reach around the pointer, in board units. */
export const ERASER_RADIUS = 10;

/** A pointer sample in board units; `pressure` is 0..1 (0.5 where the device has none). */
export interface BoardSample {
  x: number;
  y: number;
  pressure: number;
}

export interface DrawingTarget {
  /** Strokes the eraser can touch (those this person may erase), in z-order. */
  strokes(): readonly StrokeInput[];
  /** The tool in hand; null while this person may not change the board (a viewer). */
  tool(): Pick<ToolStore, "tool" | "color" | "width"> | null;
  /** A stroke is complete: commit it. */
  commit(stroke: StrokeInput): void;
  /** The eraser touched these strokes during one drag: erase them as one action. */
  erase(strokeIds: string[]): void;
  /** The laser went through these points (`[x, y, ...]`, board units). */
  point(points: number[]): void;
  /** Something changed that the next frame must show. */
  invalidate(): void;
}

// Strokes are immutable, so their bounds are computed once, the first time the eraser passes.
const bounds = new WeakMap<StrokeInput, Box>();
function boundsOf(stroke: StrokeInput): Box {
  let box = bounds.get(stroke);
  if (!box) {
    box = strokeBounds(stroke);
    bounds.set(stroke, box);
  }
  return box;
}

/**
 * Turns one pointer's gestures, already in board units, into strokes and erasures: no DOM here
 * (`pointer-binding.ts` feeds it from pointer events), so it is unit-tested as it is. It keeps
 * the stroke being drawn for the renderer and hands out its unsent points as previews.
 */
export class PointerInput {
  private draft: StrokeInput | null = null;
  /** How many of the draft's numbers have gone out as previews. */
  private sentNumbers = 0;
  /** Strokes the eraser has touched in the current drag, hidden until the erase is sent. */
  private readonly erasing = new Set<string>();
  private pointerId: number | null = null;
  /** The gesture under way is the laser's. */
  private pointing = false;
  private lastEraser: BoardSample | null = null;

  constructor(private readonly target: DrawingTarget) {}

  /** The stroke being drawn, to show under the pointer; null when not drawing. */
  draftStroke(): Readonly<StrokeInput> | null {
    return this.draft;
  }

  /** The draft's points not yet sent as a preview (with its style), now counted as sent; null when there are none. */
  takePreview(): StrokePreview | null {
    const draft = this.draft;
    if (!draft || this.sentNumbers >= draft.points.length) return null;
    const { points, ...style } = draft;
    const preview = { ...style, points: points.slice(this.sentNumbers) };
    this.sentNumbers = points.length;
    return preview;
  }

  /** Whether the eraser's current drag has touched this stroke (it is hidden until the erase goes out). */
  isErasing(strokeId: string): boolean {
    return this.erasing.has(strokeId);
  }

  get erasingCount(): number {
    return this.erasing.size;
  }

  /** Whether this pointer's gesture is the one under way. */
  tracks(pointerId: number): boolean {
    return pointerId === this.pointerId;
  }

  /**
   * Starts a gesture from a pointer of this kind (a PointerEvent's `pointerType`: only a pen's
   * pressure is real). Ignored, answering false, while another pointer is down or no tool is in hand.
   */
  down(pointerId: number, sample: BoardSample, pointerType: string): boolean {
    const inHand = this.target.tool();
    if (this.pointerId !== null || !inHand) return false;
    this.pointerId = pointerId;
    const { tool, color, width } = inHand;
    if (tool === "pen") {
      this.draft = { id: newId(), color, width, tool: "pen", simulatePressure: pointerType !== "pen", points: [] };
      this.sentNumbers = 0;
      this.addPoint(sample);
    } else if (tool === "laser") {
      this.pointing = true;
      this.target.point([sample.x, sample.y]);
    } else {
      this.lastEraser = null;
      this.eraseAt(sample);
    }
    this.target.invalidate();
    return true;
  }

  /** Every sample the device made since the last move, oldest first. */
  move(pointerId: number, samples: readonly BoardSample[]): void {
    if (pointerId !== this.pointerId) return;
    if (this.pointing) this.target.point(samples.flatMap((s) => [s.x, s.y]));
    else {
      for (const sample of samples) {
        if (this.draft) this.addPoint(sample);
        else this.eraseAt(sample);
      }
    }
    this.target.invalidate();
  }

  up(pointerId: number, sample: BoardSample): void {
    if (pointerId !== this.pointerId) return;
    if (this.draft) {
      this.addPoint(sample);
      this.target.commit(this.draft);
      this.draft = null;
    } else if (this.erasing.size > 0) {
      this.target.erase([...this.erasing]);
      this.erasing.clear();
    }
    this.pointing = false;
    this.pointerId = null;
    this.target.invalidate();
  }

  /** The gesture is abandoned (the system took the pointer): nothing is committed or erased. */
  cancel(pointerId: number): void {
    if (pointerId !== this.pointerId) return;
    this.draft = null;
    this.erasing.clear();
    this.pointing = false;
    this.pointerId = null;
    this.target.invalidate();
  }

  private addPoint({ x, y, pressure }: BoardSample): void {
    const draft = this.draft!;
    const n = draft.points.length;
    if (n >= 3 && draft.points[n - 3] === x && draft.points[n - 2] === y) return;
    if (n / 3 >= LIMITS.strokePointsMax) {
      // A very long line goes on as a new stroke from the same point: nothing is cut off.
      this.target.commit(draft);
      this.draft = { ...draft, id: newId(), points: draft.points.slice(n - 3) };
      this.sentNumbers = 0;
    }
    this.draft!.points.push(x, y, pressure);
  }

  /** Tests every point along the eraser's path since the last event, so fast moves miss nothing. */
  private eraseAt(sample: BoardSample): void {
    const { x, y } = sample;
    const from = this.lastEraser ?? sample;
    const steps = Math.max(1, Math.ceil(Math.hypot(x - from.x, y - from.y) / (ERASER_RADIUS / 2)));
    const strokes = this.target.strokes();
    for (let i = 1; i <= steps; i++) {
      const px = from.x + ((x - from.x) * i) / steps;
      const py = from.y + ((y - from.y) * i) / steps;
      for (const s of strokes) {
        if (!this.erasing.has(s.id) && strokeHit(s, boundsOf(s), px, py, ERASER_RADIUS)) this.erasing.add(s.id);
      }
    }
    this.lastEraser = sample;
  }
}
