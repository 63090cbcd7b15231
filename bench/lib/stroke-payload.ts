import { PEN_PALETTE } from "../../lib/client/palette";
import { STROKE_WIDTHS, type StrokeInput } from "../../lib/protocol";
import { handStroke, rng } from "../../tools/bots/shapes";
import { nowMs } from "./wall-clock";

/** A stroke's look and points, without its id: bench senders reuse them under fresh ids. */
export type StrokeShape = Omit<StrokeInput, "id">;

/**
 * `count` hand-drawn strokes (tools/bots/shapes.ts: 40 to 100 points each, about 1.4 KB of JSON
 * on average), the same for a given seed, so that every cell of every run sends the same payloads.
 */
export function strokeShapes(seed: number, count: number): StrokeShape[] {
  const random = rng(seed);
  return Array.from({ length: count }, () => {
    const start = { x: 100 + random() * 1400, y: 100 + random() * 800 };
    return {
      color: PEN_PALETTE[Math.floor(random() * PEN_PALETTE.length)]!.color,
      width: STROKE_WIDTHS[Math.floor(random() * STROKE_WIDTHS.length)]!,
      tool: "pen" as const,
      simulatePressure: false,
      points: handStroke(random, start, 40 + Math.floor(random() * 60)),
    };
  });
}

/**
 * Op ids that carry their send time, so that every receiver of the op can time it with no extra
 * field on the wire and no clock sync (all processes of a run read the same wall clock, see
 * wall-clock.ts): `t<send time in 10 µs units>_<stroke id>`, within the op id's 64 characters.
 */
const STAMP = /^t(\d+)_/;

export function stampedOpId(strokeId: string, at: number = nowMs()): string {
  return `t${Math.round(at * 100)}_${strokeId}`;
}

/** Milliseconds since the op was stamped, or undefined for an op id that carries no stamp. */
export function opAge(opId: string, at: number = nowMs()): number | undefined {
  const m = STAMP.exec(opId);
  return m ? Math.max(0, at - Number(m[1]) / 100) : undefined;
}
