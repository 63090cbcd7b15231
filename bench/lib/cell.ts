import type { RunOptions } from "../cases/types";
import { measureQuietly } from "./quiet";
import { runCell, type CellOutcome, type Scope } from "./scope";
import type { Histogram } from "./stats";

/** Children live this long past their cell's limit, in case the coordinator dies without cleaning up. */
export const lifetime = (opts: RunOptions) => ({ maxLifetimeMs: opts.cellTimeoutMs + 10_000 });

/** Client processes for n bots: one per `perWorker` bots, at most the cores, unless --workers. */
export const workersFor = (n: number, opts: RunOptions, perWorker = 25) =>
  opts.workers ?? Math.max(1, Math.min(opts.cores, Math.ceil(n / perWorker)));

/**
 * One cell the way every case runs one: on a quiet machine (bounded wait), within the cell's hard
 * time limit with its processes stopped however it ends, and once more if other processes
 * disturbed it (`disturbed`). Logs a line per attempt.
 */
export async function quietCell<T>(plan: {
  opts: RunOptions;
  label: string;
  measure: (scope: Scope) => Promise<T>;
  disturbed: (value: T) => boolean;
  describe: (value: T) => string;
}): Promise<{ outcome: CellOutcome<T>; notes: string[] }> {
  const { opts } = plan;
  const { result, notes } = await measureQuietly({
    cores: opts.cores,
    maxWaitMs: opts.quick ? 5_000 : 15_000,
    deadline: opts.deadline,
    measure: async () => {
      const outcome = await runCell(opts.cellTimeoutMs, plan.measure);
      opts.log(`${plan.label}: ${outcome.ok ? plan.describe(outcome.value) : `FAILED ${outcome.error}`}`);
      return outcome;
    },
    disturbed: (o) => o.ok && plan.disturbed(o.value),
  });
  return { outcome: result, notes };
}

export interface Percentiles {
  p50?: number;
  p99?: number;
  max?: number;
  count: number;
}

export function percentiles(h: Histogram | undefined): Percentiles {
  return { p50: h?.percentile(50), p99: h?.percentile(99), max: h?.percentile(100), count: h?.count ?? 0 };
}

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** a ÷ b for a ratio column: "–" when either side is missing. */
export function ratioOf(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || b === 0 ? undefined : a / b;
}
