/** What became of one attempt to send the item at the head of a queue. */
export type Outcome =
  /** Settled (acked or finally refused): on to the next. */
  | { kind: "done" }
  /** Try the same item again after a while (the server's rate-limit hint). */
  | { kind: "retry"; afterMs: number }
  /** Not now (offline, or not joined yet): wait for `resume()`. */
  | { kind: "wait" };

/**
 * Sends items one at a time, in order, each until it settles. Order matters: an erase must not
 * overtake the stroke it erases, and a colour picked last must be applied last. One item in
 * flight at a time also means a backlog (an offline outbox) drains at the server's pace, never
 * as a flood that the rate limit would refuse.
 */
export class SendQueue<T> {
  private readonly items: T[] = [];
  private paused = true;
  private inFlight = false;
  /** Bumped by `resume`: an attempt made on an older connection no longer holds the queue. */
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly send: (item: T) => Promise<Outcome>,
    private readonly keyOf: (item: T) => string,
  ) {}

  push(item: T): void {
    this.items.push(item);
    this.pump();
  }

  /** Starts sending from the head, again, as after a (re)join. */
  resume(): void {
    this.generation += 1;
    this.paused = false;
    this.inFlight = false;
    clearTimeout(this.timer);
    this.pump();
  }

  pause(): void {
    this.paused = true;
    clearTimeout(this.timer);
  }

  get size(): number {
    return this.items.length;
  }

  private pump(): void {
    const head = this.items[0];
    if (this.paused || this.inFlight || head === undefined) return;
    this.inFlight = true;
    const generation = this.generation;
    void this.send(head).then(
      (outcome) => this.settle(head, outcome, generation),
      () => this.settle(head, { kind: "wait" }, generation),
    );
  }

  private settle(item: T, outcome: Outcome, generation: number): void {
    if (outcome.kind === "done") {
      const key = this.keyOf(item);
      const i = this.items.findIndex((x) => this.keyOf(x) === key);
      if (i >= 0) this.items.splice(i, 1);
    }
    if (generation !== this.generation) return; // A resume already took over.
    this.inFlight = false;
    if (outcome.kind === "done") this.pump();
    else if (outcome.kind === "retry") this.timer = setTimeout(() => this.pump(), outcome.afterMs);
    else this.paused = true;
  }
}
