import { describe, expect, it } from "vitest";
import { RateLimiter, TokenBucket } from "@/lib/server/rate-limit";

describe("RateLimiter", () => {
  it("allows a burst, then refuses with the time until the next token", () => {
    const limiter = new RateLimiter(3, 2);
    expect([0, 0, 0].map(() => limiter.take("k", 0).ok)).toEqual([true, true, true]);
    expect(limiter.take("k", 0)).toEqual({ ok: false, retryAfterMs: 500 });
    expect(limiter.take("k", 499).ok).toBe(false);
    expect(limiter.take("k", 500).ok).toBe(true);
  });

  it("refills at its rate up to its capacity, and keeps keys apart", () => {
    const limiter = new RateLimiter(2, 1);
    limiter.take("a", 0);
    limiter.take("a", 0);
    expect(limiter.take("b", 0).ok).toBe(true);
    // Ten seconds refill only up to the capacity of two.
    expect([limiter.take("a", 10_000).ok, limiter.take("a", 10_000).ok, limiter.take("a", 10_000).ok]).toEqual([true, true, false]);
  });

  it("keeps a bucket after its key goes quiet until it has refilled, then lets it go", () => {
    const limiter = new RateLimiter(2, 1, 0);
    limiter.take("a", 0);
    limiter.take("a", 0);
    // Half a refill later, "a" is still held and still short of tokens.
    expect(limiter.take("b", 1_000).ok).toBe(true);
    expect(limiter.size).toBe(2);
    expect(limiter.take("a", 1_000).ok).toBe(true);
    expect(limiter.take("a", 1_000).ok).toBe(false);
    // Once both have refilled, a sweep drops them: memory holds only keys that acted lately.
    expect(limiter.take("c", 10_000).ok).toBe(true);
    expect(limiter.size).toBe(1);
  });

  it("weighs an action by its cost, and tells how long until a heavy one fits", () => {
    const limiter = new RateLimiter(1_000, 100, 0);
    expect(limiter.take("a", 0, 900).ok).toBe(true);
    expect(limiter.take("a", 0, 300)).toEqual({ ok: false, retryAfterMs: 2_000 });
    expect(limiter.take("a", 2_000, 300).ok).toBe(true);
  });
});

describe("TokenBucket", () => {
  it("takes a refused action's hint at its word: waiting that long, the same action fits", () => {
    const bucket = new TokenBucket(1_000, 100, 0);
    expect(bucket.take(0, 800).ok).toBe(true);
    const refused = bucket.take(0, 400);
    expect(refused).toEqual({ ok: false, retryAfterMs: 2_000 });
    expect(bucket.take(2_000, 400).ok).toBe(true);
  });

  it("gives back a refund, never past its capacity", () => {
    const bucket = new TokenBucket(1_000, 100, 0);
    bucket.take(0, 1_000);
    bucket.refund(600);
    expect(bucket.take(0, 600).ok).toBe(true);
    bucket.refund(5_000);
    expect(bucket.take(0, 1_001).ok).toBe(false);
  });
});
