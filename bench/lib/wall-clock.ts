import { performance } from "node:perf_hooks";
import { PAGE } from "../../lib/protocol/limits";

/**
 * Cursor positions that carry their own send time, so latency needs no extra field on the wire
 * and no clock sync: every process of a run is on one machine and reads the same wall clock
 * (timeOrigin + now is microsecond-precise, unlike Date.now()).
 *
 * y = milliseconds within the second (0..999.99), x = the second modulo 1000. Using x for the
 * seconds removes the one-second wrap a y-only stamp would have: an overloaded cell can deliver
 * late by more than a second and must not read as fast.
 */
const SECONDS_WRAP = 1000;
const WRAP_MS = SECONDS_WRAP * 1000;

// The stamp must be a valid cursor position, or the server would refuse it.
if (SECONDS_WRAP > PAGE.width || 1000 > PAGE.height) throw new Error("wall-clock stamp does not fit the page");

export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export function stampPosition(at: number = nowMs()): { x: number; y: number } {
  return {
    x: Math.floor(at / 1000) % SECONDS_WRAP,
    // Two decimals (10 µs) keep the payload close to a real pointer's.
    y: Math.floor((at % 1000) * 100) / 100,
  };
}

/**
 * Milliseconds since the position was stamped. Slightly negative values (two processes reading
 * the clock a few µs apart) come back as 0; anything older than the wrap is not representable.
 */
export function latencyOf(position: { x: number; y: number }, at: number = nowMs()): number {
  const sent = position.x * 1000 + position.y;
  const now = (Math.floor(at / 1000) % SECONDS_WRAP) * 1000 + (at % 1000);
  const diff = (((now - sent) % WRAP_MS) + WRAP_MS) % WRAP_MS;
  return diff > WRAP_MS / 2 ? 0 : diff;
}
