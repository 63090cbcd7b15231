import { cursorsCase } from "./cursors";
import type { BenchCase } from "./types";

/** Every case `npm run bench` knows, in the order it runs them. */
export const CASES: readonly BenchCase[] = [cursorsCase];
