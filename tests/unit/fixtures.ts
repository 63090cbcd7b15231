import type { AppliedOp, CommittedOp, OpRequest, Stroke, StrokeInput } from "@/lib/protocol";

/**
 * Builders for protocol values, shared by the unit tests and (through harness.ts) the
 * integration tests, so that a valid stroke is spelled out in one place only.
 */

/** A valid two-point stroke; tests override only what they are about. */
export function strokeInput(id: string, overrides: Partial<StrokeInput> = {}): StrokeInput {
  return {
    id,
    color: "#1f2937",
    width: 4,
    tool: "pen",
    simulatePressure: true,
    points: [100, 100, 0.5, 200, 150, 0.5],
    ...overrides,
  };
}

/** A stroke as the server commits it. */
export function committedStroke(id: string, seq: number, author = "u-ada", overrides: Partial<StrokeInput> = {}): Stroke {
  return { ...strokeInput(id, overrides), author, seq };
}

export const circleOp = (opId: string, color: string): OpRequest => ({ type: "circle:set", opId, color });
export const addOp = (opId: string, stroke: StrokeInput): OpRequest => ({ type: "stroke:add", opId, stroke });
export const eraseOp = (opId: string, ...strokeIds: string[]): OpRequest => ({ type: "stroke:erase", opId, strokeIds });
export const restoreOp = (opId: string, ...strokeIds: string[]): OpRequest => ({ type: "stroke:restore", opId, strokeIds });
export const clearOp = (opId: string): OpRequest => ({ type: "board:clear", opId });

export const applied = (seq: number, op: CommittedOp, author = "u-ada"): AppliedOp => ({ seq, author, op });

/** "Ada" with one invisible character slipped in: each renders as "Ada", and is the same name. */
export const INVISIBLE_IN_ADA: [label: string, name: string][] = [
  ["a zero-width joiner", "Ada\u200d"],
  ["a zero-width non-joiner", "Ada\u200c"],
  ["a word joiner", "Ada\u2060"],
  ["a soft hyphen", "Ad\u00ada"],
  ["a left-to-right mark", "\u200eAda"],
  ["a variation selector", "Ada\ufe0f"],
  ["a combining grapheme joiner", "A\u034fda"],
];
