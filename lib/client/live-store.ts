import { createStore, type StoreApi } from "zustand/vanilla";
import { LIMITS, type RemotePreview, type StrokeInput } from "../protocol";

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
  /** The stroke was committed (or abandoned): the committed layer takes over. Keyed by `previewKey`. */
  end(userId: string, key: string): void;
  /** Forgets strokes with no preview for `maxAgeMs` (their author left or lost the connection). */
  expire(now: number, maxAgeMs: number): void;
  clear(): void;
}

const liveKey = (userId: string, strokeId: string) => `${userId}/${strokeId}`;

export const createLiveStore = (): StoreApi<LiveStore> => createStore<LiveStore>((set, get) => ({
  strokes: new Map(),
  tick: 0,
  preview: (p, now) => {
    const { strokes } = get();
    // Keyed by author too: nobody can add points to someone else's stroke in progress.
    const key = liveKey(p.userId, p.id);
    const existing = strokes.get(key);
    if (existing) {
      // A stroke never commits with more points than this; beyond it a preview is noise (or an attack).
      if (existing.points.length + p.points.length > LIMITS.strokePointsMax * 3) return;
      existing.points.push(...p.points);
      existing.updatedAt = now;
    } else {
      strokes.set(key, { ...p, points: p.points.slice(0, LIMITS.strokePointsMax * 3), updatedAt: now });
    }
    set({ tick: get().tick + 1 });
  },
  end: (userId, strokeId) => {
    if (get().strokes.delete(liveKey(userId, strokeId))) set({ tick: get().tick + 1 });
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
