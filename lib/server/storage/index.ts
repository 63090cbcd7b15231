import { join } from "node:path";
import type { BoardStore } from "./board-store";
import { MemoryStore } from "./memory-store";
import { SqliteStore, type SqliteSynchronous } from "./sqlite-store";

export type { BoardStore, StoredBoard } from "./board-store";
export { MemoryStore } from "./memory-store";
export { SQLITE_SYNCHRONOUS_MODES, SqliteStore, type SqliteSynchronous } from "./sqlite-store";

export const STORAGE_KINDS = ["sqlite", "memory"] as const;
export type StorageKind = (typeof STORAGE_KINDS)[number];

/** The settings a store is made from (the server's `Config` has them). */
export interface StoreSettings {
  storage: StorageKind;
  dataDir: string;
  sqliteSynchronous: SqliteSynchronous;
  /** What a board's kept ops may take as JSON (LIMITS.historyBytesMax unless told: tests tell less). */
  historyBytes?: number;
}

/** The SQLite file of the boards under `dataDir`: for the server, backups and anything reading it. */
export const databaseFile = (dataDir: string): string => join(dataDir, "scribble.db");

/** The store the configuration asks for: an SQLite file under `dataDir` unless told otherwise. */
export function createBoardStore(settings: StoreSettings): BoardStore {
  const { historyBytes } = settings;
  return settings.storage === "memory" ? new MemoryStore(historyBytes) : new SqliteStore(databaseFile(settings.dataDir), settings.sqliteSynchronous, historyBytes);
}
