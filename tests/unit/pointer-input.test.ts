import { describe, expect, it } from "vitest";
import { PointerInput, type BoardSample } from "@/lib/client/canvas/pointer-input";
import type { ToolStore } from "@/lib/client/tool-store";
import { LIMITS, type StrokeInput, type StrokePreview } from "@/lib/protocol";
import { strokeInput } from "./fixtures";

const at = (x: number, y: number, pressure = 0.5): BoardSample => ({ x, y, pressure });
const MOUSE = 1;

/** A PointerInput over a board holding `strokes`, recording what it commits, erases and previews. */
function drawing(strokes: StrokeInput[] = [], tool: Pick<ToolStore, "tool" | "color" | "width"> | null = { tool: "pen", color: "#dc2626", width: 8 }) {
  const committed: StrokeInput[] = [];
  const erased: string[][] = [];
  const pointed: number[][] = [];
  const previews: StrokePreview[] = [];
  let invalidations = 0;
  const input: PointerInput = new PointerInput({
    strokes: () => strokes,
    tool: () => tool,
    commit: (stroke) => {
      // As the canvas does: whatever was not previewed yet goes out before the stroke itself.
      const rest = input.takePreview();
      if (rest) previews.push(rest);
      committed.push(structuredClone(stroke));
    },
    erase: (ids) => erased.push(ids),
    point: (points) => pointed.push(points),
    invalidate: () => invalidations++,
  });
  return { input, committed, erased, pointed, previews, invalidations: () => invalidations };
}

