import { describe, expect, it } from "vitest";
import { createLaserStore, LASER_TRAIL_MS } from "@/lib/client/laser-store";

describe("laser trails", () => {
  it("keep each person's points in order and fade them out with time, then forget the person", () => {
    const store = createLaserStore();
    store.getState().add("u-ada", "#ef4444", [10, 10, 20, 20], 0);
    store.getState().add("u-ada", "#ef4444", [30, 30], 500);
    store.getState().add("u-bob", "#2563eb", [5, 5], 600);
    expect(store.getState().trails.get("u-ada")!.points.map((p) => p.x)).toEqual([10, 20, 30]);

    expect(store.getState().fade(LASER_TRAIL_MS + 1)).toBe(true);
    expect(store.getState().trails.get("u-ada")!.points.map((p) => p.x)).toEqual([30]);
    expect(store.getState().fade(600 + LASER_TRAIL_MS)).toBe(false);
    expect(store.getState().trails.size).toBe(0);
  });

  it("holds a bounded trail however many points arrive", () => {
    const store = createLaserStore();
    for (let i = 0; i < 10_000; i++) store.getState().add("u-ada", "#ef4444", [i % 1600, 5], i);
    expect(store.getState().trails.get("u-ada")!.points.length).toBeLessThanOrEqual(200);
  });
});
