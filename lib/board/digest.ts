import type { Color, StrokeInput } from "../protocol";

/**
 * cyrb53: a fast 53-bit string hash (public domain, bryc). Not cryptographic: a digest tells two
 * copies of a board apart, it does not guard anything.
 */
function cyrb53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

const hex = (n: number) => n.toString(16).padStart(14, "0");

// A stroke never changes once added, so its own hash is worked out once (a board's digest is then
// one short string per stroke, not every point again at every change).
const strokeHashes = new WeakMap<StrokeInput, string>();

function strokeHash(stroke: StrokeInput): string {
  let h = strokeHashes.get(stroke);
  if (h === undefined) {
    // The stroke's content, not who drew it or its seq: a tab's own stroke still pending has neither.
    const { id, color, width, tool, simulatePressure, points } = stroke;
    h = hex(cyrb53(`${id}|${color}|${width}|${tool}|${simulatePressure ? 1 : 0}|${points.join(",")}`));
    strokeHashes.set(stroke, h);
  }
  return h;
}

/**
 * A short hash of what a board shows: the circle's colour and the visible strokes in z-order.
 * Two copies with the same digest show the same board; every synced tab and the server agree on
 * it (the `data-digest` of the board page, the test API's board state).
 */
export function boardDigest(circleColor: Color, strokes: readonly StrokeInput[]): string {
  let text = circleColor;
  for (const stroke of strokes) text += strokeHash(stroke);
  return hex(cyrb53(text));
}
