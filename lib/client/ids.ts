import { nanoid } from "nanoid";
import { seededRandom, type Random } from "../board";

let seeded: Random | null = null;

/**
 * Makes this tab's ids (its changes, strokes and messages) come from `seed`, the same ones on
 * every run: for tests, when the page was opened with `?seed=` on a server running the test API
 * (app/b/[boardId]/page.tsx). Never the ids that are secrets or that say who a person is (owner
 * keys, the browser's client id): a link with a seed must not let its sender guess those.
 */
export function seedIds(seed: string): void {
  seeded = seededRandom(`${seed}/${loadNumber()}`);
}

/**
 * How many times this tab loaded a seeded page: a reload must not make the ids of the load
 * before again (the server applies an op id once, and would take a new change for a resend).
 */
function loadNumber(): number {
  try {
    const n = Number(window.sessionStorage.getItem(LOADS_KEY) ?? "0") + 1;
    window.sessionStorage.setItem(LOADS_KEY, String(n));
    return n;
  } catch {
    return 1;
  }
}
const LOADS_KEY = "scribble.seededLoads";

/** A new random id: nanoid's, or the seeded sequence's after `seedIds`. */
export const newId = (size = 21): string => (seeded ? seeded.id(size) : nanoid(size));
