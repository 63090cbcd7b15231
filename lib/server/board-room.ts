import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { Board, BoardAccess, ChatLog, recordOf, Roster, Timeline, type Credentials, type PersistedAccess, type RosterChange, type StoredChat, type TabRecord } from "../board";
import {
  effectiveRole,
  forbiddenReason,
  OPERATOR,
  refuse,
  type AccessChange,
  type AdminBoard,
  type Ack,
  type Action,
  type Circle,
  type HistoryEntry,
  type ActivityState,
  type AppliedOp,
  type ChatMessage,
  type Dismissal,
  type JoinSnapshot,
  LIMITS,
  strokeIdParts,
  type ManageRequest,
  type OpRequest,
  type Refusal,
  type RemovedPerson,
  type Role,
  type Stroke,
  type User,
} from "../protocol";
import type { chatSendSchema, joinRequestSchema } from "../protocol";
import { InOrder } from "./in-order";
import { SharedRoster } from "./shared-roster";
import { newKey, userIdFor } from "./keys";
import type { Logger } from "./log";
import { RecentOps, RESYNC_WINDOW } from "./recent-ops";
import { PositionTaken, type BoardStore, type SharedStore, type StoredBoard } from "./storage";

export type JoinInput = z.output<typeof joinRequestSchema>;
export type ChatInput = z.output<typeof chatSendSchema>;

/** The writes a room makes: it never loads (its service does) nor closes the store. */
export type RoomStore = Pick<BoardStore, "create" | "append" | "saveSnapshot" | "appendChat" | "saveAccess" | "historyOf">;

/** What a room tells the tabs' side as it happens, for the tabs on this node. */
export interface RoomEvents {
  /** An op took effect (each once, in seq order): for every tab on the board but its author's (`except`), which has its ack. */
  op(boardId: string, op: AppliedOp, except?: string): void;
  /** A chat message another node stored (this node's own go out with their ack). */
  chat(boardId: string, chat: StoredChat): void;
  /** Someone came onto the board (their first tab, `socketId`): for the others. */
  joined(boardId: string, user: User, socketId: string): void;
  /** Someone's last tab left the board: for the others (not the tabs leaving, `except`). */
  left(boardId: string, user: User, except: readonly string[]): void;
  /** A person's state (the most present of their tabs') changed: for everyone but the tabs leaving, `except`. */
  state(boardId: string, user: User, except?: readonly string[]): void;
  /** How many people are on the board changed, by a change this node made: the lobbies watching it must hear (from one node). */
  counted(boardId: string): void;
  /** An owner or the operator took these tabs off the board: those on this node must be told why. */
  dismissed(boardId: string, socketIds: readonly string[], dismissal: Dismissal): void;
  /**
   * Tabs left the board without being sent away. Cluster mode: one this node still has on the
   * board lost its place without leaving (its node was taken for dead), and must join again.
   */
  tabsOff(boardId: string, socketIds: readonly string[]): void;
}

const NO_EVENTS: RoomEvents = { op: () => undefined, chat: () => undefined, joined: () => undefined, left: () => undefined, state: () => undefined, counted: () => undefined, dismissed: () => undefined, tabsOff: () => undefined };

export interface BoardRoomOptions {
  /** Ops stored between two snapshots. */
  snapshotEvery: number;
  /** People a board admits at once, and tabs one person may have on it. */
  maxPeople: number;
  maxTabs: number;
  /** A board's byte budget: what its strokes, erased ones included, may take as JSON. */
  maxBytes?: number;
  /** Where what happens goes; by default nowhere (a room on its own, in unit tests). */
  events?: RoomEvents;
  /**
   * Cluster mode: the store, which other nodes write to too. An op is stored before it is
   * applied, one at a time, and its seq may be taken by another node first; what they store
   * arrives through `receiveOp`, `receiveChat` and `receiveAccess`.
   */
  shared?: SharedStore;
  /** Cluster mode: this node's name in the tab records it makes (see lib/server/cluster.ts). */
  node?: string;
}

const NO_SUCH_MOMENT = refuse("UNKNOWN_MOMENT", "The board's history does not reach that moment.");

/** What follows a join's ack: every visible stroke (a full join), or the ops the tab missed. */
export type JoinFollow = { kind: "strokes"; strokes: Stroke[] } | { kind: "ops"; ops: AppliedOp[] };

export interface RoomJoined {
  snapshot: JoinSnapshot;
  follow: JoinFollow;
  /** The person was not on the board before this tab (the others hear of it from the room's events). */
  announce: boolean;
}

/** A person on the board as one of their tabs sees them: who, from which browser, and what they may do now. */
export interface RoomMember {
  user: User;
  clientId: string;
  /** Their role as it applies now (a lock makes editors viewers). */
  role: Role;
}

/** What an owner's change comes to: who hears of it, and which tabs leave the board. */
export interface Managed {
  /** For everyone on the board, in order. */
  changes: AccessChange[];
  /** For owners only. */
  ownerChanges: AccessChange[];
  /** The people kept out, when that changed: for owners only. */
  removed?: RemovedPerson[];
  /** The board's new view-only link key: for owners only. */
  viewKey?: string;
  /** Tabs to take off the board (`dismiss`, once the others were told of the change), and what to tell them. */
  dismiss?: { socketIds: string[]; dismissal: Dismissal };
  /** The board went into the lobby's list or out of it. */
  relist?: true;
}

