import { randomUUID } from "node:crypto";
import { OPERATOR, refuse, type Ack, type CursorUpdate, type Dismissal, type Action, type ActivityState, type AppliedOp, type BoardSummary, type ManageRequest, type OpRequest, type Refusal, type Stroke } from "../protocol";
import { Roster } from "../board";
import {
  BoardRoom,
  type BoardRoomOptions,
  type ChatInput,
  type JoinInput,
  type Managed,
  type Posted,
  type RoomJoined,
  type RoomMember,
} from "./board-room";
import { hashKey, newKey } from "./keys";
import type { Logger } from "./log";
import type { BoardFeed, FeedMessage } from "./redis/board-feed";
import type { BoardStore } from "./storage";
import { upgradeStored } from "./storage/upgrade";

export interface Joined extends RoomJoined {
  boardId: string;
  /** The board the tab was on before, when it was on one. */
  left?: Left;
}

/** The board a tab left (the others hear of it from the room's events). */
export interface Left {
  boardId: string;
}

/** A tab on a board: the board, the person, and the browser they are on. */
export interface Member extends RoomMember {
  boardId: string;
}

export interface BoardServiceOptions extends BoardRoomOptions {
  /** How long a board nobody is on stays in memory. */
  idleMs: number;
  /** Cluster mode: each board in memory hears what other nodes store of it (`shared` is the store). */
  feed?: BoardFeed;
  /** A board in memory no longer matches the store: it was dropped, and its tabs must load it afresh. */
  onLost?: (boardId: string) => void;
  /** Cluster mode: another node's people's cursors of one tick, for this node's tabs. */
  cursorsFrom?: (boardId: string, updates: CursorUpdate[]) => void;
}

const UNKNOWN_VIEW_LINK = refuse("UNKNOWN_LINK", "This view-only link leads to no board. Ask the board's owner for the link again.");

const DEFAULT_OPTIONS: BoardServiceOptions = { snapshotEvery: 500, idleMs: 300_000, maxPeople: 200, maxTabs: 10 };

/**
 * Every board this process serves (a `BoardRoom` each), and which socket is on which board. Knows
 * nothing of Socket.IO: it decides, the handlers deliver. Boards are loaded from the store on
 * first use, kept in memory while people are on them, and leave it a while after the last left.
 */
export class BoardService {
  private readonly rooms = new Map<string, BoardRoom>();
  private readonly loading = new Map<string, Promise<BoardRoom>>();
  /** Set while nobody is on a board: when it fires, the board leaves memory. */
  private readonly idleTimers = new Map<string, NodeJS.Timeout>();
  private readonly socketBoard = new Map<string, string>();
  /**
   * Tabs on each board on this node, and joining it. A board leaves memory once it has none: in
   * a cluster, people may still be on it on other nodes, which serve them.
   */
  private readonly here = new Map<string, number>();
  /** Boards being deleted: a load waits for the deletion. */
  private readonly deletions = new Map<string, Promise<void>>();

  constructor(
    private readonly store: BoardStore,
    private readonly log: Logger,
    private readonly options: BoardServiceOptions = DEFAULT_OPTIONS,
  ) {}

  /** Stops the idle timers; the store is the caller's to close. */
  close(): void {
    for (const timer of this.idleTimers.values()) clearTimeout(timer);
    this.idleTimers.clear();
  }

  /**
   * Cluster mode, after the connection to Redis came back: each board in memory reads back what
   * it missed meanwhile; one the store lost changes of (a Redis restarted without them) is loaded
   * afresh, and its tabs start over from it.
   */
  async resync(): Promise<void> {
    await Promise.all(
      [...this.rooms].map(async ([boardId, room]) => {
        try {
          if (!(await room.resync())) await this.wentBack(boardId, room);
        } catch (err) {
          this.log.warn("reading back a board's changes failed", { board: boardId, error: String(err) });
        }
      }),
    );
  }

  /**
   * Puts a tab on a board, named by its id or its view key. A tab that sends an owner key owns
   * the board if the key is its owner's, or if the board is new (nobody owns it and nothing of it
   * is stored): then the board is stored, owned, before the tab is told.
   */
  async join(socketId: string, req: JoinInput, mayClaim: () => boolean = () => true): Promise<Ack<Joined>> {
    const boardId = req.boardId ?? (await this.findByViewKey(req.view!));
    if (boardId === null) return UNKNOWN_VIEW_LINK;
    const res = await this.joinLoaded(socketId, boardId, await this.loaded(boardId), req, mayClaim);
    // A refused join loaded the board for nothing: it must not stay in memory for it.
    if (!res.ok) this.evictWhenEmpty(boardId);
    return res;
  }

