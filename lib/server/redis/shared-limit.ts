import type { Redis } from "ioredis";
import type { Allowance, Taken } from "../rate-limit";

/**
 * A token bucket in Redis, by Redis's own clock (nodes' clocks need not agree): what refills and
 * what is left, kept only while it is not full again.
 */
const TAKE = `
  local capacity, perSecond, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
  local kept = redis.call('HMGET', KEYS[1], 'tokens', 'at')
  local tokens, at = tonumber(kept[1]) or capacity, tonumber(kept[2]) or now
  tokens = math.min(capacity, tokens + (math.max(now, at) - at) / 1000 * perSecond)
  local ok = tokens >= cost
  if ok then tokens = tokens - cost end
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(math.max(now, at)))
  redis.call('PEXPIRE', KEYS[1], math.ceil(capacity / perSecond * 1000) + 1000)
  if ok then return -1 end
  return math.ceil((math.min(cost, capacity) - tokens) / perSecond * 1000)`;

/**
 * Cluster mode: an allowance shared by every node (a person's chat, say, whose tabs may be on
 * different nodes), in Redis. One round trip per action: for actions of a person's pace, not for
 * every op or cursor.
 */
export class SharedRateLimiter implements Allowance {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly capacity: number,
    private readonly perSecond: number,
  ) {}

  async take(key: string, _now: number, cost = 1): Promise<Taken> {
    const wait = Number(await this.redis.eval(TAKE, 1, `${this.prefix}:${key}`, this.capacity, this.perSecond, cost));
    return wait < 0 ? { ok: true } : { ok: false, retryAfterMs: wait };
  }
}