export interface Posted {
  message: ChatMessage;
  /** A resend of a message posted before: acked again, delivered to nobody again. */
  duplicate: boolean;
}

/** What a room holds besides its people: fresh, or as a store kept it. */
interface RoomState {
  epoch: string;
  /** Whether the store has this board yet: it gets it with its first change, not on first look. */
  stored: boolean;
  board: Board;
  chat: ChatLog;
  recent: RecentOps;
  opsSinceSnapshot: number;
  access: BoardAccess;
}

/**
 * One board in memory: its strokes, people, chat and latest ops, and its writes to the store.
 * Every change is stored before it is acknowledged; a join or a resend's ack waits for the writes
 * in flight (`settled`), so that what a tab is told is stored. Knows nothing of Socket.IO.
 */
export class BoardRoom {
  /** Who is on the board (see SharedRoster). */
  private readonly people: SharedRoster;
  /** Writes not finished yet. */
  private readonly inFlight = new Set<Promise<void>>();
  private readonly epoch: string;
  private stored: boolean;
  private readonly board: Board;
  private readonly chat: ChatLog;
  /** The latest ops, for tabs that resume. */
  private readonly recent: RecentOps;
  private opsSinceSnapshot: number;
  private access: BoardAccess;
  /** Owners' changes, one at a time: each is stored before the next is decided. */
  private managing: Promise<unknown> = Promise.resolve();
  /** Changes and chat messages taken since the room was made: /admin shows their rates. */
  private readonly taken = { ops: 0, messages: 0 };
  /** The board's history, read from the store the first time someone looks at it; then kept up with every commit. */
  private timeline: Timeline | null = null;
  private timelineLoading: Promise<Timeline> | null = null;
  private readonly events: RoomEvents;
  /** Shared mode: this node's changes, one at a time, each stored before the next is decided. */
  private committing: Promise<unknown> = Promise.resolve();
  private posting: Promise<unknown> = Promise.resolve();
  /**
   * Shared mode: set while the answer to this node's own op is applied, so that its author's tab,
   * which has it from its ack, is left out. Heard from Redis first, it goes to every tab, the
   * author's too (a tab applies an op once, whichever way it comes): the answer may still be lost.
   */
  private answering: { seq: number; except?: string } | undefined;
  /** Shared mode: ops and chat messages as they come, from this node or another, each applied once and in order. */
  private readonly ops: InOrder<AppliedOp>;
  private readonly chats: InOrder<StoredChat>;
  /** Shared mode: set once the store is found to have another board under this id (another node made it first). */
  private lostValue = false;
  /** Shared mode: set once the store is found behind this room (Redis lost changes it had acked). */
  private wentBack = false;

  /** A board nobody has changed yet (under this epoch, random unless told): the store gets it with its first change. */
  constructor(
    readonly boardId: string,
    private readonly store: RoomStore,
    private readonly log: Logger,
    private readonly options: BoardRoomOptions,
    epoch: string | RoomState = randomUUID(),
  ) {
    const state: RoomState =
      typeof epoch === "string"
        ? { epoch, stored: false, board: new Board(boardId), chat: new ChatLog(), recent: new RecentOps(), opsSinceSnapshot: 0, access: BoardAccess.open() }
        : epoch;
    ({
      epoch: this.epoch,
      stored: this.stored,
      board: this.board,
      chat: this.chat,
      recent: this.recent,
      opsSinceSnapshot: this.opsSinceSnapshot,
      access: this.access,
    } = state);
    this.events = options.events ?? NO_EVENTS;
    this.ops = new InOrder({
      at: () => this.board.seq,
      numberOf: (op) => op.seq,
      apply: (op) => this.accept(op),
      readAfter: (seq) => this.shared().opsAfter(this.boardId, seq),
    });
    this.chats = new InOrder({
      at: () => this.chat.lastId,
      numberOf: (c) => c.message.id,
      apply: (c) => {
        this.chat.add(c);
        this.events.chat(this.boardId, c);
      },
      readAfter: (id) => this.shared().chatAfter(this.boardId, id),
    });
    this.people = new SharedRoster(boardId, this.events, options.shared, options.node);
  }

  private get roster(): Roster {
    return this.people.roster;
  }

  /** The board as a store kept it: its snapshot with the ops after it replayed. */
  static fromStored(boardId: string, stored: StoredBoard, store: RoomStore, log: Logger, options: BoardRoomOptions): BoardRoom {
    const board = stored.snapshot ? Board.fromPersisted(boardId, stored.snapshot) : new Board(boardId);
    for (const op of stored.ops) board.applyCommitted(op);
    // Its size is counted here, with the load, rather than on the first stroke someone draws.
    log.debug("board loaded", { board: boardId, strokeBytes: board.bytes, ops: stored.ops.length });
    return new BoardRoom(boardId, store, log, options, {
      epoch: stored.epoch,
      stored: true,
      board,
      chat: ChatLog.fromStored(stored.chat),
      recent: new RecentOps(stored.ops.slice(-RESYNC_WINDOW)),
      opsSinceSnapshot: stored.ops.length,
      access: BoardAccess.fromPersisted(stored.access),
    });
  }

