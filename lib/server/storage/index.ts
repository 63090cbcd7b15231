import { join } from "node:path";
import type { BoardStore } from "./board-store";
import { MemoryStore } from "./memory-store";
import { SqliteStore } from "./sqlite-store";

export type { BoardStore, StoredBoard } from "./board-store";
export { MemoryStore } from "./memory-store";
export { SqliteStore } from "./sqlite-store";

export const STORAGE_KINDS = ["sqlite", "memory"] as const;
export type StorageKind = (typeof STORAGE_KINDS)[number];

/** The store the configuration asks for: an SQLite file under `dataDir` unless told otherwise. */
export function createBoardStore(kind: StorageKind, dataDir: string): BoardStore {
  return kind === "memory" ? new MemoryStore() : new SqliteStore(join(dataDir, "scribble.db"));
}
