import type { Color, Tool } from "./primitives";

/**
 * Board changes. A client sends an `OpRequest`; the server validates it, gives it the board's
 * next `seq`, keeps it, and hands the result out as an `AppliedOp` (in the author's ack and to
 * the others), with whatever the server had to decide filled in.
 */

/** A stroke as its author draws it. Immutable once committed. */
export interface StrokeInput {
  /** Client-generated, unique on the board. */
  id: string;
  color: Color;
  /** Nominal width in board units; pressure thins or thickens it. */
  width: number;
  tool: Tool;
  /** Flat `[x, y, pressure, x, y, pressure, ...]`, board units, pressure in 0..1. */
  points: number[];
  /** True for input without real pressure (mouse, most touch): the outline simulates it from speed. */
  simulatePressure: boolean;
}

/** A committed stroke: the server adds who drew it and when (its `seq`, which is its z-order). */
export interface Stroke extends StrokeInput {
  author: string;
  seq: number;
}

export type OpRequest =
  | { type: "circle:set"; opId: string; color: Color }
  | { type: "stroke:add"; opId: string; stroke: StrokeInput }
  | { type: "stroke:erase"; opId: string; strokeIds: string[] }
  | { type: "stroke:restore"; opId: string; strokeIds: string[] }
  | { type: "board:clear"; opId: string };

export type CommittedOp =
  | { type: "circle:set"; opId: string; color: Color }
  | { type: "stroke:add"; opId: string; stroke: Stroke }
  | { type: "stroke:erase"; opId: string; strokeIds: string[] }
  /**
   * Names the strokes only, so that it costs the size of its ids, not of the strokes. A tab that
   * lacks one (it joined after the stroke was erased) asks for it with `strokes:get`.
   */
  | { type: "stroke:restore"; opId: string; strokeIds: string[] }
  /** Carries the ids it hid, so that whoever cleared can undo exactly that. */
  | { type: "board:clear"; opId: string; strokeIds: string[] };

export interface AppliedOp {
  seq: number;
  /** The user id of the person who made the change. */
  author: string;
  /** Their name then, and the server's time (ms since the epoch): for the board's history. Absent on changes stored before they were kept. */
  name?: string;
  at?: number;
  op: CommittedOp;
}

/** A live, uncommitted piece of a stroke being drawn: new points since the last preview. */
export interface StrokePreview {
  id: string;
  color: Color;
  width: number;
  tool: Tool;
  simulatePressure: boolean;
  points: number[];
}
