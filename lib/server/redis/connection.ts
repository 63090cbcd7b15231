import { Redis, type RedisOptions } from "ioredis";

/**
 * A connection to the cluster's Redis, from `REDIS_URL`: `redis://[user:password@]host:port[/db]`
 * (or `rediss://` for TLS), or `unix:///path/to/redis.sock` for a server on this machine (what
 * `npm run cluster` and the tests start: no TCP port to clash with).
 */
export function connectRedis(url: string, options: RedisOptions = {}): Redis {
  const common: RedisOptions = {
    // A command waits through a short outage (a Redis restart) rather than failing at once, but
    // not forever: a tab's change that Redis cannot take is answered, and resent by the tab.
    maxRetriesPerRequest: 3,
    retryStrategy: (attempt) => Math.min(100 * attempt, 1_000),
    ...options,
  };
  if (url.startsWith("unix://")) return new Redis({ ...common, path: new URL(url).pathname });
  return new Redis(url, common);
}

/** Whether a URL is one `connectRedis` takes: said at start, rather than as a failed connection later. */
export function isRedisUrl(url: string): boolean {
  return /^(redis|rediss|unix):\/\/\S+$/.test(url);
}
