import type { AccessChange, BoardSettings, Dismissal, OwnerView, RemovedPerson, Role } from "./access";
import type { Ack, ProtocolError } from "./errors";
import type { AppliedOp, OpRequest, Stroke, StrokePreview } from "./ops";
import type { ActivityState, Color } from "./primitives";
import type { ChatSendRequest, HistoryMoment, JoinRequest, LaserRequest, LobbyWatchRequest, ManageRequest, StrokesRequest } from "./schemas";
import type { HistoryEntry } from "./history";

export interface User {
  /** Stable for as long as the person has at least one tab on the board. */
  id: string;
  name: string;
  color: Color;
  /** The most present state over all of the person's tabs. */
  state: ActivityState;
  /** The role the person was given; a locked board makes every non-owner a viewer (`effectiveRole`). */
  role: Role;
}

/** A cursor's latest position in board units, or that it left the page. */
export type CursorUpdate = { id: string; x: number; y: number } | { id: string; hidden: true };

export interface Circle {
  color: Color;
  /** The board `seq` of the change that set this colour (0: never set). */
  version: number;
}

export interface BoardSummary {
  boardId: string;
  /** People on the board now (a person with several tabs counts once). */
  count: number;
}

export interface ChatMessage {
  /** The board's chat sequence number: messages sort by it. */
  id: number;
  opId: string;
  author: Pick<User, "id" | "name" | "color">;
  text: string;
  /** Server time, ms since the epoch. */
  at: number;
  /** Set on a direct message: only its author and recipient (in all their tabs) ever see it. */
  to?: Pick<User, "id" | "name">;
}

export interface JoinSnapshot {
  self: User;
  users: User[];
  /** The last messages this person may see: the board's public ones and their own direct ones. */
  chat: ChatMessage[];
  circle: Circle;
  /** The board's seq the snapshot was taken at; changes after it arrive as `op` events. */
  seq: number;
  /** Changes when a board is made anew under the same id: a tab's `lastSeq` is only good within one epoch. */
  epoch: string;
  /**
   * The opId of the board's op at `seq` (absent before its first op): a resuming tab names it
   * (`resume.last`), so that a store that went back and gave `seq` to another op is noticed.
   */
  last?: string;
  /**
   * `full`: start over; `strokeCount` visible strokes follow in `board:strokes` chunks, the last
   * marked `done`. `delta`: keep what you have; the ops after your `resume.seq` follow as `op` events.
   */
  sync: "full" | "delta";
  strokeCount: number;
  /** Whether the board has owners; one without is open to anyone with its link. */
  owned: boolean;
  settings: BoardSettings;
  /** Only to owners. */
  owner?: OwnerView;
}

export interface StrokeChunk {
  strokes: Stroke[];
  done: boolean;
}

/** Someone else's stroke growing while they draw. Its `id` is the stroke's `previewKey`, never the stroke id. */
export interface RemotePreview extends StrokePreview {
  userId: string;
}

export type OpAck = Ack<{ seq: number; /** Absent when the op was a resend of one applied before. */ applied?: AppliedOp }>;

