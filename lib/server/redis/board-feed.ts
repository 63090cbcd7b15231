import type { Redis } from "ioredis";
import type { PersistedAccess, RosterChange, StoredChat } from "../../board";
import type { AppliedOp, CursorUpdate } from "../../protocol";
import type { Logger } from "../log";
import { connectRedis } from "./connection";

/** What a board's channel carries: each change the Redis store made, as it made it (see redis-store.ts). */
export type FeedMessage =
  | { kind: "op"; op: AppliedOp }
  | { kind: "chat"; chat: StoredChat }
  | { kind: "access"; access: PersistedAccess }
  | { kind: "roster"; version: number; change: RosterChange }
  /** A node's people's cursors of one tick (see CursorHub), not stored: from the node itself, not a script. */
  | { kind: "cursors"; node: string; updates: CursorUpdate[] }
  | { kind: "deleted" };

/**
 * The boards this node serves, heard from Redis: one sharded Pub/Sub channel per board (SSUBSCRIBE),
 * so a node hears only the boards it has in memory. Messages come in the order the store made the
 * changes. Those published while the connection was down are lost: `onReconnect` says when to
 * read back what was missed.
 */
export class BoardFeed {
  private readonly sub: Redis;
  private readonly listeners = new Map<string, (message: FeedMessage) => void>();
  private connectedBefore = false;

  constructor(
    url: string,
    private readonly channelOf: (boardId: string) => string,
    log: Logger,
    onReconnect: () => void,
  ) {
    // Never gives up on a subscription: it is resubscribed after every reconnect.
    this.sub = connectRedis(url, { maxRetriesPerRequest: null });
    this.sub.on("error", (err: Error) => log.warn("board feed: Redis connection failed", { error: err.message }));
    this.sub.on("ready", () => {
      if (this.connectedBefore) onReconnect();
      this.connectedBefore = true;
    });
    this.sub.on("smessage", (channel: string, raw: string) => {
      const listener = this.listeners.get(channel);
      if (!listener) return;
      try {
        listener(JSON.parse(raw) as FeedMessage);
      } catch (err) {
        log.error("board feed: a message could not be taken", { channel, error: String(err) });
      }
    });
  }

  /** Starts hearing a board; resolves once subscribed, so that what the store makes after that is heard. */
  async follow(boardId: string, listener: (message: FeedMessage) => void): Promise<void> {
    const channel = this.channelOf(boardId);
    this.listeners.set(channel, listener);
    await this.sub.ssubscribe(channel);
  }

  unfollow(boardId: string): void {
    const channel = this.channelOf(boardId);
    if (!this.listeners.delete(channel)) return;
    this.sub.sunsubscribe(channel).catch(() => undefined);
  }

  close(): void {
    this.listeners.clear();
    this.sub.disconnect();
  }
}
