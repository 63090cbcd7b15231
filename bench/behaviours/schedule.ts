import { performance } from "node:perf_hooks";

/**
 * Calls `tick` every period on a fixed schedule (no drift from timer lateness), starting at a
 * random phase: bots do not act in step. Ticks missed while the process was busy are skipped, not
 * sent in a burst: a lagging client then shows as a send rate below target, which the report flags.
 */
export class Mover {
  private timer: NodeJS.Timeout | undefined;
  private next: number;

  constructor(
    private readonly periodMs: number,
    private readonly tick: () => void,
  ) {
    this.next = performance.now() + Math.random() * periodMs;
    this.schedule();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = setTimeout(this.run, Math.max(0, this.next - performance.now()));
  }

  private run = (): void => {
    this.tick();
    const now = performance.now();
    this.next += this.periodMs;
    if (this.next < now) this.next = now + this.periodMs;
    this.schedule();
  };
}
