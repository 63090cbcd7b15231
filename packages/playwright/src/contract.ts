/**
 * What a test may rely on: the board page's sync hooks (`data-sync-state`, `data-digest`,
 * `window.scribble`) and the test API's wire format. The app builds to this contract (it imports
 * these types) and the kit reads by it, so the two cannot drift apart. Types and constants only:
 * the kit depends on nothing but @playwright/test.
 */

/**
 * Where a tab is with its board:
 * - `joining`: it has no board yet (first connection, the join in flight, or its strokes loading);
 * - `syncing`: it is on the board, but own changes wait for their acks, or a change it was sent
 *   waits for an earlier one;
 * - `synced`: it holds the board as the server ordered it, with nothing of its own in flight;
 * - `offline`: no connection (or the tab was taken off the board); its changes wait.
 */
export const SYNC_STATES = ["joining", "syncing", "synced", "offline"] as const;
export type SyncState = (typeof SYNC_STATES)[number];

/** The board page's one element carrying the tab's sync state, seq and board digest. */
export const SYNC_ROOT_SELECTOR = "[data-sync-state]";
export const SYNC_STATE_ATTRIBUTE = "data-sync-state";
export const DIGEST_ATTRIBUTE = "data-digest";
/** The `seq` of `window.scribble`, mirrored on the same element. */
export const SEQ_ATTRIBUTE = "data-seq";

/** A stroke the tab shows, in z-order. */
export interface VisibleStroke {
  id: string;
  /** The user id of whoever drew it; null for the tab's own stroke not acked yet. */
  author: string | null;
  color: string;
}

export interface HookPerson {
  id: string;
  name: string;
  color: string;
}

/** `window.scribble` on a board page: read-only, updated as the board changes. */
export interface ScribbleHooks {
  /** The contract's version: a test written against 1 can say so. */
  readonly version: 1;
  readonly boardId: string | null;
  readonly status: SyncState;
  /** The last change of the server's order this tab holds. */
  readonly seq: number;
  /** Own changes not acked yet. */
  readonly pending: number;
  /** `boardDigest` of what the tab shows: equal on every synced tab of a board and on the server. */
  readonly digest: string;
  readonly self: HookPerson | null;
  /** Everyone on the board, this tab's person included. */
  readonly people: readonly HookPerson[];
  readonly strokes: readonly VisibleStroke[];
  /** Resolves once the tab is `synced` (at once if it is); rejects after `timeoutMs` (default 10 s) saying where it was. */
  whenSynced(options?: { timeoutMs?: number }): Promise<{ seq: number; digest: string }>;
}

declare global {
  interface Window {
    scribble?: ScribbleHooks;
  }
}

/**
 * The test API: HTTP under this prefix, JSON in and out, `Authorization: Bearer <TEST_API_TOKEN>`.
 * Off unless the server runs with TEST_API=1 and a TEST_API_TOKEN (docs/TESTING.md).
 */
export const TEST_API_PREFIX = "/test-api";

/** What the test API answers when it refuses: an HTTP error status and this body. */
export interface TestApiError {
  error: { code: TestApiErrorCode; message: string };
}
export type TestApiErrorCode = "TEST_API_OFF" | "UNAUTHORIZED" | "NOT_FOUND" | "INVALID" | "TOO_LARGE" | "RATE_LIMITED" | "INTERNAL";

/** `GET /test-api/boards/:boardId`, and the answer to a seed. */
export interface TestBoardState {
  boardId: string;
  seq: number;
  digest: string;
  circle: string;
  strokes: VisibleStroke[];
  /** The people on the board now, with how many tabs each has open. */
  people: (HookPerson & { tabs: number })[];
}

/** `GET /test-api/boards/:boardId/ops?after=<seq>&limit=<n>`: the board's kept changes in order. */
export interface TestBoardOps {
  seq: number;
  ops: { seq: number; author: string; op: { type: string; opId: string } & Record<string, unknown> }[];
}

/** `POST /test-api/reset` with `{ boardId }` resets that board; with `{}`, every board, fault and name. */
export interface TestResetRequest {
  boardId?: string;
}
export interface TestResetAnswer {
  reset: number;
}

/** `POST /test-api/boards/:boardId/seed`: `strokes` strokes made from `seed`, the same ones for the same seed. */
export interface TestSeedRequest {
  strokes: number;
  seed: string | number;
}

/**
 * `POST /test-api/faults`: network faults on a board's connections, or one person's (by name).
 * Omitted fields keep their value; `{ boardId, clear: true }` lifts them all. Faults stay until
 * lifted or reset, and hold for connections made later too (a reconnect does not escape them).
 */
export interface TestFaultRequest {
  boardId: string;
  name?: string;
  /** Added to every message each way, plus up to `jitterMs` more at random; order is kept. */
  latencyMs?: number;
  jitterMs?: number;
  /** The share of volatile messages (cursors, previews, laser) dropped, from 0 to 1. */
  dropVolatile?: number;
  /** Holds every message each way until lifted (the connection stays up): a partition. */
  partitioned?: boolean;
  clear?: boolean;
}
export interface TestFault {
  boardId: string;
  name: string | null;
  latencyMs: number;
  jitterMs: number;
  dropVolatile: number;
  partitioned: boolean;
}
export interface TestFaultsAnswer {
  faults: TestFault[];
}

/** `POST /test-api/boards/:boardId/disconnect`: cuts the board's connections, or one person's; their tabs reconnect. */
export interface TestDisconnectRequest {
  name?: string;
}
export interface TestDisconnectAnswer {
  disconnected: number;
}

/** `POST /test-api/boards/:boardId/release`: frees a name at once (its tabs are cut), instead of after the heartbeat timeout. */
export interface TestReleaseRequest {
  name: string;
}
export interface TestReleaseAnswer {
  released: number;
}

/** `POST /test-api/storage/fail`: the next `writes` storage writes fail, as a full disk would; 0 stops it. */
export interface TestStorageFailRequest {
  writes: number;
}
export interface TestStorageFailAnswer {
  failing: number;
}