  private async joinLoaded(socketId: string, boardId: string, room: BoardRoom, req: JoinInput, mayClaim: () => boolean): Promise<Ack<Joined>> {
    // A board nobody owns hands out no view key (one the operator's change made is never shown).
    if (req.view !== undefined && !room.owned) return UNKNOWN_VIEW_LINK;
    const ownerKeyHash = req.ownerKey === undefined ? undefined : hashKey(req.ownerKey);
    const credentials = { clientId: req.clientId, ownerKeyHash, viaView: req.view !== undefined };
    const again = this.socketBoard.get(socketId) === boardId ? room.rejoin(socketId, req, credentials) : undefined;
    if (again) return { ok: true, boardId, ...again };
    const refusal = room.refusal(req.name, credentials);
    if (refusal) return refusal;
    if (ownerKeyHash !== undefined && req.view === undefined && room.claimable) {
      // Each claim stores a board: how many one network may make is held to a person's pace.
      if (!mayClaim()) return refuse("RATE_LIMITED", "Too many new boards from your network: try again in a minute.");
      try {
        await room.claim(ownerKeyHash, newKey());
      } catch (err) {
        this.log.error("storing a new board's owner failed", { board: boardId, error: String(err) });
        if (room.lost) this.lose(boardId, room, "another node made it first");
        return refuse("INTERNAL", "The board could not be made yours: try again.");
      }
      // The board may have left memory while the claim was stored (the tab's other board was this one).
      if (this.rooms.get(boardId) !== room) return this.join(socketId, req, mayClaim);
    }
    // The board it was on may leave memory only once the tab is on this one: it may be the same
    // board, under another name. Others may have joined, and owners decided, while a claim was
    // stored: the join asks again whether the name is free, the board full, the browser removed.
    const left = this.release(socketId);
    this.count(boardId, 1);
    const joined = await room.join(socketId, req, credentials);
    // Cluster mode: the room may have been dropped and loaded again while the join was stored.
    const replaced = this.rooms.get(boardId) !== room;
    if (!joined.ok || replaced) this.count(boardId, -1);
    if (left) this.evictWhenEmpty(left.boardId);
    if (!joined.ok) return joined;
    if (replaced) return this.join(socketId, req, mayClaim);
    this.socketBoard.set(socketId, boardId);
    return { ...joined, boardId, left };
  }

  /** Whether this node has the tab on the board. */
  isOn(socketId: string, boardId: string): boolean {
    return this.socketBoard.get(socketId) === boardId;
  }

  private count(boardId: string, delta: number): void {
    const n = (this.here.get(boardId) ?? 0) + delta;
    if (n > 0) this.here.set(boardId, n);
    else this.here.delete(boardId);
  }

  leave(socketId: string): Left | undefined {
    const left = this.release(socketId);
    if (left) this.evictWhenEmpty(left.boardId);
    return left;
  }

  /** Records a tab's activity (the others hear of it from the room's events). */
  setActivity(socketId: string, state: ActivityState): void {
    const boardId = this.socketBoard.get(socketId);
    const room = boardId === undefined ? undefined : this.rooms.get(boardId);
    if (room) this.settle(boardId!, room.setActivity(socketId, state));
  }

  /**
   * A change to who is on a board that nobody waits for (a leave, a tab's activity). In a cluster
   * it can fail (Redis is down): the board is then loaded afresh, and its tabs join it again.
   */
  private settle(boardId: string, change: Promise<unknown>): void {
    change.catch((err: unknown) => {
      const room = this.rooms.get(boardId);
      if (room) this.lose(boardId, room, `a change to who is on it could not be stored: ${String(err)}`);
    });
  }

  /** FORBIDDEN, in words for the person, when the member may not do this now. */
  forbidden(member: Member, action: Action): Refusal | undefined {
    return this.roomOf(member).forbidden(member, action);
  }

  /** The member's board's history (see BoardRoom.history). */
  history(member: Member): ReturnType<BoardRoom["history"]> {
    return this.roomOf(member).history(member);
  }

  /** The member's board as it was at a moment (see BoardRoom.momentAt). */
  momentAt(member: Member, seq: number): ReturnType<BoardRoom["momentAt"]> {
    return this.roomOf(member).momentAt(member, seq);
  }