  /** People on the board. */
  get size(): number {
    return this.roster.size;
  }

  /** Whether the store has this board: one never changed can be forgotten, there is nothing to keep. */
  get isStored(): boolean {
    return this.stored;
  }

  get isWriting(): boolean {
    return this.inFlight.size > 0;
  }

  /** Resolves once every write in flight is done, those made meanwhile included, stored or failed. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  get owned(): boolean {
    return this.access.owned;
  }

  /** The view-only link's key, on an owned board. */
  get viewKey(): string | undefined {
    return this.access.viewKey;
  }

  /** The board shows in every lobby. */
  get listed(): boolean {
    return this.access.settings.listed;
  }

  /** The person and browser behind a tab on this board. */
  memberOf(socketId: string): RoomMember | undefined {
    const user = this.roster.userOf(socketId);
    const clientId = this.roster.clientOf(socketId);
    return user && clientId ? { user, clientId, role: effectiveRole(user.role, this.access.settings) } : undefined;
  }

  /** FORBIDDEN, in words for the person, when the member may not do this now. */
  forbidden(member: RoomMember, action: Action): Refusal | undefined {
    const reason = forbiddenReason(member.role, this.access.settings, action);
    return reason === undefined ? undefined : refuse("FORBIDDEN", reason);
  }

  /**
   * Whose cursors each tab gets: everyone's, unless owners chose to show only theirs, when a
   * non-owner gets the owners' alone. Null when everyone sees everyone.
   */
  cursorAudience(): { isOwner: (userId: string) => boolean } | null {
    if (this.access.settings.cursors === "everyone") return null;
    // Asked for every update and every tab of a tick: a set made once, on the first question (a
    // relay only asks whether there is an audience), not a walk of the roster each time.
    let owners: Set<string> | undefined;
    return { isOwner: (userId) => (owners ??= new Set(this.roster.users().flatMap((u) => (u.role === "owner" ? [u.id] : [])))).has(userId) };
  }

  /**
   * Makes the board the claimant's, if it is new: nobody owns it, and nothing of it is stored.
   * Resolves once the ownership is stored; false when the board was not the claimant's to take.
   */
  async claim(ownerKeyHash: string, viewKey: string): Promise<boolean> {
    if (!this.claimable) return false;
    const claimed = BoardAccess.owned(ownerKeyHash, viewKey);
    this.access = claimed;
    try {
      const stored = await this.saveAccess(claimed);
      if (this.access === claimed) this.access = stored;
      return true;
    } catch (err) {
      // Unless the operator changed the board meanwhile (that change is stored): nobody owns it.
      if (this.access === claimed) this.access = BoardAccess.open();
      // Cluster mode: another node's tab claimed it first.
      if (err instanceof PositionTaken) {
        await this.refreshAccess();
        return false;
      }
      throw err;
    }
  }

  /** Nobody owns the board and nothing of it is stored: the first tab with an owner key may have it. */
  get claimable(): boolean {
    return !this.access.owned && !this.stored && this.board.seq === 0;
  }

  /**
   * A tab on this board joins it again under the same name (a resume): nobody else hears of it,
   * it gets the board afresh. Undefined when it is not that case.
   */
  rejoin(socketId: string, req: JoinInput, credentials: Credentials): RoomJoined | undefined {
    const user = this.roster.userOf(socketId);
    if (!user || user.name !== req.name || this.access.isRemoved(credentials.clientId)) return undefined;
    return { ...this.joined(req, user), announce: false };
  }

  /** Why this browser may not join under this name now, if it may not. */
  refusal(name: string, credentials: Credentials): Refusal | undefined {
    const { maxPeople, maxTabs } = this.options;
    const { clientId } = credentials;
    // An owner can never be kept out: the owner key is the board.
    if (this.access.isRemoved(clientId) && !this.access.isOwner(credentials.ownerKeyHash)) {
      return refuse("REMOVED", "You were removed from this board. Its owners can let you back in.");
    }
    if (!this.roster.isAvailable(name, clientId)) {
      return refuse("NAME_TAKEN", "Someone on this board has that name already. Pick another name.");
    }
    const tabs = this.roster.tabsOf(name);
    if (tabs === 0 && this.roster.size >= maxPeople) {
      const most = maxPeople === 1 ? "1 person" : `${maxPeople} people`;
      return refuse("TOO_MANY_PEOPLE", `This board has as many people as it takes (${most}). Try again when someone leaves.`);
    }
    if (tabs >= maxTabs) return refuse("TOO_MANY_PEOPLE", `You have ${maxTabs} tabs on this board already: close one first.`);
    return undefined;
  }

  /**
   * Adds a tab that `refusal` let in and that has left any board it was on. In a cluster another
   * node may have changed who is on the board meanwhile: the join is then asked again, and may
   * be refused after all.
   */
  async join(socketId: string, req: JoinInput, credentials: Credentials): Promise<Ack<RoomJoined>> {
    let isNew = false;
    const res = await this.people.change(() => {
      // Placed already (a join asked again after its room was replaced: the first got stored).
      if (this.roster.userOf(socketId)?.name === req.name) return null;
      const refusal = this.refusal(req.name, credentials);
      if (refusal) return refusal;
      const user = this.roster.userFor({
        name: req.name,
        role: this.access.roleOf(credentials),
        newUserId: () => userIdFor(this.access.idSecret, this.boardId, req.clientId, req.name),
      });
      isNew = this.roster.tabsOf(req.name) === 0;
      return { type: "join", tab: this.people.tab({ socketId, clientId: req.clientId, user, state: "active" }) };
    });
    if (!res.ok) return res;
    const user = this.roster.userOf(socketId)!;
    return { ok: true, ...this.joined(req, user), announce: isNew };
  }

