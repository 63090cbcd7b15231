import { join } from "node:path";
import type { BoardStore } from "./board-store";
import { MemoryStore } from "./memory-store";
import { RedisStore } from "./redis-store";
import { SqliteStore, type SqliteSynchronous } from "./sqlite-store";

export { PositionTaken, type BoardStore, type SharedStore, type StoredBoard } from "./board-store";
export { MemoryStore } from "./memory-store";
export { RedisStore } from "./redis-store";
export { SQLITE_SYNCHRONOUS_MODES, SqliteStore, type SqliteSynchronous } from "./sqlite-store";

export const STORAGE_KINDS = ["sqlite", "memory", "redis"] as const;
export type StorageKind = (typeof STORAGE_KINDS)[number];

/** The settings a store is made from (the server's `Config` has them). */
export interface StoreSettings {
  storage: StorageKind;
  dataDir: string;
  sqliteSynchronous: SqliteSynchronous;
  /** Redis's address, for `redis` (cluster mode: see lib/server/redis/connection.ts). */
  redisUrl?: string;
  /** What every Redis key of this deployment starts with: several may share one Redis. */
  redisPrefix?: string;
  /** How long a node keeps a board nobody is on in memory: Redis keeps an empty board's roster version a minute longer. */
  boardIdleMs?: number;
  /** What a board's kept ops may take as JSON (LIMITS.historyBytesMax unless told: tests tell less). */
  historyBytes?: number;
}

/** The SQLite file of the boards under `dataDir`: for the server, backups and anything reading it. */
export const databaseFile = (dataDir: string): string => join(dataDir, "scribble.db");

/** The store the configuration asks for: an SQLite file under `dataDir` unless told otherwise. */
export function createBoardStore(settings: StoreSettings): BoardStore {
  const { historyBytes } = settings;
  switch (settings.storage) {
    case "memory":
      return new MemoryStore(historyBytes);
    case "redis":
      if (!settings.redisUrl) throw new Error("the redis store needs a Redis URL (REDIS_URL)");
      return new RedisStore(settings.redisUrl, settings.redisPrefix, historyBytes, settings.boardIdleMs === undefined ? undefined : settings.boardIdleMs + 60_000);
    case "sqlite":
      return new SqliteStore(databaseFile(settings.dataDir), settings.sqliteSynchronous, historyBytes);
  }
}