  /** Makes the member's board as it was at a moment again (see BoardRoom.restoreTo); a store failure drops the board from memory, as a failed commit does. */
  async restoreTo(member: Member, seq: number): ReturnType<BoardRoom["restoreTo"]> {
    const room = this.roomOf(member);
    const res = await room.restoreTo(member, seq);
    await this.dropIfReloading(member.boardId, room, res);
    return res;
  }

  /** An owner's change to the member's board (see BoardRoom.manage). */
  manage(member: Member, req: ManageRequest, now: number, pace?: () => Refusal | undefined): Promise<Ack<Managed>> {
    return this.roomOf(member).manage(member, req, now, pace);
  }

  /** Whose cursors the tabs on a board get (see BoardRoom.cursorAudience). */
  cursorAudience(boardId: string): ReturnType<BoardRoom["cursorAudience"]> {
    return this.rooms.get(boardId)?.cursorAudience() ?? null;
  }

  /**
   * Boards whose owners listed them in the lobby: those in memory (the store lags a write behind)
   * and those stored, the busiest first, so that boards in use are never pushed out of the list
   * by idle ones.
   */
  async listedBoards(limit: number): Promise<string[]> {
    const stored = await this.store.listedBoards(limit);
    const listed = new Set(stored.filter((id) => this.rooms.get(id)?.listed !== false));
    for (const [id, room] of this.rooms) if (room.listed) listed.add(id);
    return [...listed].sort((a, b) => this.headCount(b) - this.headCount(a) || a.localeCompare(b)).slice(0, limit);
  }

  /** The board, person and browser behind a socket, if it has joined a board. */
  memberOf(socketId: string): Member | undefined {
    const boardId = this.socketBoard.get(socketId);
    const member = boardId === undefined ? undefined : this.rooms.get(boardId)?.memberOf(socketId);
    return boardId !== undefined && member ? { boardId, ...member } : undefined;
  }

  /** Strokes of the member's board by id, erased ones included, at most `maxPoints` points (see Board.strokesFor). */
  strokesOf(member: Member, ids: readonly string[], maxPoints: number): { strokes: Stroke[]; answered: number } {
    return this.roomOf(member).strokesFor(member, ids, maxPoints);
  }

  /**
   * Orders a change and stores it; resolves once it is stored. If the store fails, the board is
   * dropped from memory (it no longer matches what is stored) and the caller hears of it.
   */
  async commit(member: Member, req: OpRequest, except?: string): Promise<Ack<{ seq: number; applied?: AppliedOp }> & { reload?: true }> {
    const room = this.roomOf(member);
    const res = await room.commit(member, req, except);
    await this.dropIfReloading(member.boardId, room, res);
    return res;
  }

  /** A board whose store failed no longer matches it: out of memory, to be loaded afresh. */
  private async dropIfReloading(boardId: string, room: BoardRoom, res: { ok: boolean; reload?: true }): Promise<void> {
    if (res.ok || !res.reload) return;
    if (room.storeWentBack) await this.wentBack(boardId, room);
    else this.forget(boardId, room);
  }

  /**
   * Cluster mode: Redis lost changes of the board that this node applied (it restarted without
   * them). The board gets a new epoch before its tabs come back, so that none resumes from a seq
   * that now names other changes: each loads the board afresh and resends what it had not had acked.
   */
  private async wentBack(boardId: string, room: BoardRoom): Promise<void> {
    if (this.rooms.get(boardId) !== room) return;
    this.forget(boardId, room);
    try {
      await this.options.shared?.renewEpoch(boardId, randomUUID());
    } catch (err) {
      this.log.error("giving a board that went back a new epoch failed", { board: boardId, error: String(err) });
    }
    this.reload(boardId, "the store went back: it lost changes this node had applied");
  }

  /** Cluster mode: takes off every board here the tabs of nodes not in `live` (they stopped: a crash, a kill). */
  dropNodesExcept(live: ReadonlySet<string>): void {
    for (const [boardId, room] of this.rooms) {
      const gone = new Set([...room.nodesOnBoard()].filter((node) => !live.has(node)));
      if (gone.size > 0) this.settle(boardId, room.dropNodes(gone));
    }
  }

  /** Drops a room that no longer matches the store, and has its tabs load the board afresh. */
  private lose(boardId: string, room: BoardRoom, why: string): void {
    if (this.rooms.get(boardId) !== room) return;
    this.forget(boardId, room);
    this.reload(boardId, why);
  }

  /** Has the tabs of a board dropped from memory load it afresh. */
  private reload(boardId: string, why: string): void {
    this.log.warn("board reloads from the store", { board: boardId, why });
    this.options.onLost?.(boardId);
  }