  /** Takes a tab off the board; the others hear of it through the room's events. */
  leave(socketId: string): Promise<unknown> {
    return this.people.change(() => (this.roster.userOf(socketId) ? { type: "leave", socketIds: [socketId] } : null));
  }

  /** Records a tab's activity; the others hear of it if the person's state changed with it. */
  setActivity(socketId: string, state: ActivityState): Promise<unknown> {
    return this.people.change(() => (this.roster.stateOf(socketId) !== undefined && this.roster.stateOf(socketId) !== state ? { type: "state", socketId, state } : null));
  }

  /** Cluster mode: who is on the board, as the nodes share it in Redis, for a room just loaded. */
  takeRoster(records: readonly TabRecord[], version: number): void {
    this.people.load(records, version);
  }

  /** Cluster mode: a change to who is on the board, made on any node (each is applied once, in order). */
  receiveRoster(version: number, change: RosterChange): void {
    this.people.receive(version, change);
  }

  /** Cluster mode: the nodes serving the board's tabs. */
  nodesOnBoard(): Set<string> {
    return this.people.nodes();
  }

  /** Cluster mode: takes off the board the tabs of nodes that stopped: their people leave everyone's lists. */
  dropNodes(dead: ReadonlySet<string>): Promise<unknown> {
    return this.people.drop((tab) => dead.has(tab.node));
  }

  /**
   * Cluster mode: takes off the board this node's tabs that are not on it here (a room dropped
   * and loaded again finds its tabs' records, though they left meanwhile): no ghosts.
   */
  dropTabsOf(node: string, isHere: (socketId: string) => boolean): Promise<unknown> {
    return this.people.drop((tab) => tab.node === node && !isHere(tab.socketId));
  }

  /** Strokes by id, erased ones included, at most `maxPoints` points (see Board.strokesFor). */
  strokesFor(member: RoomMember, ids: readonly string[], maxPoints: number): { strokes: Stroke[]; answered: number } {
    // A viewer sees the board as it is: an erased stroke is not theirs to fetch.
    const asked = member.role === "viewer" ? ids.filter((id) => this.board.isVisible(id)) : ids;
    const res = this.board.strokesFor(asked, maxPoints);
    return asked === ids ? res : { strokes: res.strokes, answered: res.answered === asked.length ? ids.length : ids.indexOf(asked[res.answered]!) };
  }

  /**
   * Orders a change and stores it; resolves once it is stored, and the tabs on this node but
   * `except` (its author's, which gets the ack) have been sent it. If the store fails, the board
   * no longer matches what is stored: the refusal says `reload`, and the caller drops the room.
   */
  async commit(member: RoomMember, req: OpRequest, except?: string): Promise<Ack<{ seq: number; applied?: AppliedOp }> & { reload?: true }> {
    if (this.options.shared) return this.serially("committing", () => this.commitShared(member, req, except));
    // Before the resend check: an op sent before a lock and resent after it is refused like a new one.
    const forbidden = this.forbidden(member, this.actionOf(req, member.user.id));
    if (forbidden) return forbidden;
    const res = this.board.commit(req, member.user.id, this.options.maxBytes);
    if (!res.ok) return res;
    if (res.duplicate) {
      // The op it repeats may still be on its way to the store: ack the resend no sooner.
      await this.settled();
      return { ok: true, seq: res.seq };
    }
    // Who and when, for the history.
    const applied: AppliedOp = { ...res.applied, name: member.user.name, at: Date.now() };
    this.taken.ops += 1;
    this.recent.push(applied);
    this.timeline?.append(recordOf(applied));
    try {
      await this.write(() => this.store.append(this.boardId, applied));
    } catch (err) {
      return this.storeFailed(err);
    }
    // Writes to one board complete in order: so do these, in seq order.
    this.events.op(this.boardId, applied, except);
    if (++this.opsSinceSnapshot >= this.options.snapshotEvery) this.snapshot();
    return { ok: true, seq: applied.seq, applied };
  }

