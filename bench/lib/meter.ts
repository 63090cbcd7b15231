import { Histogram, type HistogramData } from "./stats";

/** A counter a hot path holds on to: `c.n++` costs no lookup per message. */
export interface Counter {
  n: number;
}

/**
 * The named counters and histograms of one process. Behaviours fetch theirs once; `reset` zeroes
 * them in place at the start of a measuring window, so the references stay valid.
 */
export class Meter {
  private readonly counters = new Map<string, Counter>();
  private readonly histograms = new Map<string, Histogram>();

  counter(name: string): Counter {
    let c = this.counters.get(name);
    if (!c) this.counters.set(name, (c = { n: 0 }));
    return c;
  }

  histogram(name: string): Histogram {
    let h = this.histograms.get(name);
    if (!h) this.histograms.set(name, (h = new Histogram()));
    return h;
  }

  reset(): void {
    for (const c of this.counters.values()) c.n = 0;
    for (const h of this.histograms.values()) h.reset();
  }

  snapshot(): { counters: Record<string, number>; histograms: Record<string, HistogramData> } {
    return {
      counters: Object.fromEntries([...this.counters].map(([name, c]) => [name, c.n])),
      histograms: Object.fromEntries([...this.histograms].map(([name, h]) => [name, h.toJSON()])),
    };
  }
}