  /** Out of memory (and, in a cluster, no longer heard). */
  private forget(boardId: string, room: BoardRoom): void {
    if (this.rooms.get(boardId) !== room) return;
    this.rooms.delete(boardId);
    this.options.feed?.unfollow(boardId);
  }

  postChat(member: Member, req: ChatInput, now: number): Promise<Ack<Posted>> {
    return this.roomOf(member).postChat(member, req, now);
  }

  /** Boards people are on, as the server's operator sees them (see BoardRoom.adminView), the busiest first. */
  adminBoards(limit = 100): (ReturnType<BoardRoom["adminView"]> & { boardId: string })[] {
    return [...this.rooms]
      .filter(([, room]) => room.size > 0)
      .map(([boardId, room]) => ({ boardId, ...room.adminView() }))
      .sort((a, b) => b.people.length - a.people.length || a.boardId.localeCompare(b.boardId))
      .slice(0, limit);
  }

  /** The server's operator changes a stored board as an owner would (see BoardRoom.manage). */
  async operate(boardId: string, req: ManageRequest, now: number): Promise<Ack<Managed>> {
    const room = await this.loaded(boardId);
    const res = room.isStored || room.size > 0 ? await room.manage(OPERATOR, req, now) : refuse("UNKNOWN_LINK", "There is no such board.");
    this.evictWhenEmpty(boardId);
    return res;
  }

  /** Takes tabs off a board, telling each why (on every node of a cluster). */
  async dismiss(boardId: string, socketIds: readonly string[], dismissal: Dismissal): Promise<void> {
    await this.rooms.get(boardId)?.dismiss(socketIds, dismissal);
  }

  /** The tabs on a board, to send away before it is deleted. */
  tabsOn(boardId: string): string[] {
    return this.rooms.get(boardId)?.tabIds() ?? [];
  }

  /**
   * Forgets a board for good, in memory and in the store (its tabs were sent away first). A join
   * meanwhile waits, and then finds no board: it never loads the one being deleted.
   */
  deleteBoard(boardId: string): Promise<void> {
    const deleting = (async () => {
      const room = this.rooms.get(boardId);
      this.stopIdleTimer(boardId);
      if (room) this.forget(boardId, room);
      await room?.settled();
      await this.store.deleteBoard(boardId);
    })().finally(() => this.deletions.delete(boardId));
    this.deletions.set(boardId, deleting);
    return deleting;
  }

  /** Boards held in memory (active ones, and empty ones not yet idle long enough to leave). */
  get loadedCount(): number {
    return this.rooms.size;
  }

  /**
   * Boards with people on them, the busiest first: for the operator (`/healthz`), never sent to a
   * tab. Boards nobody is on are not counted, stored or not.
   */
  activeBoards(limit = 50): BoardSummary[] {
    return [...this.rooms.entries()]
      .filter(([, room]) => room.size > 0)
      .map(([boardId, room]) => ({ boardId, count: room.size }))
      .sort((a, b) => b.count - a.count || a.boardId.localeCompare(b.boardId))
      .slice(0, limit);
  }

  /** People on a board now (0 for one nobody is on, or that is not in memory). */
  headCount(boardId: string): number {
    return this.rooms.get(boardId)?.size ?? 0;
  }

  /** People on a board now, on any node of a cluster (one not in memory here is asked of Redis). */
  async peopleOn(boardId: string): Promise<number> {
    const room = this.rooms.get(boardId);
    if (room || !this.options.shared) return room?.size ?? 0;
    const { records } = await this.options.shared.rosterOf(boardId);
    return Roster.fromRecords(records).size;
  }

  /** The board whose view-only link has this key: one in memory, else one stored. */
  private async findByViewKey(viewKey: string): Promise<string | null> {
    for (const [id, room] of this.rooms) if (room.viewKey === viewKey) return id;
    return this.store.findByViewKey(viewKey);
  }

  /** A member's board is in memory: `memberOf` found them on it, in the same turn. */
  private roomOf(member: Member): BoardRoom {
    const room = this.rooms.get(member.boardId);
    if (!room) throw new Error(`board ${member.boardId} is not in memory`);
    return room;
  }

  /** Takes the socket off its board, if it is on one; the board stays in memory. */
  private release(socketId: string): Left | undefined {
    const boardId = this.socketBoard.get(socketId);
    if (boardId === undefined) return undefined;
    this.socketBoard.delete(socketId);
    this.count(boardId, -1);
    const room = this.rooms.get(boardId);
    if (room) this.settle(boardId, room.leave(socketId));
    return { boardId };
  }

