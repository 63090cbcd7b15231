import { DEFAULT_CIRCLE_COLOR, type PersistedAccess, type PersistedBoard, type StoredChat } from "../../../lib/board";
import { LIMITS, OWNED_BOARD_DEFAULTS, PAGE, type AppliedOp, type Stroke } from "../../../lib/protocol";
import type { BoardStore, StoredBoard } from "../../../lib/server/storage";
import { applied, committedStroke } from "../../unit/fixtures";

/**
 * What the storage tests write: ops, snapshots and chat messages as the board service makes them,
 * and one fixed set of writes that a store in another process makes and this one checks.
 */

/** The op that adds stroke `id` (`s-<seq>` unless told) at `seq`. */
export const addAt = (seq: number, id = `s-${seq}`): AppliedOp =>
  applied(seq, { type: "stroke:add", opId: `add-${id}`, stroke: committedStroke(id, seq) });

/** Chat message `id`; every third one a direct message, which carries more fields. */
export function chatAt(id: number): StoredChat {
  const direct = id % 3 === 0;
  return {
    message: {
      id,
      opId: `chat-${id}`,
      author: { id: "u-ada", name: "Ada", color: "#ef4444" },
      text: `message ${id}`,
      at: 1_700_000_000_000 + id,
      ...(direct && { to: { id: "u-bob", name: "Bob" } }),
    },
    fromClient: "client-ada",
    ...(direct && { toClient: "client-bob" }),
  };
}

/** An owned board's access, with a view key of its own, a role given and someone removed. */
export function accessOf(viewKey: string, listed = false): PersistedAccess {
  return {
    ownerKeyHash: `hash-of-${viewKey}`,
    viewKey,
    settings: { ...OWNED_BOARD_DEFAULTS, locked: true, listed },
    grants: [["client-bob", "viewer"]],
    removed: [{ clientId: "client-eve", userId: "u-eve", name: "Eve", at: 1_700_000_000_000 }],
  };
}

/** A stroke of the most points a client may send, each coordinate written with every digit. */
function longStroke(id: string, seq: number): Stroke {
  const points = Array.from({ length: LIMITS.strokePointsMax }, (_, i) => [
    ((i + seq) * 0.7919146537) % PAGE.width,
    ((i * seq) * 0.3141592653) % PAGE.height,
    (i % 97) / 97,
  ]).flat();
  return committedStroke(id, seq, "u-ada", { points, width: 64 });
}

/** A board of `small` two-point strokes and `long` longest ones, interleaved, some erased. */
export function boardOf(small: number, long = 0, seq = small + long): PersistedBoard {
  const every = long > 0 ? Math.floor((small + long) / long) : Infinity;
  const strokes = Array.from({ length: small + long }, (_, i) =>
    i % every === 0 && i / every < long ? longStroke(`long-${i}`, i + 1) : committedStroke(`s-${i}`, i + 1),
  );
  return {
    seq,
    circle: { color: DEFAULT_CIRCLE_COLOR, version: 0 },
    strokes,
    deleted: strokes.filter((_, i) => i % 7 === 3).map((s) => s.id),
    recentOps: strokes.slice(-50).map((s) => [`add-${s.id}`, s.seq]),
  };
}

/** The writes `issueWorkload` makes, on the one board it writes to. */
export const WORKLOAD = { boardId: "kept", epoch: "epoch-kept", ops: 300, snapshotAt: 200, chats: LIMITS.chatHistory + 20 } as const;

/**
 * A board's whole life in one burst, every write issued before any is awaited (as the service
 * does under load): created, ops, a snapshot part-way, more chat than is kept, and its owners'
 * changes, the last of them listing it.
 */
export function issueWorkload(store: BoardStore): Promise<void>[] {
  const { boardId, epoch, ops, snapshotAt, chats } = WORKLOAD;
  const writes = [store.create(boardId, epoch)];
  for (let seq = 1; seq <= ops; seq++) {
    writes.push(store.append(boardId, addAt(seq)));
    if (seq === snapshotAt) writes.push(store.saveSnapshot(boardId, boardOf(snapshotAt)));
    if (seq <= chats) writes.push(store.appendChat(boardId, chatAt(seq)));
    // Owners' changes come between ops; the last one is what is kept.
    if (seq % 100 === 0) writes.push(store.saveAccess(boardId, accessOf("view-kept-0000000", seq === ops)));
  }
  return writes;
}

/** What `load` gives for the workload's board once every write of `issueWorkload` is stored. */
export function workloadLoaded(): StoredBoard {
  const { epoch, ops, snapshotAt, chats } = WORKLOAD;
  return {
    epoch,
    snapshot: boardOf(snapshotAt),
    ops: Array.from({ length: ops - snapshotAt }, (_, i) => addAt(snapshotAt + 1 + i)),
    chat: Array.from({ length: LIMITS.chatHistory }, (_, i) => chatAt(chats - LIMITS.chatHistory + 1 + i)),
    access: accessOf("view-kept-0000000", true),
  };
}
