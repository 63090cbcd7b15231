import { createStore } from "zustand/vanilla";
import type { RemotePreview, StrokeInput } from "../protocol";

/** A stroke someone is drawing right now, as far as its previews have come. */
export interface LiveStroke extends StrokeInput {
  userId: string;
  /** `performance.now()` of the last preview, to drop strokes whose author vanished. */
  updatedAt: number;
}

export interface LiveStore {
  strokes: Map<string, LiveStroke>;
  /** Bumped on every change; the renderer reads this store transiently, React never does. */
  tick: number;
  preview(p: RemotePreview, now: number): void;
  /** The stroke was committed (or abandoned): the committed layer takes over. */
  end(strokeId: string): void;
  /** Forgets strokes with no preview for `maxAgeMs` (their author left or lost the connection). */
  expire(now: number, maxAgeMs: number): void;
  clear(): void;
}

export const liveStore = createStore<LiveStore>((set, get) => ({
  strokes: new Map(),
  tick: 0,
  preview: (p, now) => {
    const { strokes } = get();
    const existing = strokes.get(p.id);
    if (existing) {
      existing.points.push(...p.points);
      existing.updatedAt = now;
    } else {
      strokes.set(p.id, { ...p, points: [...p.points], updatedAt: now });
    }
    set({ tick: get().tick + 1 });
  },
  end: (strokeId) => {
    if (get().strokes.delete(strokeId)) set({ tick: get().tick + 1 });
  },
  expire: (now, maxAgeMs) => {
    let changed = false;
    for (const [id, s] of get().strokes) {
      if (now - s.updatedAt > maxAgeMs) changed = get().strokes.delete(id) || changed;
    }
    if (changed) set({ tick: get().tick + 1 });
  },
  clear: () => set({ strokes: new Map(), tick: get().tick + 1 }),
}));
