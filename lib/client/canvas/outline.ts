import { getStroke } from "perfect-freehand";
import type { StrokeInput } from "../../protocol";

type Ink = Pick<StrokeInput, "points" | "width" | "simulatePressure">;

/**
 * The filled outline of a stroke, in board units, from perfect-freehand: pressure (real or
 * simulated from speed) varies the width, and the ends taper like ink.
 */
export function strokeOutline(stroke: Ink, complete = true): number[][] {
  const input: number[][] = [];
  for (let i = 0; i + 2 < stroke.points.length; i += 3) {
    input.push([stroke.points[i]!, stroke.points[i + 1]!, stroke.points[i + 2]!]);
  }
  return getStroke(input, {
    size: stroke.width,
    thinning: 0.4,
    smoothing: 0.5,
    streamline: 0.4,
    simulatePressure: stroke.simulatePressure,
    last: complete,
  });
}

const round = (n: number) => Math.round(n * 100) / 100;

/** SVG path data for an outline: quadratic curves through the midpoints, closed. */
export function outlineToSvgPath(outline: number[][]): string {
  if (outline.length < 2) return "";
  const [first, ...rest] = outline;
  let d = `M${round(first![0]!)} ${round(first![1]!)}Q`;
  const all = [first!, ...rest, first!];
  for (let i = 0; i + 1 < all.length; i++) {
    const [x0, y0] = all[i]!;
    const [x1, y1] = all[i + 1]!;
    d += `${round(x0!)} ${round(y0!)} ${round((x0! + x1!) / 2)} ${round((y0! + y1!) / 2)} `;
  }
  return `${d.trimEnd()}Z`;
}
