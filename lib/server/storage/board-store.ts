import type { HistoryRecord, PersistedAccess, PersistedBoard, RosterChange, StoredChat, TabRecord } from "../../board";
import type { AppliedOp } from "../../protocol";

/** What a store holds for one board: its latest snapshot and the ops after it. */
export interface StoredBoard {
  /** Random, made when the board was created: a tab that knew another board under this id starts over. */
  epoch: string;
  snapshot: PersistedBoard | null;
  /** Ops after the snapshot, in seq order. */
  ops: AppliedOp[];
  /** The board's last chat messages, oldest first. */
  chat: StoredChat[];
  /** Who owns the board and what they decided; null for a board nobody owns. */
  access: PersistedAccess | null;
}

/**
 * Where boards live between restarts. Every method is async, and writes to one board complete in
 * the order they were made: the service acks an op once its `append` resolves, so an acked op
 * is stored. A write to a board never created, and every call after `close`, rejects; a write
 * that rejects stored nothing, and takes no other write down with it. Values are copied in and
 * out. Nothing here may assume a local file (a Redis store implements the same): the suite in
 * tests/integration/storage/board-store.contract.ts holds every store to this.
 */
export interface BoardStore {
  readonly kind: string;
  /** The board, or null if it was never stored. */
  load(boardId: string): Promise<StoredBoard | null>;
  /** Records a new board before its first op. */
  create(boardId: string, epoch: string): Promise<void>;
  append(boardId: string, op: AppliedOp): Promise<void>;
  /**
   * Replaces the snapshot: a checkpoint that opens the board without replaying the ops at or
   * below its seq. Those ops are kept, as the board's history, while all of the board's ops take
   * at most LIMITS.historyBytesMax as JSON; beyond it the oldest go.
   */
  saveSnapshot(boardId: string, snapshot: PersistedBoard): Promise<void>;
  /** The latest `limit` ops the store holds for the board, as its history keeps them (no points), in seq order; empty for a board never created. */
  historyOf(boardId: string, limit: number): Promise<HistoryRecord[]>;
  appendChat(boardId: string, chat: StoredChat): Promise<void>;
  /** Replaces the board's access; its view key must be no other board's. */
  saveAccess(boardId: string, access: PersistedAccess): Promise<void>;
  /** The board whose view-only link has this key, or null. */
  findByViewKey(viewKey: string): Promise<string | null>;
  /** Forgets a board and everything of it; nothing for a board never created. */
  deleteBoard(boardId: string): Promise<void>;
  /** Boards whose owners chose to list them in the lobby, by id, at most `limit`. */
  listedBoards(limit: number): Promise<string[]>;
  /** Finishes every write in flight, then releases the store. */
  close(): Promise<void>;
}

/** Why a store refuses a write to a board that `create` never recorded. */
export const notCreated = (boardId: string): Error => new Error(`board ${boardId} was not created in the store`);

/** Why a store refuses every call once `close` was called. */
export const storeClosed = (): Error => new Error("the board store is closed");

/**
 * Why a store shared by several nodes (Redis) refuses an op or chat message: another node stored
 * one under that number first. `last` is the number the board is at: the caller catches up to
 * it and decides again.
 */
export class PositionTaken extends Error {
  constructor(readonly last: number) {
    super(`another node stored that position first: the board is at ${last}`);
    this.name = "PositionTaken";
  }
}

/** What a store shared by several nodes (Redis) adds: reading back what other nodes stored. */
export interface SharedStore {
  opsAfter(boardId: string, seq: number): Promise<AppliedOp[]>;
  chatAfter(boardId: string, id: number): Promise<StoredChat[]>;
  epochOf(boardId: string): Promise<string | null>;
  /** Gives a stored board a new epoch (it lost changes tabs may have seen): every tab then loads it afresh. */
  renewEpoch(boardId: string, epoch: string): Promise<void>;
  /** The epoch every node gives a board the store lacks, until one of them creates it under it. */
  freshEpoch(boardId: string): Promise<string>;
  accessOf(boardId: string): Promise<PersistedAccess | null>;
  /** Stores a change to who is on the board as the roster's `version`, if that is the next one (else PositionTaken). */
  changeRoster(boardId: string, version: number, change: RosterChange, records: { set: TabRecord[]; del: string[] }): Promise<void>;
  /** Who is on the board across the cluster: each tab's record, and the roster's version. */
  rosterOf(boardId: string): Promise<{ version: number; records: TabRecord[] }>;
  /** Roster changes after `version` that the store still has (the latest few hundred), in order. */
  rosterAfter(boardId: string, version: number): Promise<{ version: number; change: RosterChange }[]>;
}
