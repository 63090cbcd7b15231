import { randomBytes } from "node:crypto";
import { createShardedAdapter } from "@socket.io/redis-adapter";
import type { Redis } from "ioredis";
import type { CursorUpdate } from "../protocol";
import type { BoardService } from "./board-service";
import type { Config } from "./config";
import type { Logger } from "./log";
import { BoardFeed } from "./redis/board-feed";
import { connectRedis } from "./redis/connection";
import { SharedRateLimiter } from "./redis/shared-limit";
import type { ScribbleServer } from "./rooms";
import type { RedisStore } from "./storage";

/**
 * Says this node is alive (for NODE_TIMEOUT_MS from Redis's own clock, so nodes' clocks need not
 * agree), forgets nodes silent for a day, and answers the nodes alive now.
 */
const HEARTBEAT = `
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - 86400000)
  return redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')`;

/**
 * Says at start under which persistence Redis acknowledges a change (a change is acked once
 * Redis has it): loudly when it keeps no append-only file, so an acked change could be lost.
 */
function checkDurability(redis: Redis, log: Logger): void {
  redis
    .config("GET", "append*")
    .then((flat) => {
      const settings = Object.fromEntries((flat as string[]).flatMap((v, i, all) => (i % 2 === 0 ? [[v, all[i + 1]]] : [])));
      if (settings.appendonly !== "yes") log.warn("Redis keeps no append-only file: a change acknowledged to a tab is lost if Redis stops (see docs/DEPLOY.md)");
      else log.info("Redis persistence", { appendonly: "yes", appendfsync: settings.appendfsync });
    })
    .catch((err: unknown) => log.info("Redis's persistence settings could not be read (see docs/DEPLOY.md)", { error: String(err) }));
}

export interface Cluster {
  /** What other nodes store of the boards this node has in memory. */
  feed: BoardFeed;
  /** This process among the cluster's nodes: its NODE_ID and a suffix of its own, new at each start. */
  node: string;
  /** Chat messages per person, counted across the nodes their tabs are on. */
  chatLimits: SharedRateLimiter;
  /** Hands this node's people's cursors of one tick to the other nodes on the board (see CursorHub). */
  sendCursors(boardId: string, updates: CursorUpdate[]): void;
  close(): Promise<void>;
}

/**
 * Joins this node to the others on the same Redis. Ordered changes (ops, chat, access, who is on
 * a board) come through `feed`, each board on its own channel, and each node sends them to its
 * own tabs; so do each node's cursors, once a tick. What needs no order (previews, the laser,
 * owners' notices, lobby counts) goes through Socket.IO's sharded Redis adapter, whose "dynamic"
 * mode gives each room a channel of its own, so that a node hears only the boards its tabs are
 * on. Every few seconds the node says it is alive, and takes off its boards the tabs of nodes
 * that stopped saying so (a crash, a kill -9).
 */
export function joinCluster(io: ScribbleServer, config: Config, log: Logger, store: RedisStore, boards: () => BoardService): Cluster {
  const url = config.redisUrl!;
  const node = `${config.nodeId}~${randomBytes(4).toString("hex")}`;
  const pub = connectRedis(url);
  const sub = connectRedis(url, { maxRetriesPerRequest: null });
  for (const client of [pub, sub]) client.on("error", (err: Error) => log.warn("Socket.IO adapter: Redis connection failed", { error: err.message }));
  io.adapter(createShardedAdapter(pub, sub, { channelPrefix: `${config.redisPrefix}:io`, subscriptionMode: "dynamic" }));
  const feed = new BoardFeed(url, (boardId) => store.feedChannel(boardId), log, () => {
    log.info("Redis is back: boards read back what they missed");
    void boards().resync();
  });

  checkDurability(pub, log);

  const nodesKey = `${config.redisPrefix}:nodes`;
  // Since when this node's heartbeats get through. After an outage of Redis (or at this node's
  // start) no node could say it was alive: the others get a whole timeout to say so again before
  // this node takes them for dead.
  let heardSince: number | null = Date.now();
  const beat = async () => {
    try {
      const live = (await pub.eval(HEARTBEAT, 1, nodesKey, node, config.nodeTimeoutMs)) as string[];
      heardSince ??= Date.now();
      if (Date.now() - heardSince >= config.nodeTimeoutMs) boards().dropNodesExcept(new Set(live));
    } catch (err) {
      heardSince = null;
      log.warn("cluster heartbeat failed", { error: String(err) });
    }
  };
  void beat();
  const timer = setInterval(() => void beat(), config.nodeTimeoutMs / 3);
  timer.unref();

  return {
    feed,
    node,
    chatLimits: new SharedRateLimiter(pub, `${config.redisPrefix}:chat-limit`, config.chatBurst, config.chatPerSecond),
    // On the board's own channel: only the nodes with the board in memory hear them.
    sendCursors: (boardId, updates) => void pub.spublish(store.feedChannel(boardId), JSON.stringify({ kind: "cursors", node, updates })).catch(() => undefined),
    async close() {
      clearInterval(timer);
      feed.close();
      // Gone at once from the others' view, rather than once its heartbeat runs out.
      await pub.zrem(nodesKey, node).catch(() => undefined);
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