  /**
   * Cluster mode: the op is decided on the board as this node has it, then stored as its next
   * seq. Another node may have stored that seq first: then this node reads what it missed and
   * decides again, on the board as it is now, so that every node applies the same ops in the
   * same order and none is decided on a board that changed under it.
   */
  private async commitShared(member: RoomMember, req: OpRequest, except?: string): Promise<Ack<{ seq: number; applied?: AppliedOp }> & { reload?: true }> {
    for (;;) {
      const forbidden = this.forbidden(member, this.actionOf(req, member.user.id));
      if (forbidden) return forbidden;
      const res = this.board.prepare(req, member.user.id, this.options.maxBytes);
      if (!res.ok) return res;
      // Applied here only once stored: a resend's first is stored.
      if (res.duplicate) return { ok: true, seq: res.seq };
      const applied: AppliedOp = { ...res.applied, name: member.user.name, at: Date.now() };
      try {
        await this.write(() => this.store.append(this.boardId, applied));
      } catch (err) {
        // Taken by another node: decided again once this node has it. A store behind the seq this
        // op was decided on has lost ops this node applied (see `resync`): that is a store failure.
        if (err instanceof PositionTaken && err.last >= applied.seq) {
          await this.ops.reach(err.last);
          continue;
        }
        if (err instanceof PositionTaken) this.wentBack = true;
        return this.storeFailed(err);
      }
      // Unless this node heard it from Redis before the answer came: then it has it already.
      this.answering = { seq: applied.seq, except };
      this.ops.take(applied);
      this.answering = undefined;
      this.taken.ops += 1;
      if (applied.seq % this.options.snapshotEvery === 0) this.snapshot();
      return { ok: true, seq: applied.seq, applied };
    }
  }

  /** Cluster mode: an op another node stored (or this one: each is applied once). */
  receiveOp(op: AppliedOp): void {
    this.ops.take(op);
  }

  /** Cluster mode: a chat message another node stored (or this one). */
  receiveChat(chat: StoredChat): void {
    this.chats.take(chat);
  }

  /**
   * Cluster mode: reads back what the store has that this node has not (its messages were lost
   * while its connection to Redis was down). False when the store went back: it lost changes
   * this node has (a Redis that restarted without them), and the room must be loaded afresh.
   */
  async resync(): Promise<boolean> {
    await Promise.all([this.ops.fill(), this.chats.fill(), this.people.fill()]);
    // What this node has now: more may come while the store is read, and is no sign of anything.
    const [seq, chatId] = [this.board.seq, this.chat.lastId];
    const [ops, chat] = await Promise.all([this.shared().opsAfter(this.boardId, seq - 1), this.shared().chatAfter(this.boardId, chatId - 1)]);
    const has = (ids: number[], last: number) => last === 0 || ids.includes(last);
    return has(ops.map((op) => op.seq), seq) && has(chat.map((c) => c.message.id), chatId);
  }

  /** Cluster mode: the store no longer holds this board as this room has it (another node made it, or it was deleted). */
  get lost(): boolean {
    return this.lostValue;
  }

  /** Cluster mode: the store is behind this room: it lost changes this node had applied. */
  get storeWentBack(): boolean {
    return this.wentBack;
  }

  /** Applies an op that is stored, in seq order, and sends it to this node's tabs. */
  private accept(op: AppliedOp): void {
    this.board.applyCommitted(op);
    this.recent.push(op);
    this.timeline?.append(recordOf(op));
    this.opsSinceSnapshot += 1;
    this.events.op(this.boardId, op, this.answering?.seq === op.seq ? this.answering.except : undefined);
  }

  /** One change of this node at a time, in the order asked: each is decided on what the one before left. */
  private serially<T>(queue: "committing" | "posting", run: () => Promise<T>): Promise<T> {
    const next = this[queue].then(run);
    this[queue] = next.catch(() => undefined);
    return next;
  }

  private storeFailed(err: unknown): Refusal & { reload: true } {
    this.log.error("storing an op failed: board reloads from storage", { board: this.boardId, error: String(err) });
    return { ...refuse("INTERNAL", "The change could not be stored; nothing was changed."), reload: true };
  }

  private shared(): SharedStore {
    if (!this.options.shared) throw new Error("only a room in cluster mode reads back what other nodes stored");
    return this.options.shared;
  }

  /** The board's latest runs of changes, the earliest moment it can show, and its seq now. */
  async history(member: RoomMember): Promise<Ack<{ entries: HistoryEntry[]; firstSeq: number; seq: number }>> {
    const forbidden = this.forbidden(member, "history");
    if (forbidden) return forbidden;
    const timeline = await this.loadTimeline();
    const all = timeline.entries();
    const entries = all.slice(-LIMITS.historyEntriesMax);
    // The list's own beginning, when it is cut: a slider's first step is the moment before it.
    const firstSeq = entries.length < all.length ? entries[0]!.fromSeq - 1 : timeline.firstSeq;
    return { ok: true, entries, firstSeq, seq: this.board.seq };
  }

  /** The board as it was right after change `seq`: its visible strokes in z-order, and its circle. */
  async momentAt(member: RoomMember, seq: number): Promise<Ack<{ seq: number; strokeIds: string[]; circle: Circle }>> {
    const forbidden = this.forbidden(member, "history");
    if (forbidden) return forbidden;
    const moment = await this.moment(seq);
    return moment ? { ok: true, seq, ...moment } : NO_SUCH_MOMENT;
  }

