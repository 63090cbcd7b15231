import { PAGE, type StrokeInput } from "../../protocol";
import { LASER_TRAIL_MS, type LaserTrail } from "../laser-store";
import type { LiveStroke } from "../live-store";
import { livePath, prunePaths, strokePath } from "./paths";

export const PAGE_BACKGROUND = "#ffffff";

type LiveInk = Pick<StrokeInput, "points" | "width" | "simulatePressure" | "color">;

/**
 * Draws a board on two stacked canvases: the committed strokes, cached (a new stroke on top is
 * drawn alone; anything else redraws the layer from cached paths), and the strokes being drawn,
 * redrawn each frame they change. Both use board units scaled to the page box on screen, sharp
 * on HiDPI screens.
 */
export class BoardRenderer {
  private scale = 1;
  private dpr = 1;
  private drawn: string[] = [];

  constructor(
    private readonly committed: HTMLCanvasElement,
    private readonly live: HTMLCanvasElement,
  ) {}

  /** `cssWidth` is the width of the page box on screen; the height follows from the page. */
  resize(cssWidth: number, dpr: number): void {
    this.scale = cssWidth / PAGE.width;
    this.dpr = dpr;
    for (const canvas of [this.committed, this.live]) {
      canvas.width = Math.max(1, Math.round(PAGE.width * this.scale * dpr));
      canvas.height = Math.max(1, Math.round(PAGE.height * this.scale * dpr));
    }
    this.drawn = [];
  }

  /**
   * Draws what is new on the committed layer, for at most `budgetMs`; returns false when there
   * is more to draw next frame (a 10,000-stroke board arrives faster than it can be drawn in one
   * frame, and the page must stay responsive meanwhile).
   */
  drawCommitted(strokes: readonly StrokeInput[], budgetMs = 12): boolean {
    const ctx = this.context(this.committed);
    const appendOnly = this.drawn.length > 0 && this.drawn.length <= strokes.length && this.drawn.every((id, i) => strokes[i]!.id === id);
    if (!appendOnly) {
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.fillStyle = PAGE_BACKGROUND;
      ctx.fillRect(0, 0, this.committed.width, this.committed.height);
      this.drawn = [];
      prunePaths(strokes);
    }
    this.applyTransform(ctx);
    const deadline = performance.now() + budgetMs;
    for (let i = this.drawn.length; i < strokes.length; i++) {
      if (performance.now() > deadline) return false;
      const stroke = strokes[i]!;
      ctx.fillStyle = stroke.color;
      ctx.fill(strokePath(stroke));
      this.drawn.push(stroke.id);
    }
    return true;
  }

  /** Strokes being drawn, and laser trails as they are at `now` (each point fades with its age). */
  drawLive(strokes: Iterable<LiveInk | LiveStroke>, lasers: Iterable<LaserTrail> = [], now = 0): void {
    const ctx = this.context(this.live);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.live.width, this.live.height);
    this.applyTransform(ctx);
    for (const stroke of strokes) {
      if (stroke.points.length < 3) continue;
      ctx.fillStyle = stroke.color;
      ctx.fill(livePath(stroke));
    }
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
    for (const { color, points } of lasers) {
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      ctx.shadowColor = color;
      ctx.shadowBlur = 8 * this.scale * this.dpr;
      for (let i = 0; i < points.length; i++) {
        const p = points[i]!;
        const life = Math.max(0, 1 - (now - p.at) / LASER_TRAIL_MS);
        ctx.globalAlpha = life;
        if (i > 0) {
          const q = points[i - 1]!;
          ctx.lineWidth = 2 + 4 * life;
          ctx.beginPath();
          ctx.moveTo(q.x, q.y);
          ctx.lineTo(p.x, p.y);
          ctx.stroke();
        }
      }
      const head = points.at(-1);
      if (head) {
        ctx.globalAlpha = Math.max(0, 1 - (now - head.at) / LASER_TRAIL_MS);
        ctx.beginPath();
        ctx.arc(head.x, head.y, 6, 0, Math.PI * 2);
        ctx.fill();
      }
    }
    ctx.globalAlpha = 1;
    ctx.shadowBlur = 0;
  }

  private applyTransform(ctx: CanvasRenderingContext2D): void {
    const k = this.scale * this.dpr;
    ctx.setTransform(k, 0, 0, k, 0, 0);
  }

  private context(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("this browser cannot draw on a canvas");
    return ctx;
  }
}
