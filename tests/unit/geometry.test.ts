import { describe, expect, it } from "vitest";
import { strokeBounds, strokeHit } from "@/lib/board";

/** A horizontal line from (100, 100) to (300, 100), 10 units wide: its ink reaches y 95..105. */
const line = { width: 10, points: [100, 100, 0.5, 200, 100, 0.5, 300, 100, 0.5] };
const dot = { width: 6, points: [50, 60, 1] };

describe("strokeBounds", () => {
  it("spans every point, grown by half the width", () => {
    expect(strokeBounds(line)).toEqual({ minX: 95, minY: 95, maxX: 305, maxY: 105 });
    expect(strokeBounds({ width: 2, points: [10, 50, 0.5, 40, 20, 0.5, 30, 80, 0.5] })).toEqual({
      minX: 9,
      minY: 19,
      maxX: 41,
      maxY: 81,
    });
  });

  it("makes a square around a single point", () => {
    expect(strokeBounds(dot)).toEqual({ minX: 47, minY: 57, maxX: 53, maxY: 63 });
  });
});

describe("strokeHit", () => {
  const box = strokeBounds(line);

  it("hits on a segment and near it, in the middle of a segment too", () => {
    expect(strokeHit(line, box, 150, 100, 1)).toBe(true);
    expect(strokeHit(line, box, 250, 108, 4)).toBe(true);
    expect(strokeHit(line, box, 96, 100, 1)).toBe(true);
  });

  it("hits exactly at radius + width/2 and misses just beyond it", () => {
    // Reach is 4 + 10/2 = 9 from the centre line.
    expect(strokeHit(line, box, 200, 109, 4)).toBe(true);
    expect(strokeHit(line, box, 200, 109.01, 4)).toBe(false);
    // Past the end cap, measured from the end point.
    expect(strokeHit(line, box, 309, 100, 4)).toBe(true);
    expect(strokeHit(line, box, 309.5, 100, 4)).toBe(false);
  });

  it("measures a single-point stroke from its point", () => {
    const dotBox = strokeBounds(dot);
    expect(strokeHit(dot, dotBox, 55, 60, 2)).toBe(true);
    expect(strokeHit(dot, dotBox, 53, 64, 2)).toBe(true);
    expect(strokeHit(dot, dotBox, 54, 65, 2)).toBe(false);
  });

  it("misses outside the bounding box without looking at the points", () => {
    // A box that does not match the points proves the early exit: the points alone would hit.
    const elsewhere = { minX: 500, minY: 500, maxX: 600, maxY: 600 };
    expect(strokeHit(line, elsewhere, 150, 100, 1)).toBe(false);
    expect(strokeHit(line, box, 150, 130, 1)).toBe(false);
  });

  it("misses a point inside the box of a bent stroke but away from its ink", () => {
    const bent = { width: 2, points: [0, 0, 0.5, 100, 0, 0.5, 100, 100, 0.5] };
    expect(strokeHit(bent, strokeBounds(bent), 20, 80, 5)).toBe(false);
    expect(strokeHit(bent, strokeBounds(bent), 98, 80, 5)).toBe(true);
  });
});
