import type { Color } from "../protocol";

/** Person colours: saturated, distinct from each other, readable on white and as cursor fills. */
export const PERSON_COLORS: readonly Color[] = [
  "#e11d48", "#2563eb", "#16a34a", "#d97706", "#9333ea", "#0891b2",
  "#db2777", "#65a30d", "#ea580c", "#4f46e5", "#0d9488", "#a16207",
];

/** Hues past the palette: more would crowd the colour wheel without telling people apart. */
const EXTRA_HUES = 500;

/**
 * Every colour a person can get, in the order they are handed out: the palette, then hues spread
 * by the golden angle so that each newcomer's hue lands far from the last ones. Fixed and
 * bounded, so that picking a colour is bounded too however many people a board holds.
 */
const CANDIDATES: readonly Color[] = [
  ...new Set([
    ...PERSON_COLORS,
    ...Array.from({ length: EXTRA_HUES }, (_, i) => hslToHex((i * 137.508) % 360, 0.65, 0.45)),
  ]),
];

/**
 * The first colour nobody on the board wears; once all are worn (hundreds of people), the one
 * worn by the fewest, so that people share colours as evenly as they can.
 */
export function pickPersonColor(worn: Iterable<Color>): Color {
  const count = new Map<Color, number>();
  for (const c of worn) count.set(c, (count.get(c) ?? 0) + 1);
  let best = CANDIDATES[0]!;
  let bestCount = Infinity;
  for (const c of CANDIDATES) {
    const n = count.get(c) ?? 0;
    if (n === 0) return c;
    if (n < bestCount) [best, bestCount] = [c, n];
  }
  return best;
}

export function hslToHex(h: number, s: number, l: number): Color {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number) => {
    const v = l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
    return Math.round(v * 255).toString(16).padStart(2, "0");
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}