  /**
   * Makes the board as it was at `seq` again, as the owner's own ops: an erase of the strokes
   * shown since, a restore of those hidden since, and the circle's colour then. Each is stored
   * and acked like any op; nothing is destroyed, and the owner can undo it.
   */
  async restoreTo(member: RoomMember, seq: number): Promise<Ack<{ applied: AppliedOp[] }> & { reload?: true }> {
    const forbidden = this.forbidden(member, "restore");
    if (forbidden) return forbidden;
    const moment = await this.moment(seq);
    if (!moment) return NO_SUCH_MOMENT;
    const then = new Set(moment.strokeIds);
    const now = this.board.visibleStrokes().map((s) => s.id);
    const shown = new Set(now);
    const opId = `restore-${randomUUID()}`;
    const reqs: OpRequest[] = [
      ...strokeIdParts(now.filter((id) => !then.has(id))).map((strokeIds, i): OpRequest => ({ type: "stroke:erase", opId: `${opId}-e${i}`, strokeIds })),
      ...strokeIdParts(moment.strokeIds.filter((id) => !shown.has(id))).map((strokeIds, i): OpRequest => ({ type: "stroke:restore", opId: `${opId}-r${i}`, strokeIds })),
      ...(moment.circle.color !== this.board.circle.color ? [{ type: "circle:set", opId: `${opId}-c`, color: moment.circle.color } as const] : []),
    ];
    const applied: AppliedOp[] = [];
    for (const req of reqs) {
      // To every tab, the owner's too (these ops were made by the server for it), each at once
      // as it is stored: tabs apply ops in seq order, and must not wait for the rest.
      const res = await this.commit(member, req);
      if (!res.ok) return res;
      if (res.applied) applied.push(res.applied);
    }
    return { ok: true, applied };
  }

  private async moment(seq: number): Promise<{ strokeIds: string[]; circle: Circle } | undefined> {
    const timeline = await this.loadTimeline();
    const then = timeline.at(seq, this.board.visibleStrokes().map((s) => s.id), this.board.circle);
    if (!then) return undefined;
    const strokes = [...then.strokeIds].flatMap((id) => this.board.stroke(id) ?? []);
    return { strokeIds: strokes.sort((a, b) => a.seq - b.seq).map((s) => s.id), circle: then.circle };
  }

  /**
   * Reads the history once. Changes committed while it was read are taken from the recent ops
   * (the timeline skips those it holds), in the same turn as it starts to follow the commits, so
   * that it always ends at the board's seq.
   */
  private async loadTimeline(): Promise<Timeline> {
    if (this.timeline) return this.timeline;
    this.timelineLoading ??= (async () => {
      const records = this.stored ? await this.store.historyOf(this.boardId, LIMITS.historyChangesMax) : [];
      const timeline = new Timeline(records, records.length > 0 ? records[0]!.seq - 1 : this.board.seq);
      const since = records.at(-1)?.seq ?? this.board.seq;
      const missed = this.recent.after(since, this.board.seq);
      if (!missed) throw new Error(`board ${this.boardId}: more changes came while its history was read than are kept`);
      for (const op of missed) timeline.append(recordOf(op));
      this.timeline = timeline;
      return timeline;
    })().finally(() => (this.timelineLoading = null));
    return this.timelineLoading;
  }

  /** Posts a message from a person on the board (by browser: direct messages are kept by browser); resolves once it is stored. */
  async postChat(from: RoomMember, req: ChatInput, now: number): Promise<Ack<Posted>> {
    // Numbered like ops: in a cluster, a message whose id another node took first is posted again after it.
    const post = async (): Promise<Ack<Posted>> => {
      for (;;) {
        const res = await this.post(from, req, now);
        if (!("taken" in res)) return res;
        await this.chats.reach(res.taken);
      }
    };
    return this.options.shared ? this.serially("posting", post) : post();
  }

  private async post(from: RoomMember, req: ChatInput, now: number): Promise<Ack<Posted> | { taken: number }> {
    let to: { user: User; client: string } | undefined;
    if (req.to !== undefined) {
      const user = this.roster.byId(req.to);
      const client = this.roster.clientOfUser(req.to);
      if (!user || !client) return refuse("UNKNOWN_RECIPIENT", "That person is not on this board any more.");
      to = { user, client };
    }
    const posted = this.chat.post({ opId: req.opId, text: req.text, author: from.user, fromClient: from.clientId, to, at: now });
    if (posted.duplicate) await this.settled();
    else {
      try {
        await this.write(() => this.store.appendChat(this.boardId, posted.stored));
      } catch (err) {
        // Not stored, so never posted: a retry must post it anew rather than be acked as a resend.
        this.chat.remove(posted.message.id);
        if (err instanceof PositionTaken && err.last >= posted.message.id) return { taken: err.last };
        this.log.error("storing a chat message failed", { board: this.boardId, error: String(err) });
        return refuse("INTERNAL", "The message could not be stored; try again.");
      }
    }
    if (!posted.duplicate) this.taken.messages += 1;
    return { ok: true, message: posted.message, duplicate: posted.duplicate };
  }

  /** What the server's operator sees of the board (see AdminBoard), with the counts rates are made of. */
  adminView(): Omit<AdminBoard, "boardId" | "opsPerSecond" | "messagesPerSecond"> & { taken: { ops: number; messages: number } } {
    const settings = this.access.settings;
    return {
      owned: this.access.owned,
      settings,
      people: this.roster.users().map((u) => ({ id: u.id, name: u.name, role: effectiveRole(u.role, settings), state: u.state, tabs: this.roster.tabsOf(u.name) })),
      taken: { ...this.taken },
    };
  }

  /** Every tab on the board. */
  tabIds(): string[] {
    return this.roster.tabs().map(([socketId]) => socketId);
  }

