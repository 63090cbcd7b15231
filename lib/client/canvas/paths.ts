import type { StrokeInput } from "../../protocol";
import { outlineToSvgPath, strokeOutline } from "./outline";

/**
 * Path2D per committed stroke, in board units. Strokes never change once committed, so a path
 * is built once and only refilled at whatever scale the window has: resizing costs no outline.
 */
const cache = new Map<string, Path2D>();

export function strokePath(stroke: StrokeInput): Path2D {
  let path = cache.get(stroke.id);
  if (!path) {
    path = new Path2D(outlineToSvgPath(strokeOutline(stroke)));
    cache.set(stroke.id, path);
  }
  return path;
}

/** The path of a stroke still being drawn: rebuilt each frame, never cached. */
export function livePath(stroke: Pick<StrokeInput, "points" | "width" | "simulatePressure">): Path2D {
  return new Path2D(outlineToSvgPath(strokeOutline(stroke, false)));
}

/** Drops the paths of strokes no longer on the board (after a new join, say). */
export function prunePaths(keep: Iterable<StrokeInput>): void {
  const ids = new Set<string>();
  for (const s of keep) ids.add(s.id);
  for (const id of cache.keys()) if (!ids.has(id)) cache.delete(id);
}