describe("PointerInput", () => {
  it("draws a pen stroke in the tool's colour and width, with every point once, and commits it on release", () => {
    const { input, committed } = drawing();
    input.down(MOUSE, at(10, 10), "mouse");
    input.move(MOUSE, [at(20, 15), at(20, 15), at(30, 20)]);
    expect(input.draftStroke()?.points).toEqual([10, 10, 0.5, 20, 15, 0.5, 30, 20, 0.5]);
    expect(committed).toEqual([]);
    input.up(MOUSE, at(40, 25));
    expect(committed).toHaveLength(1);
    expect(committed[0]).toMatchObject({ color: "#dc2626", width: 8, tool: "pen", simulatePressure: true });
    expect(committed[0]!.points).toEqual([10, 10, 0.5, 20, 15, 0.5, 30, 20, 0.5, 40, 25, 0.5]);
    expect(input.draftStroke()).toBeNull();
  });

  it("keeps a pen's pressure and does not simulate it", () => {
    const { input, committed } = drawing();
    input.down(2, at(10, 10, 0.2), "pen");
    input.up(2, at(20, 10, 0.9));
    expect(committed[0]).toMatchObject({ simulatePressure: false, points: [10, 10, 0.2, 20, 10, 0.9] });
  });

  it("hands out each point once as a preview, the rest just before the stroke is committed", () => {
    const { input, committed, previews } = drawing();
    input.down(MOUSE, at(10, 10), "mouse");
    input.move(MOUSE, [at(20, 10)]);
    const first = input.takePreview();
    expect(first).toMatchObject({ id: input.draftStroke()!.id, color: "#dc2626", points: [10, 10, 0.5, 20, 10, 0.5] });
    expect(input.takePreview()).toBeNull();
    input.move(MOUSE, [at(30, 10)]);
    input.up(MOUSE, at(40, 10));
    expect(previews).toEqual([expect.objectContaining({ points: [30, 10, 0.5, 40, 10, 0.5] })]);
    expect([...first!.points, ...previews[0]!.points]).toEqual(committed[0]!.points);
  });

  it("goes on with a new stroke from the same point when one reaches the point limit: nothing is cut off", () => {
    const { input, committed } = drawing();
    const total = LIMITS.strokePointsMax + 500;
    input.down(MOUSE, at(0, 0), "mouse");
    input.move(MOUSE, Array.from({ length: total - 2 }, (_, i) => at(i + 1, (i + 1) % 7)));
    expect(committed).toHaveLength(1);
    input.up(MOUSE, at(total, 3));
    expect(committed).toHaveLength(2);
    const [first, second] = committed as [StrokeInput, StrokeInput];
    expect(first.points.length / 3).toBe(LIMITS.strokePointsMax);
    expect(second.id).not.toBe(first.id);
    expect(second.points.slice(0, 3)).toEqual(first.points.slice(-3));
    expect((first.points.length + second.points.length) / 3 - 1).toBe(total);
  });

  it("erases every stroke one eraser drag touched as one action, even those between two far-apart samples", () => {
    const near = strokeInput("near", { points: [100, 100, 0.5, 110, 100, 0.5] });
    const between = strokeInput("between", { points: [300, 90, 0.5, 300, 110, 0.5] });
    const far = strokeInput("far", { points: [800, 800, 0.5, 810, 800, 0.5] });
    const { input, erased } = drawing([near, between, far], { tool: "eraser", color: "#dc2626", width: 8 });
    input.down(MOUSE, at(100, 100), "mouse");
    expect(input.isErasing("near")).toBe(true);
    input.move(MOUSE, [at(500, 100)]);
    expect(input.isErasing("between")).toBe(true);
    expect(input.erasingCount).toBe(2);
    expect(erased).toEqual([]);
    input.up(MOUSE, at(500, 100));
    expect(erased).toEqual([["near", "between"]]);
    expect(input.erasingCount).toBe(0);
  });

  it("a cancelled gesture commits and erases nothing", () => {
    const pen = drawing();
    pen.input.down(MOUSE, at(10, 10), "mouse");
    pen.input.move(MOUSE, [at(50, 50)]);
    pen.input.cancel(MOUSE);
    pen.input.up(MOUSE, at(60, 60));
    expect(pen.committed).toEqual([]);
    expect(pen.input.draftStroke()).toBeNull();

    const eraser = drawing([strokeInput("s")], { tool: "eraser", color: "#dc2626", width: 8 });
    eraser.input.down(MOUSE, at(100, 100), "mouse");
    expect(eraser.input.erasingCount).toBe(1);
    eraser.input.cancel(MOUSE);
    expect(eraser.input.erasingCount).toBe(0);
    expect(eraser.erased).toEqual([]);
  });

  it("follows one pointer at a time: a second finger neither starts nor moves nor ends a stroke", () => {
    const { input, committed } = drawing();
    expect(input.down(MOUSE, at(10, 10), "mouse")).toBe(true);
    expect(input.down(7, at(500, 500), "mouse")).toBe(false);
    input.move(7, [at(600, 600)]);
    input.up(7, at(700, 700));
    expect(committed).toEqual([]);
    expect(input.tracks(MOUSE)).toBe(true);
    input.up(MOUSE, at(20, 10));
    expect(committed[0]!.points).toEqual([10, 10, 0.5, 20, 10, 0.5]);
  });

  it("points with the laser: every sample goes out, nothing is drawn, erased or previewed", () => {
    const laser = drawing([strokeInput("s")], { tool: "laser", color: "#dc2626", width: 8 });
    laser.input.down(MOUSE, at(100, 100), "mouse");
    laser.input.move(MOUSE, [at(110, 100), at(120, 105)]);
    laser.input.up(MOUSE, at(130, 110));
    expect(laser.pointed).toEqual([[100, 100], [110, 100, 120, 105]]);
    expect(laser.committed).toEqual([]);
    expect(laser.erased).toEqual([]);
    expect(laser.input.takePreview()).toBeNull();
    expect(laser.input.tracks(MOUSE)).toBe(false);
  });

  it("starts nothing while no tool is in hand (a viewer)", () => {
    const none = drawing([strokeInput("s")], null);
    expect(none.input.down(MOUSE, at(100, 100), "mouse")).toBe(false);
    none.input.move(MOUSE, [at(120, 100)]);
    none.input.up(MOUSE, at(130, 100));
    expect(none.committed).toEqual([]);
    expect(none.pointed).toEqual([]);
    expect(none.input.draftStroke()).toBeNull();
  });
});
