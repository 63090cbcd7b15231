import { monitorEventLoopDelay, performance, type IntervalHistogram } from "node:perf_hooks";

/** What one process says about itself at one instant; two of them make a window. */
export interface ProcessSample {
  /** performance.now() of the sampled process: windows are timed by the process measured. */
  atMs: number;
  cpuUserUs: number;
  cpuSystemUs: number;
  rssBytes: number;
  heapUsedBytes: number;
}

export function sampleProcess(): ProcessSample {
  const cpu = process.cpuUsage();
  const mem = process.memoryUsage();
  return {
    atMs: performance.now(),
    cpuUserUs: cpu.user,
    cpuSystemUs: cpu.system,
    rssBytes: mem.rss,
    heapUsedBytes: mem.heapUsed,
  };
}

export interface ProcessWindow {
  elapsedMs: number;
  /** User + system time over the window, in percent of one core (200% = two cores busy). */
  cpuPercent: number;
  /** At the end of the window. */
  rssBytes: number;
  heapUsedBytes: number;
}

export function processWindow(from: ProcessSample, to: ProcessSample): ProcessWindow {
  const elapsedMs = to.atMs - from.atMs;
  const cpuMs = (to.cpuUserUs - from.cpuUserUs + to.cpuSystemUs - from.cpuSystemUs) / 1000;
  return {
    elapsedMs,
    cpuPercent: elapsedMs > 0 ? (cpuMs / elapsedMs) * 100 : 0,
    rssBytes: to.rssBytes,
    heapUsedBytes: to.heapUsedBytes,
  };
}

/**
 * Event-loop delay of this process over a window. A client process whose loop lags handles its
 * messages late, and that lateness shows up as latency the server did not cause.
 */
export class LoopDelay {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 10 });

  constructor() {
    this.histogram.enable();
  }

  reset(): void {
    this.histogram.reset();
  }

  /** p99 of the loop delay since the last reset, in ms. */
  p99Ms(): number {
    const ns = this.histogram.percentile(99);
    return Number.isFinite(ns) ? ns / 1e6 : 0;
  }
}
