import { createShardedAdapter } from "@socket.io/redis-adapter";
import type { Config } from "./config";
import type { Logger } from "./log";
import { BoardFeed } from "./redis/board-feed";
import { connectRedis } from "./redis/connection";
import type { ScribbleServer } from "./rooms";
import type { RedisStore } from "./storage";

export interface Cluster {
  /** What other nodes store of the boards this node has in memory. */
  feed: BoardFeed;
  close(): Promise<void>;
}

/**
 * Joins this node to the others on the same Redis. Ordered changes (ops, chat, access) come
 * through `feed`, each board on its own channel, and each node sends them to its own tabs; what
 * needs no order (previews, cursors, presence, owners' notices, lobby counts) goes through
 * Socket.IO's sharded Redis adapter, whose "dynamic" mode gives each room a channel of its own, so
 * that a node hears only the boards its tabs are on.
 */
export function joinCluster(io: ScribbleServer, config: Config, log: Logger, store: RedisStore, resync: () => Promise<void>): Cluster {
  const url = config.redisUrl!;
  const pub = connectRedis(url);
  const sub = connectRedis(url, { maxRetriesPerRequest: null });
  for (const client of [pub, sub]) client.on("error", (err: Error) => log.warn("Socket.IO adapter: Redis connection failed", { error: err.message }));
  io.adapter(createShardedAdapter(pub, sub, { channelPrefix: `${config.redisPrefix}:io`, subscriptionMode: "dynamic" }));
  const feed = new BoardFeed(url, (boardId) => store.feedChannel(boardId), log, () => {
    log.info("Redis is back: boards read back what they missed");
    void resync();
  });
  return {
    feed,
    async close() {
      feed.close();
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
