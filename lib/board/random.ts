/**
 * Seeded randomness, for what must come out the same from the same seed: a board seeded by the
 * test API, the ids of a tab opened with `?seed=`, the sync fuzzer's runs.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  /** One of `items` (not empty). */
  pick<T>(items: readonly T[]): T;
  /** Whether an event of probability `p` happens. */
  chance(p: number): boolean;
  /** An id of `size` characters from the URL-safe alphabet nanoid uses. */
  id(size?: number): string;
}

const ALPHABET = "useandom-26T198340PX75pxJACKVERYMINDBUSHWOLF_GQZbfghjklqvwyzrict";

/** A seed of any text as 32 bits (FNV-1a), so that "run-7" and 7 are both seeds. */
function seedBits(seed: string | number): number {
  let h = 0x811c9dc5;
  for (const ch of String(seed)) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

/** A small, fast generator (mulberry32) with a full 2^32 period: enough for tests and ids. */
export function seededRandom(seed: string | number): Random {
  let state = seedBits(seed);
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  return {
    next,
    int,
    pick: (items) => items[int(0, items.length - 1)]!,
    chance: (p) => next() < p,
    id: (size = 21) => Array.from({ length: size }, () => ALPHABET[int(0, ALPHABET.length - 1)]).join(""),
  };
}
