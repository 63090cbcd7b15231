import type { StrokeInput } from "../protocol/ops";

export interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

/** The stroke's bounding box, grown by half its width (pressure can widen it up to that). */
export function strokeBounds(stroke: Pick<StrokeInput, "points" | "width">): Box {
  const { points } = stroke;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i + 1 < points.length; i += 3) {
    const x = points[i]!;
    const y = points[i + 1]!;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const pad = stroke.width / 2;
  return { minX: minX - pad, minY: minY - pad, maxX: maxX + pad, maxY: maxY + pad };
}

function distanceToSegment(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax;
  const dy = by - ay;
  const lengthSq = dx * dx + dy * dy;
  const t = lengthSq === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / lengthSq));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** Whether an eraser of `radius` at (x, y) touches the stroke's ink. */
export function strokeHit(stroke: Pick<StrokeInput, "points" | "width">, box: Box, x: number, y: number, radius: number): boolean {
  if (x < box.minX - radius || x > box.maxX + radius || y < box.minY - radius || y > box.maxY + radius) return false;
  const reach = radius + stroke.width / 2;
  const { points } = stroke;
  if (points.length < 6) return Math.hypot(x - points[0]!, y - points[1]!) <= reach;
  for (let i = 0; i + 5 < points.length; i += 3) {
    if (distanceToSegment(x, y, points[i]!, points[i + 1]!, points[i + 3]!, points[i + 4]!) <= reach) return true;
  }
  return false;
}
