export type Taken = { ok: true } | { ok: false; retryAfterMs: number };

/** Token buckets by key: in this process (`RateLimiter`), or shared by a cluster's nodes (`SharedRateLimiter`). */
export interface Allowance {
  take(key: string, now: number, cost?: number): Taken | Promise<Taken>;
}

/**
 * A token bucket: `capacity` tokens at once, refilled at `perSecond`. An action costs one token,
 * or as many as it weighs (bytes, say). A refused action learns how long until it would fit, so
 * a client can wait exactly that long.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    readonly capacity: number,
    readonly perSecond: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.at = now;
  }

  take(now: number, cost = 1): Taken {
    this.refill(now);
    if (this.tokens >= cost) {
      this.tokens -= cost;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil(((Math.min(cost, this.capacity) - this.tokens) / this.perSecond) * 1000) };
  }

  /** Gives back what an action took that in the end cost nothing. */
  refund(cost: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + cost);
  }

  /** Whether the bucket has refilled completely: then it is as good as a new one. */
  isFull(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.capacity;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + ((Math.max(now, this.at) - this.at) / 1000) * this.perSecond);
    this.at = Math.max(now, this.at);
  }
}

/**
 * Token buckets by key (a person, an address), made on first use. A bucket is kept after its owner
 * leaves, so that leaving and coming back buys no fresh allowance, until it has refilled: from then
 * on it is no different from a new one and is dropped, so memory holds only the keys that acted
 * lately, whatever number of keys clients make up.
 */
export class RateLimiter implements Allowance {
  private readonly buckets = new Map<string, TokenBucket>();
  private lastSweep: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    now = Date.now(),
  ) {
    this.lastSweep = now;
  }

  take(key: string, now: number, cost = 1): Taken {
    this.sweep(now);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.capacity, this.perSecond, now);
      this.buckets.set(key, bucket);
    }
    return bucket.take(now, cost);
  }

  /** Gives back to `key` what an action took that in the end cost nothing. */
  refund(key: string, cost: number): void {
    this.buckets.get(key)?.refund(cost);
  }

  /** Keys held now. */
  get size(): number {
    return this.buckets.size;
  }

  /** At most once per refill time, so that the walk costs O(1) per `take` on average. */
  private sweep(now: number): void {
    if (now - this.lastSweep < (this.capacity / this.perSecond) * 1000) return;
    this.lastSweep = now;
    for (const [key, bucket] of this.buckets) if (bucket.isFull(now)) this.buckets.delete(key);
  }
}