export interface ClientToServerEvents {
  /**
   * Head counts of the named boards (the lobby names those this browser opened) and of the boards
   * whose owners listed them, now and as they change; naming boards again replaces the list. No
   * other board is ever told of.
   */
  "lobby:watch": (req: LobbyWatchRequest, ack: (res: Ack<{ boards: BoardSummary[]; listed: BoardSummary[] }>) => void) => void;
  "lobby:unwatch": () => void;
  "board:join": (req: JoinRequest, ack: (res: Ack<JoinSnapshot>) => void) => void;
  "board:leave": () => void;
  /** Every change a board keeps: ordered, stored, acked, then sent to the others as `op`. */
  op: (req: OpRequest, ack: (res: OpAck) => void) => void;
  /**
   * Strokes of the joined board by id, erased ones included: those a restore named that this tab
   * never had. An answer covers the first `answered` ids (it holds a limited number of points):
   * of those, ids the board does not hold are left out; the rest are to be asked for again.
   */
  "strokes:get": (req: StrokesRequest, ack: (res: Ack<{ strokes: Stroke[]; answered: number }>) => void) => void;
  /** Points of the stroke being drawn, batched per frame; others-only, volatile, never kept. */
  "stroke:preview": (preview: StrokePreview) => void;
  /** The pointer over the board, in board units; volatile, throttled to about 30 Hz. */
  cursor: (position: { x: number; y: number }) => void;
  /** The pointer left the board (reliable: a lost hide would leave a cursor standing). */
  "cursor:hide": () => void;
  /** The laser's path since the last message, batched per frame; others-only, volatile, never kept. */
  laser: (req: LaserRequest) => void;
  "presence:state": (update: { state: ActivityState }) => void;
  /** A chat message, public or (with `to`, a user id) direct; acked with the stored message. */
  "chat:send": (req: ChatSendRequest, ack: (res: Ack<{ message: ChatMessage }>) => void) => void;
  /** `node`: in a cluster, the name of the node serving the connection (NODE_ID). */
  ping: (ack: (res: Ack<{ now: number; node?: string }>) => void) => void;
  /**
   * The board's history: its latest runs of changes (at most LIMITS.historyEntriesMax), the
   * earliest moment it can show, and the board's seq now. Not for viewers.
   */
  "history:list": (ack: (res: Ack<{ entries: HistoryEntry[]; firstSeq: number; seq: number }>) => void) => void;
  /** The board as it was right after a change: its visible strokes by id (z-order) and its circle. Not for viewers. */
  "history:at": (req: HistoryMoment, ack: (res: Ack<{ seq: number; strokeIds: string[]; circle: Circle }>) => void) => void;
  /**
   * Owners: makes the board as it was at that moment again, for everyone, as ordinary ops (an
   * erase of what came since, a restore of what went, the circle): undoable, and nothing is lost.
   */
  "history:restore": (req: HistoryMoment, ack: (res: Ack<{ applied: AppliedOp[] }>) => void) => void;
  /** An owner's change to the board's settings or to one person; FORBIDDEN for anyone else. */
  "board:manage": (req: ManageRequest, ack: (res: Ack) => void) => void;
}

export interface ServerToClientEvents {
  /** A watched board's head count changed (0: everyone left). */
  "lobby:count": (summary: BoardSummary) => void;
  /** The boards owners list in every lobby changed: all of them, with their counts. */
  "lobby:listed": (listed: BoardSummary[]) => void;
  "presence:joined": (user: User) => void;
  "presence:left": (userId: string) => void;
  "presence:state": (update: { userId: string; state: ActivityState }) => void;
  "chat:message": (message: ChatMessage) => void;
  /** The cursors that changed since the last batch, never the receiver's own; volatile. */
  cursors: (updates: CursorUpdate[]) => void;
  op: (applied: AppliedOp) => void;
  "board:strokes": (chunk: StrokeChunk) => void;
  "stroke:preview": (preview: RemotePreview) => void;
  /** Someone's laser moved: a trail that fades on its own. */
  laser: (trail: LaserRequest & { userId: string }) => void;
  /** Sent before a graceful shutdown: the client keeps reconnecting until the server is back. */
  "server:shutdown": () => void;
  /** An owner changed the board's settings or someone's place on it. */
  "board:access": (change: AccessChange) => void;
  /** To owners only: the people kept out of the board changed. */
  "owner:removed": (removed: RemovedPerson[]) => void;
  /** To owners only: the board has a new view-only link (this is its key). */
  "owner:view-key": (viewKey: string) => void;
  /** This tab was taken off the board (it stays connected, on no board). */
  "board:dismissed": (dismissal: Dismissal) => void;
  /** The answer to a refused event that carried no ack callback. */
  error: (error: ProtocolError) => void;
}

/** No server-to-server events yet: one process serves every board. */
export type InterServerEvents = Record<string, never>;

export interface SocketData {
  boardId?: string;
  userId?: string;
  /** Counts this socket's joins, so that work for an earlier join can tell it is stale. */
  joinId?: number;
  /** The boards this socket's lobby named (see `lobby:watch`). */
  lobby?: string[];
}

// A record, not a list: adding an event to ClientToServerEvents without naming it here fails to compile.
const clientEventNames: Record<keyof ClientToServerEvents, true> = {
  "lobby:watch": true,
  "lobby:unwatch": true,
  "board:join": true,
  "board:leave": true,
  op: true,
  "strokes:get": true,
  "stroke:preview": true,
  cursor: true,
  "cursor:hide": true,
  laser: true,
  "presence:state": true,
  "chat:send": true,
  ping: true,
  "board:manage": true,
  "history:list": true,
  "history:at": true,
  "history:restore": true,
};

/** Every event name a client may send, for the server to tell unknown ones apart. */
export const CLIENT_EVENTS: ReadonlySet<string> = new Set(Object.keys(clientEventNames));
