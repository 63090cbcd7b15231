import { rmSync } from "node:fs";
import { afterAll, beforeAll } from "vitest";
import { startRedis, type RedisOptions, type RedisProcess } from "@/tools/cluster/redis-process";

/**
 * A real redis-server of this file's own, in a temporary directory, on a unix socket (no port
 * to clash with), started before the file's tests and stopped after them.
 */
export function useRedis(opts: RedisOptions = {}): () => RedisProcess {
  let redis: RedisProcess | undefined;
  beforeAll(async () => {
    redis = await startRedis(opts);
  });
  afterAll(async () => {
    await redis?.stop();
    if (redis) rmSync(redis.dir, { recursive: true, force: true });
  });
  return () => {
    if (!redis) throw new Error("useRedis(): no Redis outside a test");
    return redis;
  };
}
