import { createStore, type StoreApi } from "zustand/vanilla";
import type { Color } from "../protocol";

/** How long a laser point stays visible, fading all the while. */
export const LASER_TRAIL_MS = 1_200;
/** Points one trail keeps: a fast hand makes about 60 a second. */
const TRAIL_POINTS_MAX = 200;

export interface LaserPoint {
  x: number;
  y: number;
  /** `performance.now()` when it arrived. */
  at: number;
}

export interface LaserTrail {
  color: Color;
  points: LaserPoint[];
}

export interface LaserStore {
  /** By user id, this tab's own included. */
  trails: Map<string, LaserTrail>;
  /** Bumped on every change; the renderer reads this store transiently. */
  tick: number;
  /** Someone's laser went through `points` (`[x, y, ...]`, board units). */
  add(userId: string, color: Color, points: readonly number[], now: number): void;
  /** Drops what has faded; true while anything is left to draw. */
  fade(now: number): boolean;
  clear(): void;
}

export const createLaserStore = (): StoreApi<LaserStore> =>
  createStore<LaserStore>((set, get) => ({
    trails: new Map(),
    tick: 0,
    add: (userId, color, points, now) => {
      const { trails } = get();
      const trail = trails.get(userId) ?? { color, points: [] };
      for (let i = 0; i + 1 < points.length; i += 2) trail.points.push({ x: points[i]!, y: points[i + 1]!, at: now });
      if (trail.points.length > TRAIL_POINTS_MAX) trail.points.splice(0, trail.points.length - TRAIL_POINTS_MAX);
      trails.set(userId, trail);
      set({ tick: get().tick + 1 });
    },
    fade: (now) => {
      const { trails } = get();
      let changed = false;
      for (const [userId, trail] of trails) {
        const fresh = trail.points.findIndex((p) => now - p.at < LASER_TRAIL_MS);
        if (fresh === 0) continue;
        changed = true;
        if (fresh < 0) trails.delete(userId);
        else trail.points.splice(0, fresh);
      }
      if (changed) set({ tick: get().tick + 1 });
      return trails.size > 0;
    },
    clear: () => set({ trails: new Map(), tick: get().tick + 1 }),
  }));