  /**
   * A change to the board's settings or to one person by an owner, or by the server's operator
   * (`OPERATOR`, from /admin, on any board), stored before it takes effect; such changes are
   * decided one at a time, each on what the one before left.
   */
  manage(actor: RoomMember | typeof OPERATOR, req: ManageRequest, now: number, pace?: () => Refusal | undefined): Promise<Ack<Managed>> {
    // Refused before it queues: nobody but owners may hold up owners' changes. `pace` is asked
    // only then, so that refused requests spend nothing of it.
    if (actor !== OPERATOR && actor.role !== "owner") return Promise.resolve(refuse("FORBIDDEN", "Only the board's owners can change its settings or who does what."));
    const paced = pace?.();
    if (paced) return Promise.resolve(paced);
    const next = this.managing.then(() => this.decide(actor, req, now));
    this.managing = next.catch(() => undefined);
    return next;
  }

  private async decide(actor: RoomMember | typeof OPERATOR, req: ManageRequest, now: number): Promise<Ack<Managed>> {
    const by = actor === OPERATOR ? OPERATOR : actor.user.id;
    // A board nobody owns gets a record of its own once the operator changes it.
    const next = this.access.toPersisted() ? BoardAccess.fromPersisted(this.access.toPersisted()) : BoardAccess.operated(newKey());
    let target: { user: User; clientId: string } | undefined;
    if (req.type === "role" || req.type === "remove") {
      const user = this.roster.byId(req.userId);
      const clientId = this.roster.clientOfUser(req.userId);
      if (!user || !clientId) return refuse("UNKNOWN_RECIPIENT", "That person is not on this board any more.");
      if (user.role === "owner") return refuse("FORBIDDEN", "Owners keep their role: they hold the board's owner key.");
      target = { user, clientId };
    }
    let managed: Managed;
    switch (req.type) {
      case "settings":
        managed = {
          changes: [{ type: "settings", by, settings: next.changeSettings(req.settings) }],
          ownerChanges: [],
          ...(next.settings.listed !== this.access.settings.listed && { relist: true as const }),
        };
        break;
      case "role":
        next.grant(target!.clientId, req.role);
        // Who takes it is decided once it is stored (below).
        managed = { changes: [], ownerChanges: [] };
        break;
      case "remove":
        next.remove({ clientId: target!.clientId, userId: target!.user.id, name: target!.user.name, at: now });
        managed = {
          changes: [{ type: "removed", by, userId: target!.user.id, name: target!.user.name }],
          ownerChanges: [],
          removed: next.removed(),
        };
        break;
      case "readmit": {
        const name = next.readmit(req.userId);
        if (name === undefined) return refuse("UNKNOWN_RECIPIENT", "Nobody removed from this board has that id.");
        managed = { changes: [], ownerChanges: [{ type: "readmitted", by, name }], removed: next.removed() };
        break;
      }
      case "end":
        managed = { changes: [{ type: "settings", by, settings: next.changeSettings({ locked: true }) }, { type: "ended", by }], ownerChanges: [] };
        break;
      case "view-link": {
        if (!next.owned) return refuse("FORBIDDEN", "A board nobody owns has no view-only link.");
        const viewKey = newKey();
        next.newViewKey(viewKey);
        managed = { changes: [], ownerChanges: [], viewKey };
        break;
      }
    }
    let stored: BoardAccess;
    try {
      stored = await this.saveAccess(next);
    } catch (err) {
      // Cluster mode: an owner on another node changed the board first; decided again on what they left.
      if (err instanceof PositionTaken) {
        await this.refreshAccess();
        return this.decide(actor, req, now);
      }
      this.log.error("storing a board's access failed", { board: this.boardId, error: String(err) });
      return refuse("INTERNAL", "The change could not be stored; nothing was changed.");
    }
    this.access = stored;
    // A role is the browser's (as `roleOf` gives it on a join): every name it holds here takes it,
    // one that joined while the change was stored too. Owners keep theirs.
    if (req.type === "role") {
      let userIds: string[] = [];
      await this.people.change(() => {
        userIds = this.roster.users().flatMap((u) => (u.role !== "owner" && this.roster.clientOfUser(u.id) === target!.clientId ? [u.id] : []));
        return userIds.length > 0 ? { type: "role", userIds, role: req.role } : null;
      });
      for (const userId of userIds) managed.changes.push({ type: "role", by, userId, role: req.role });
    }
    // Who leaves is decided now, not before the write: a tab may have joined meanwhile.
    if (req.type === "remove") managed.dismiss = { socketIds: this.roster.socketsOfClient(target!.clientId), dismissal: { reason: "removed", by } };
    if (req.type === "end") {
      const socketIds = this.roster.tabs().flatMap(([socketId, user]) => (user.role !== "owner" ? [socketId] : []));
      managed.dismiss = { socketIds, dismissal: { reason: "ended", by } };
    }
    return { ok: true, ...managed };
  }

  /**
   * Takes tabs off the board (those still on it), telling them why: each node tells its own (see
   * RoomEvents.dismissed).
   */
  dismiss(socketIds: readonly string[], dismissal: Dismissal): Promise<unknown> {
    return this.people.change(() => {
      const on = socketIds.filter((id) => this.roster.userOf(id));
      return on.length > 0 ? { type: "leave", socketIds: on, dismissal } : null;
    });
  }

