import type { Color } from "../protocol";

/** Person colours: saturated, distinct from each other, readable on white and as cursor fills. */
export const PERSON_COLORS: readonly Color[] = [
  "#e11d48", "#2563eb", "#16a34a", "#d97706", "#9333ea", "#0891b2",
  "#db2777", "#65a30d", "#ea580c", "#4f46e5", "#0d9488", "#a16207",
];

/**
 * The first person colour nobody on the board wears; past the palette, hues spread by the golden
 * angle so that any number of people still get colours far apart.
 */
export function pickPersonColor(taken: ReadonlySet<Color>): Color {
  const free = PERSON_COLORS.find((c) => !taken.has(c));
  if (free) return free;
  for (let i = 0; ; i++) {
    const color = hslToHex((i * 137.508) % 360, 0.65, 0.45);
    if (!taken.has(color)) return color;
  }
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