  /**
   * The board, in memory and with every write in flight stored: a snapshot shows only what is
   * stored. Should the board leave memory meanwhile (it was empty), it is loaded again.
   */
  private async loaded(boardId: string): Promise<BoardRoom> {
    for (;;) {
      const room = await this.load(boardId);
      this.stopIdleTimer(boardId);
      await room.settled();
      if (this.rooms.get(boardId) === room) return room;
    }
  }

  /** One load per board at a time: tabs that open it together wait for the same one. */
  private load(boardId: string): Promise<BoardRoom> {
    const deleting = this.deletions.get(boardId);
    if (deleting) return deleting.catch(() => undefined).then(() => this.load(boardId));
    const room = this.rooms.get(boardId);
    if (room) return Promise.resolve(room);
    let pending = this.loading.get(boardId);
    if (!pending) {
      pending = this.read(boardId).finally(() => this.loading.delete(boardId));
      this.loading.set(boardId, pending);
    }
    return pending;
  }

  private async read(boardId: string): Promise<BoardRoom> {
    // Cluster mode: heard from before it is read, so that nothing stored in between is missed
    // (what the read has already is skipped by seq).
    const heard: FeedMessage[] = [];
    let hear = (message: FeedMessage): void => void heard.push(message);
    await this.options.feed?.follow(boardId, (message) => hear(message));
    let room: BoardRoom;
    try {
      const stored = upgradeStored(await this.store.load(boardId));
      // Cluster mode: every node that opens a board before it is stored gives it the same epoch.
      const epoch = stored ? undefined : await this.options.shared?.freshEpoch(boardId);
      room = stored
        ? BoardRoom.fromStored(boardId, stored, this.store, this.log, this.options)
        : new BoardRoom(boardId, this.store, this.log, this.options, epoch);
      // Cluster mode: who is on the board, on any node.
      const roster = await this.options.shared?.rosterOf(boardId);
      if (roster) room.takeRoster(roster.records, roster.version);
    } catch (err) {
      this.options.feed?.unfollow(boardId);
      throw err;
    }
    this.rooms.set(boardId, room);
    hear = (message) => this.heard(boardId, room, message);
    for (const message of heard) hear(message);
    // Cluster mode: this node's tabs the roster still names but that are not on the board here
    // left while the board was out of this node's memory: their leaves are recorded now.
    const { node } = this.options;
    if (node !== undefined) this.settle(boardId, room.dropTabsOf(node, (socketId) => this.isOn(socketId, boardId)));
    return room;
  }

  /** Cluster mode: what another node stored of a board in memory here. */
  private heard(boardId: string, room: BoardRoom, message: FeedMessage): void {
    switch (message.kind) {
      case "op":
        return room.receiveOp(message.op);
      case "chat":
        return room.receiveChat(message.chat);
      case "access":
        return room.receiveAccess(message.access);
      case "roster":
        return room.receiveRoster(message.version, message.change);
      case "cursors":
        // This node's own come back to it too: its tabs had them at its tick.
        if (message.node !== this.options.node) this.options.cursorsFrom?.(boardId, message.updates);
        return;
      case "deleted":
        return this.lose(boardId, room, "it was deleted");
    }
  }

  /**
   * Memory holds the boards people are on: one left empty for `idleMs` is dropped (after a
   * snapshot, so that it opens fast next time) and loaded again from the store when needed.
   */
  private evictWhenEmpty(boardId: string): void {
    const room = this.rooms.get(boardId);
    if (!room || this.here.has(boardId)) return;
    this.stopIdleTimer(boardId);
    // Never changed, so nothing to keep: gone at once, so that opening board after board (each a
    // few KB) cannot fill memory, nor make the lobby sort thousands of them.
    if (!room.isStored) {
      this.forget(boardId, room);
      return;
    }
    const timer = setTimeout(() => {
      this.idleTimers.delete(boardId);
      if (this.rooms.get(boardId) !== room || this.here.has(boardId)) return;
      if (room.isWriting) return this.evictWhenEmpty(boardId);
      room.snapshot();
      this.forget(boardId, room);
      this.log.debug("board left memory", { board: boardId });
    }, this.options.idleMs);
    timer.unref();
    this.idleTimers.set(boardId, timer);
  }

  private stopIdleTimer(boardId: string): void {
    clearTimeout(this.idleTimers.get(boardId));
    this.idleTimers.delete(boardId);
  }
}
