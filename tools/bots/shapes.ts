import { PAGE } from "../../lib/protocol";

/** A deterministic random source, so that a run can be replayed with the same seed. */
export function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    // xorshift32: fast, good enough for shapes, and reproducible.
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4_294_967_296;
  };
}

const clampX = (x: number) => Math.min(PAGE.width, Math.max(0, x));
const clampY = (y: number) => Math.min(PAGE.height, Math.max(0, y));
const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * The points of a hand-drawn-looking stroke as a person's pen would report them: a smooth
 * Catmull-Rom curve through a few random control points near `start`, sampled at an even pace,
 * with a little tremor and a pressure that swells and fades. Flat `[x, y, pressure]` triples.
 */
export function handStroke(random: () => number, start: { x: number; y: number }, samples = 60): number[] {
  const controls: { x: number; y: number }[] = [start];
  const reach = 60 + random() * 180;
  let angle = random() * Math.PI * 2;
  for (let i = 0; i < 4; i++) {
    angle += (random() - 0.5) * 2.2;
    const last = controls[controls.length - 1]!;
    controls.push({ x: clampX(last.x + Math.cos(angle) * reach), y: clampY(last.y + Math.sin(angle) * reach) });
  }
  const at = (i: number) => controls[Math.max(0, Math.min(controls.length - 1, i))]!;
  const points: number[] = [];
  for (let k = 0; k < samples; k++) {
    const t = (k / (samples - 1)) * (controls.length - 1);
    const i = Math.min(controls.length - 2, Math.floor(t));
    const u = t - i;
    const [p0, p1, p2, p3] = [at(i - 1), at(i), at(i + 1), at(i + 2)];
    const catmull = (a: number, b: number, c: number, d: number) =>
      0.5 * (2 * b + (-a + c) * u + (2 * a - 5 * b + 4 * c - d) * u * u + (-a + 3 * b - 3 * c + d) * u * u * u);
    const tremor = () => (random() - 0.5) * 1.2;
    points.push(
      round1(clampX(catmull(p0.x, p1.x, p2.x, p3.x) + tremor())),
      round1(clampY(catmull(p0.y, p1.y, p2.y, p3.y) + tremor())),
      Math.round((0.35 + 0.45 * Math.sin((Math.PI * k) / (samples - 1))) * 100) / 100,
    );
  }
  return points;
}

/** A wandering point for an idle cursor: smooth, bounded to the page, never still for long. */
export function wander(random: () => number): (t: number) => { x: number; y: number } {
  const [ax, ay, fx, fy, px, py] = [random(), random(), 0.05 + random() * 0.1, 0.04 + random() * 0.1, random() * 6, random() * 6];
  return (t) => ({
    x: round1(PAGE.width * (0.5 + 0.4 * ax * Math.sin(t * fx + px) + 0.1 * Math.sin(t * fx * 3.1))),
    y: round1(PAGE.height * (0.5 + 0.4 * ay * Math.cos(t * fy + py) + 0.1 * Math.cos(t * fy * 2.3))),
  });
}