  /** Saves a snapshot if anything changed since the last one, so that the board opens fast next time. */
  snapshot(): void {
    if (this.opsSinceSnapshot === 0) return;
    this.opsSinceSnapshot = 0;
    this.store.saveSnapshot(this.boardId, this.board.toPersisted()).catch((err: unknown) => {
      // The op log still holds everything; the next snapshot will try again.
      this.log.warn("saving a snapshot failed", { board: this.boardId, error: String(err) });
    });
  }

  /**
   * Tracks a write until it is done. A board's first write creates it in the store first (writes
   * to one board complete in order), so that boards only looked at never fill the lobby.
   */
  private async write(write: () => Promise<void>): Promise<void> {
    const created = this.stored ? undefined : this.create();
    this.stored = true;
    // Not created after all: the next write tries again (the store refuses writes to boards it lacks).
    created?.catch(() => (this.stored = false));
    const both = Promise.all([created, write()]).then(() => undefined);
    this.inFlight.add(both);
    try {
      await both;
    } finally {
      this.inFlight.delete(both);
    }
  }

  /**
   * Creates the board in the store. In cluster mode another node may have made it first, under
   * its own epoch: the tabs here were told this room's, so the room is lost and they start over.
   */
  private async create(): Promise<void> {
    await this.store.create(this.boardId, this.epoch);
    if (!this.options.shared || (await this.shared().epochOf(this.boardId)) === this.epoch) return;
    this.lostValue = true;
    throw new Error(`another node made board ${this.boardId} first`);
  }

  /** Stores the access as the record's next version; resolves with it as stored. */
  private async saveAccess(access: BoardAccess): Promise<BoardAccess> {
    const persisted = access.toPersisted();
    if (!persisted) throw new Error("a board nobody owns has no access to store");
    const versioned = { ...persisted, version: this.access.version + 1 };
    await this.write(() => this.store.saveAccess(this.boardId, versioned));
    return BoardAccess.fromPersisted(versioned);
  }

  /** Cluster mode: the board's access as another node stored it, unless this node has it or a later one. */
  receiveAccess(access: PersistedAccess): void {
    if ((access.version ?? 0) > this.access.version) this.access = BoardAccess.fromPersisted(access);
  }

  private async refreshAccess(): Promise<void> {
    const stored = await this.shared().accessOf(this.boardId);
    if (stored) this.receiveAccess(stored);
  }

  /** What a change needs its author to be allowed: erasing or bringing back others' strokes needs more than one's own. */
  private actionOf(req: OpRequest, userId: string): Action {
    switch (req.type) {
      case "circle:set":
        return "circle";
      case "stroke:add":
        return "draw";
      case "board:clear":
        return "clear";
      case "stroke:erase":
        // Ids the board lacks are refused by the commit itself.
        return req.strokeIds.every((id) => (this.board.stroke(id)?.author ?? userId) === userId) ? "erase-own" : "erase-others";
      case "stroke:restore":
        // Bringing back what someone else hid undoes their erasing: one's own stroke an owner
        // erased stays erased unless one may erase others'. A stroke hidden before who hid it was
        // kept counts as someone else's doing; one that is visible changes nothing.
        return req.strokeIds.every((id) => {
          const stroke = this.board.stroke(id);
          if (!stroke || this.board.isVisible(id)) return true;
          return stroke.author === userId && this.board.erasedBy(id) === userId;
        })
          ? "erase-own"
          : "erase-others";
    }
  }

  /** What a joining tab is told: everyone, its chat, and the board in full or the ops it missed. */
  private joined(req: JoinInput, self: User): Omit<RoomJoined, "announce"> {
    const common = {
      self,
      users: this.roster.users(),
      chat: this.chat.visibleTo(this.roster.clientOfUser(self.id)!),
      circle: this.board.circle,
      seq: this.board.seq,
      epoch: this.epoch,
      ...(this.board.lastOpId !== undefined && { last: this.board.lastOpId }),
      owned: this.access.owned,
      settings: this.access.settings,
      ...(self.role === "owner" ? { owner: { viewKey: this.access.viewKey!, removed: this.access.removed() } } : {}),
    };
    // A viewer gets the board as it is, never the ops before it: those would show what was erased.
    const missed = effectiveRole(self.role, this.access.settings) === "viewer" ? null : this.missedOps(req.resume);
    if (missed) return { snapshot: { ...common, sync: "delta", strokeCount: 0 }, follow: { kind: "ops", ops: missed } };
    const strokes = this.board.visibleStrokes();
    return { snapshot: { ...common, sync: "full", strokeCount: strokes.length }, follow: { kind: "strokes", strokes } };
  }

  /** The ops after a tab's `lastSeq`, or null when the tab must start over from a full snapshot. */
  private missedOps(resume: JoinInput["resume"]): AppliedOp[] | null {
    if (!resume || resume.epoch !== this.epoch || resume.seq > this.board.seq) return null;
    // The tab's last op must be the board's op at that seq: a store that went back (a Redis, a
    // backup put back) may have given the seq to another op since, under the same epoch.
    if (resume.last !== undefined && resume.last !== (resume.seq === this.board.seq ? this.board.lastOpId : this.recent.opIdAt(resume.seq))) return null;
    return this.recent.after(resume.seq, this.board.seq);
  }
}
