/**
 * A latency histogram with logarithmic buckets: every recorded value lands in a bucket at most
 * 1% wide, so percentiles are within 1% whatever the spread. Fixed memory whatever the count (a
 * 200-client cell delivers millions of samples a second), and mergeable across processes because
 * its state is plain counts.
 */
const MIN_MS = 0.01;
const MAX_MS = 600_000;
const GROWTH = 1.01;
const LOG_GROWTH = Math.log(GROWTH);
const BUCKETS = Math.ceil(Math.log(MAX_MS / MIN_MS) / LOG_GROWTH) + 1;

export interface HistogramData {
  counts: number[];
  total: number;
  max: number;
}

export class Histogram {
  private counts = new Array<number>(BUCKETS).fill(0);
  private total = 0;
  private max = 0;

  record(ms: number): void {
    const v = Math.min(Math.max(ms, MIN_MS), MAX_MS);
    this.counts[Math.floor(Math.log(v / MIN_MS) / LOG_GROWTH)]! += 1;
    this.total += 1;
    if (ms > this.max) this.max = ms;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
    this.max = 0;
  }

  get count(): number {
    return this.total;
  }

  /** The value below which `p` percent of the samples fall (the bucket's upper edge). */
  percentile(p: number): number | undefined {
    if (this.total === 0) return undefined;
    const rank = Math.ceil((p / 100) * this.total);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return Math.min(MIN_MS * GROWTH ** (i + 1), this.max);
    }
    return this.max;
  }

  merge(other: HistogramData): void {
    for (let i = 0; i < BUCKETS; i++) this.counts[i]! += other.counts[i] ?? 0;
    this.total += other.total;
    this.max = Math.max(this.max, other.max);
  }

  /** Sparse over IPC would save little: ~1,600 numbers once per window. */
  toJSON(): HistogramData {
    return { counts: this.counts, total: this.total, max: this.max };
  }

  static from(parts: Iterable<HistogramData>): Histogram {
    const h = new Histogram();
    for (const part of parts) h.merge(part);
    return h;
  }
}

/** Events per second; 0 for an empty window rather than NaN, so a table never shows NaN. */
export function perSecond(count: number, elapsedMs: number): number {
  return elapsedMs > 0 ? (count * 1000) / elapsedMs : 0;
}

export function sum(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
