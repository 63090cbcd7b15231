import { describe, expect, it } from "vitest";
import { RateLimiter } from "@/lib/server/rate-limit";

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

  it("starts a forgotten key afresh", () => {
    const limiter = new RateLimiter(1, 1);
    limiter.take("a", 0);
    limiter.forget("a");
    expect(limiter.take("a", 0).ok).toBe(true);
  });
});
