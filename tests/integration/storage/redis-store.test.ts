import { randomUUID } from "node:crypto";
import { describeBoardStore } from "./board-store.contract";
import { useRedis } from "../support/redis";

const redis = useRedis();

// Each test keeps its boards under a prefix of its own in one Redis: the same settings find them again.
describeBoardStore("redis", {
  durable: true,
  place: () => ({ storage: "redis", dataDir: "", sqliteSynchronous: "normal", redisUrl: redis().url, redisPrefix: `test-${randomUUID()}` }),
});
