/**
 * Takes numbered items (a board's ops by seq, its chat messages by id) from two sources that may
 * race, the board's Redis channel and a node's own writes, and applies each exactly once, in
 * order. One that comes early waits for those before it; a gap that stays (a message lost while
 * the channel reconnected) is filled by reading the items back from the store.
 */
export class InOrder<T> {
  private readonly early = new Map<number, T>();
  private filling: Promise<void> | null = null;

  constructor(
    private readonly sequence: {
      /** The number of the last item applied. */
      at(): number;
      numberOf(item: T): number;
      apply(item: T): void;
      /** Items after `n` as the store holds them, in order (some of them, or none when there are none). */
      readAfter(n: number): Promise<T[]>;
    },
  ) {}

  /** Applies the item if it is the next one, and any that waited for it; keeps it if it is early. */
  take(item: T): void {
    const { at, numberOf } = this.sequence;
    const n = numberOf(item);
    if (n <= at()) return;
    this.early.set(n, item);
    this.drain();
    if (this.early.size > 0) void this.fill();
  }

  /** Reads back and applies whatever the store holds after what was applied: after a reconnect, or when told of a later number. */
  fill(): Promise<void> {
    this.filling ??= (async () => {
      try {
        for (;;) {
          const items = await this.sequence.readAfter(this.sequence.at());
          for (const item of items) this.early.set(this.sequence.numberOf(item), item);
          const before = this.sequence.at();
          this.drain();
          if (items.length === 0 || this.sequence.at() === before) break;
        }
      } finally {
        this.filling = null;
      }
    })();
    return this.filling;
  }

  /**
   * Reads back until item `last` is applied (another node stored up to it). Rejects if the store
   * does not have it after all (it went back meanwhile): the caller gives up on its copy.
   */
  async reach(last: number): Promise<void> {
    for (let stalled = 0; this.sequence.at() < last; ) {
      const before = this.sequence.at();
      await this.fill();
      if (this.sequence.at() === before && ++stalled >= 3) throw new Error(`the store does not have item ${last} it said it had`);
    }
  }

  private drain(): void {
    const { at, apply } = this.sequence;
    for (let next = this.early.get(at() + 1); next !== undefined; next = this.early.get(at() + 1)) {
      this.early.delete(at() + 1);
      apply(next);
    }
    for (const n of this.early.keys()) if (n <= at()) this.early.delete(n);
  }
}
