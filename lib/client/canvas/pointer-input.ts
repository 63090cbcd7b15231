import { nanoid } from "nanoid";
import { strokeBounds, strokeHit, type Box } from "../../board";
import { LIMITS, type StrokeInput } from "../../protocol";
import type { ToolStore } from "../tool-store";
import { toBoardPoint } from "./coords";

/** Eraser reach around the pointer, in board units. */
export const ERASER_RADIUS = 10;

export interface DrawingTarget {
  /** Strokes the eraser can touch, in z-order. */
  strokes(): readonly StrokeInput[];
  tool(): ToolStore;
  /** A stroke is complete: commit it. */
  commit(stroke: StrokeInput): void;
  /** The eraser touched these strokes during one drag: erase them as one action. */
  erase(strokeIds: string[]): void;
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
 * Turns pointer events (mouse, touch, pen) on the drawing surface into strokes and erasures in
 * board units. The stroke being drawn is kept here (`draft`) for the renderer and for previews.
 */
export class PointerInput {
  draft: StrokeInput | null = null;
  /** How many of the draft's numbers have gone out as previews. */
  sentNumbers = 0;
  /** Strokes the eraser has touched in the current drag, hidden until the erase is sent. */
  readonly erasing = new Set<string>();
  private pointerId: number | null = null;
  private lastEraser: { x: number; y: number } | null = null;

  constructor(
    private readonly surface: HTMLElement,
    private readonly target: DrawingTarget,
  ) {}

  attach(): () => void {
    const el = this.surface;
    el.addEventListener("pointerdown", this.down);
    el.addEventListener("pointermove", this.move);
    el.addEventListener("pointerup", this.up);
    el.addEventListener("pointercancel", this.cancel);
    return () => {
      el.removeEventListener("pointerdown", this.down);
      el.removeEventListener("pointermove", this.move);
      el.removeEventListener("pointerup", this.up);
      el.removeEventListener("pointercancel", this.cancel);
    };
  }

  private toBoard(e: PointerEvent): [number, number, number] {
    const { x, y } = toBoardPoint(this.surface, e.clientX, e.clientY);
    // A mouse reports 0 or 0.5; only a pen's pressure means anything.
    const pressure = e.pointerType === "pen" && e.pressure > 0 ? Math.round(e.pressure * 100) / 100 : 0.5;
    return [x, y, pressure];
  }

  private down = (e: PointerEvent) => {
    if (this.pointerId !== null || (e.pointerType === "mouse" && e.button !== 0)) return;
    this.pointerId = e.pointerId;
    this.surface.setPointerCapture(e.pointerId);
    e.preventDefault();
    const { tool, color, width } = this.target.tool();
    if (tool === "pen") {
      this.draft = { id: nanoid(), color, width, tool: "pen", simulatePressure: e.pointerType !== "pen", points: [] };
      this.sentNumbers = 0;
      this.addPoint(this.toBoard(e));
    } else {
      this.lastEraser = null;
      this.eraseAt(this.toBoard(e));
    }
    this.target.invalidate();
  };

  private move = (e: PointerEvent) => {
    if (e.pointerId !== this.pointerId) return;
    // Coalesced events carry every sample the device made since the last frame: smoother ink.
    const samples = typeof e.getCoalescedEvents === "function" ? e.getCoalescedEvents() : [];
    for (const sample of samples.length > 0 ? samples : [e]) {
      const point = this.toBoard(sample);
      if (this.draft) this.addPoint(point);
      else this.eraseAt(point);
    }
    this.target.invalidate();
  };

  private up = (e: PointerEvent) => {
    if (e.pointerId !== this.pointerId) return;
    if (this.draft) {
      this.addPoint(this.toBoard(e));
      this.target.commit(this.draft);
      this.draft = null;
    } else if (this.erasing.size > 0) {
      this.target.erase([...this.erasing]);
      this.erasing.clear();
    }
    this.pointerId = null;
    this.target.invalidate();
  };

  private cancel = (e: PointerEvent) => {
    if (e.pointerId !== this.pointerId) return;
    this.draft = null;
    this.erasing.clear();
    this.pointerId = null;
    this.target.invalidate();
  };

  private addPoint([x, y, p]: [number, number, number]): void {
    const draft = this.draft!;
    const n = draft.points.length;
    if (n >= 3 && draft.points[n - 3] === x && draft.points[n - 2] === y) return;
    if (n / 3 >= LIMITS.strokePointsMax) {
      // A very long line goes on as a new stroke from the same point: nothing is cut off.
      this.target.commit(draft);
      this.draft = { ...draft, id: nanoid(), points: draft.points.slice(n - 3) };
      this.sentNumbers = 0;
    }
    this.draft!.points.push(x, y, p);
  }

  /** Tests every point along the eraser's path since the last event, so fast moves miss nothing. */
  private eraseAt([x, y]: [number, number, number]): void {
    const from = this.lastEraser ?? { x, y };
    const steps = Math.max(1, Math.ceil(Math.hypot(x - from.x, y - from.y) / (ERASER_RADIUS / 2)));
    const strokes = this.target.strokes();
    for (let i = 1; i <= steps; i++) {
      const px = from.x + ((x - from.x) * i) / steps;
      const py = from.y + ((y - from.y) * i) / steps;
      for (const s of strokes) {
        if (!this.erasing.has(s.id) && strokeHit(s, boundsOf(s), px, py, ERASER_RADIUS)) this.erasing.add(s.id);
      }
    }
    this.lastEraser = { x, y };
  }
}
