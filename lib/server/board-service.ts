import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { Board, ChatLog, Roster } from "../board";
import type { Ack, ActivityState, AppliedOp, BoardSummary, ChatMessage, JoinSnapshot, OpRequest, Stroke, User } from "../protocol";
import type { chatSendSchema, joinRequestSchema } from "../protocol";
import type { Logger } from "./log";
import { RecentOps, RESYNC_WINDOW } from "./recent-ops";
import type { BoardStore } from "./storage";
import { upgradeStored } from "./storage/upgrade";

type JoinInput = z.output<typeof joinRequestSchema>;
type ChatInput = z.output<typeof chatSendSchema>;


interface Room {
  epoch: string;
  /** Whether the store has this board yet: it gets it with its first change, not on first look. */
  stored: boolean;
  /** Writes not finished yet: a join or a resend's ack waits for them (acked or seen means stored). */
  inFlight: Set<Promise<void>>;
  board: Board;
  roster: Roster;
  chat: ChatLog;
  /** The latest ops, for tabs that resume. */
  recent: RecentOps;
  opsSinceSnapshot: number;
  /** Set while nobody is on the board: when it fires, the board leaves memory. */
  idleTimer?: NodeJS.Timeout;
}

export interface Posted {
  boardId: string;
  message: ChatMessage;
  /** A resend of a message posted before: acked again, delivered to nobody again. */
  duplicate: boolean;
}

export interface Joined {
  boardId: string;
  snapshot: JoinSnapshot;
  /** What follows the ack: every visible stroke (a full join), or the ops the tab missed. */
  follow: { kind: "strokes"; strokes: Stroke[] } | { kind: "ops"; ops: AppliedOp[] };
  /** The person was not on the board before this tab: the others must hear of it. */
  announce: boolean;
}

export interface Left {
  boardId: string;
  /** Set when the last tab of this person left: the others must hear of it. */
  user?: User;
  /** Set when the person stays but their state changed with this tab gone (their active tab closed). */
  changed?: User;
}

export interface Member {
  boardId: string;
  user: User;
  /** The browser the person is on. */
  clientId: string;
}

export interface BoardServiceOptions {
  snapshotEvery: number;
  idleMs: number;
  /** People a board admits at once, and tabs one person may have on it. */
  maxPeople: number;
  maxTabs: number;
  /** A board's byte budget: what its strokes, erased ones included, may take as JSON. */
  maxBytes?: number;
}

const DEFAULT_OPTIONS: BoardServiceOptions = { snapshotEvery: 500, idleMs: 300_000, maxPeople: 200, maxTabs: 10 };

/**
 * Every board this process serves, and which socket is on which board. Knows nothing of
 * Socket.IO: it decides, the handlers deliver. Boards are loaded from the store on first use and
 * kept in memory; every change is stored before it is acknowledged.
 */
export class BoardService {
  private readonly rooms = new Map<string, Room>();
  private readonly loading = new Map<string, Promise<Room>>();
  private readonly socketBoard = new Map<string, string>();

  constructor(
    private readonly store: BoardStore,
    private readonly log: Logger,
    private readonly options: BoardServiceOptions = DEFAULT_OPTIONS,
  ) {}

  /** Stops the idle timers; the store is the caller's to close. */
  close(): void {
    for (const room of this.rooms.values()) clearTimeout(room.idleTimer);
  }

  async join(socketId: string, req: JoinInput): Promise<Ack<Joined> & { left?: Left; changed?: User }> {
    const room = await this.loaded(req.boardId);
    const current = this.socketBoard.get(socketId);
    if (current === req.boardId) {
      const user = room.roster.userOf(socketId);
      if (user && user.name === req.name) return { ok: true, ...this.joined(req, room, user), announce: false };
    }
    if (!room.roster.isAvailable(req.name, req.clientId)) {
      return { ok: false, error: { code: "NAME_TAKEN", message: "Someone on this board has that name already. Pick another name." } };
    }
    const tabs = room.roster.tabsOf(req.name);
    if (tabs === 0 && room.roster.size >= this.options.maxPeople) {
      const most = this.options.maxPeople === 1 ? "1 person" : `${this.options.maxPeople} people`;
      return { ok: false, error: { code: "TOO_MANY_PEOPLE", message: `This board has as many people as it takes (${most}). Try again when someone leaves.` } };
    }
    if (tabs >= this.options.maxTabs) {
      return { ok: false, error: { code: "TOO_MANY_PEOPLE", message: `You have ${this.options.maxTabs} tabs on this board already: close one first.` } };
    }
    const left = current === undefined ? undefined : this.leave(socketId);
    const before = room.roster.byId(room.roster.users().find((u) => u.name === req.name)?.id ?? "")?.state;
    const result = room.roster.join({ socketId, clientId: req.clientId, name: req.name, newUserId: randomUUID });
    this.socketBoard.set(socketId, req.boardId);
    // Another tab of someone idle or away makes them active: the others must hear of it.
    const changed = !result.isNew && before !== result.user.state ? result.user : undefined;
    return { ok: true, ...this.joined(req, room, result.user), announce: result.isNew, left, changed };
  }

  leave(socketId: string): Left | undefined {
    const boardId = this.socketBoard.get(socketId);
    if (boardId === undefined) return undefined;
    this.socketBoard.delete(socketId);
    const roster = this.rooms.get(boardId)?.roster;
    const before = roster?.userOf(socketId);
    const user = roster?.leave(socketId);
    if (roster?.size === 0) this.evictWhenIdle(boardId);
    const after = before && !user ? roster?.byId(before.id) : undefined;
    return { boardId, user, changed: after && after.state !== before?.state ? after : undefined };
  }

  /** Records a tab's activity; returns the person when their state changed with it. */
  setActivity(socketId: string, state: ActivityState): Omit<Member, "clientId"> | undefined {
    const boardId = this.socketBoard.get(socketId);
    const user = boardId === undefined ? undefined : this.rooms.get(boardId)?.roster.setActivity(socketId, state);
    return boardId !== undefined && user ? { boardId, user } : undefined;
  }

  /** The board and person behind a socket, if it has joined one. */
  memberOf(socketId: string): Member | undefined {
    const boardId = this.socketBoard.get(socketId);
    const roster = boardId === undefined ? undefined : this.rooms.get(boardId)?.roster;
    const user = roster?.userOf(socketId);
    const clientId = roster?.clientOf(socketId);
    return boardId !== undefined && user && clientId ? { boardId, user, clientId } : undefined;
  }

  /** Strokes of the socket's board by id, erased ones included, at most `maxPoints` points (see Board.strokesFor). */
  strokesOf(socketId: string, ids: readonly string[], maxPoints: number): Ack<{ strokes: Stroke[]; answered: number }> {
    const boardId = this.socketBoard.get(socketId);
    const board = boardId === undefined ? undefined : this.rooms.get(boardId)?.board;
    return board ? { ok: true, ...board.strokesFor(ids, maxPoints) } : notJoined();
  }

  /**
   * Orders a change and stores it; resolves once it is stored. If the store fails, the board is
   * dropped from memory (it no longer matches what is stored) and the caller hears of it.
   */
  async commit(socketId: string, req: OpRequest): Promise<Ack<{ boardId: string; seq: number; applied?: AppliedOp }> & { reload?: true }> {
    const member = this.memberOf(socketId);
    if (!member) return notJoined();
    const room = this.rooms.get(member.boardId)!;
    const res = room.board.commit(req, member.user.id, this.options.maxBytes);
    if (!res.ok) return res;
    if (res.duplicate) {
      // The op it repeats may still be on its way to the store: ack the resend no sooner.
      await settled(room);
      return { ok: true, boardId: member.boardId, seq: res.seq };
    }

    room.recent.push(res.applied);
    try {
      await this.write(member.boardId, room, () => this.store.append(member.boardId, res.applied));
    } catch (err) {
      this.log.error("storing an op failed: board reloads from storage", { board: member.boardId, error: String(err) });
      this.rooms.delete(member.boardId);
      return { ok: false, error: { code: "INTERNAL", message: "The change could not be stored; nothing was changed." }, reload: true };
    }
    if (++room.opsSinceSnapshot >= this.options.snapshotEvery) this.snapshot(member.boardId, room);
    return { ok: true, boardId: member.boardId, seq: res.applied.seq, applied: res.applied };
  }

  async postChat(socketId: string, req: ChatInput, now: number): Promise<Ack<Posted>> {
    const member = this.memberOf(socketId);
    if (!member) return notJoined();
    const room = this.rooms.get(member.boardId)!;
    const fromClient = room.roster.clientOf(socketId)!;
    let to: { user: User; client: string } | undefined;
    if (req.to !== undefined) {
      const user = room.roster.byId(req.to);
      const client = room.roster.clientOfUser(req.to);
      if (!user || !client) {
        return { ok: false, error: { code: "UNKNOWN_RECIPIENT", message: "That person is not on this board any more." } };
      }
      to = { user, client };
    }
    const posted = room.chat.post({ opId: req.opId, text: req.text, author: member.user, fromClient, to, at: now });
    if (posted.duplicate) await settled(room);
    else {
      try {
        await this.write(member.boardId, room, () => this.store.appendChat(member.boardId, posted.stored));
      } catch (err) {
        // Not stored, so never posted: a retry must post it anew rather than be acked as a resend.
        room.chat.remove(posted.message.id);
        this.log.error("storing a chat message failed", { board: member.boardId, error: String(err) });
        return { ok: false, error: { code: "INTERNAL", message: "The message could not be stored; try again." } };
      }
    }
    return { ok: true, boardId: member.boardId, message: posted.message, duplicate: posted.duplicate };
  }

  /** Boards held in memory (active ones, and empty ones not yet idle long enough to leave). */
  get loadedCount(): number {
    return this.rooms.size;
  }

  /**
   * Boards with people on them, the busiest first: what the lobby shows. Boards nobody is on are
   * not listed, stored or not: their unguessable ids are their only lock.
   */
  activeBoards(limit = 50): BoardSummary[] {
    return [...this.rooms.entries()]
      .filter(([, room]) => room.roster.size > 0)
      .map(([boardId, room]) => ({ boardId, count: room.roster.size }))
      .sort((a, b) => b.count - a.count || a.boardId.localeCompare(b.boardId))
      .slice(0, limit);
  }

  /**
   * The board, in memory and with every write in flight stored: a snapshot shows only what is
   * stored. Should the board leave memory meanwhile (it was empty), it is loaded again.
   */
  private async loaded(boardId: string): Promise<Room> {
    for (;;) {
      const room = await this.load(boardId);
      clearTimeout(room.idleTimer);
      await settled(room);
      if (this.rooms.get(boardId) === room) return room;
    }
  }

  private load(boardId: string): Promise<Room> {
    const room = this.rooms.get(boardId);
    if (room) return Promise.resolve(room);
    let pending = this.loading.get(boardId);
    if (!pending) {
      pending = this.read(boardId).finally(() => this.loading.delete(boardId));
      this.loading.set(boardId, pending);
    }
    return pending;
  }

  private async read(boardId: string): Promise<Room> {
    const stored = upgradeStored(await this.store.load(boardId));
    let room: Room;
    if (stored) {
      const board = stored.snapshot ? Board.fromPersisted(boardId, stored.snapshot) : new Board(boardId);
      for (const op of stored.ops) board.applyCommitted(op);
      // Its size is counted here, with the load, rather than on the first stroke someone draws.
      this.log.debug("board loaded", { board: boardId, strokeBytes: board.bytes, ops: stored.ops.length });
      room = {
        epoch: stored.epoch,
        stored: true,
        inFlight: new Set(),
        board,
        roster: new Roster(),
        chat: ChatLog.fromStored(stored.chat),
        recent: new RecentOps(stored.ops.slice(-RESYNC_WINDOW)),
        opsSinceSnapshot: stored.ops.length,
      };
    } else {
      room = {
        epoch: randomUUID(),
        stored: false,
        inFlight: new Set(),
        board: new Board(boardId),
        roster: new Roster(),
        chat: new ChatLog(),
        recent: new RecentOps(),
        opsSinceSnapshot: 0,
      };
    }
    this.rooms.set(boardId, room);
    return room;
  }

  /**
   * Tracks a write until it is done. A board's first write creates it in the store first (writes
   * to one board complete in order), so that boards only looked at never fill the lobby.
   */
  private async write(boardId: string, room: Room, write: () => Promise<void>): Promise<void> {
    const created = room.stored ? undefined : this.store.create(boardId, room.epoch);
    room.stored = true;
    const both = Promise.all([created, write()]).then(() => undefined);
    room.inFlight.add(both);
    try {
      await both;
    } finally {
      room.inFlight.delete(both);
    }
  }

  /**
   * Memory holds the boards people are on: one left empty for `idleMs` is dropped (after a
   * snapshot, so that it opens fast next time) and loaded again from the store when needed.
   */
  private evictWhenIdle(boardId: string): void {
    const room = this.rooms.get(boardId);
    if (!room) return;
    clearTimeout(room.idleTimer);
    // Never changed, so nothing to keep: gone at once, so that opening board after board (each a
    // few KB) cannot fill memory, nor make the lobby sort thousands of them.
    if (!room.stored) {
      this.rooms.delete(boardId);
      return;
    }
    room.idleTimer = setTimeout(() => {
      if (this.rooms.get(boardId) !== room || room.roster.size > 0) return;
      if (room.inFlight.size > 0) return this.evictWhenIdle(boardId);
      if (room.opsSinceSnapshot > 0) this.snapshot(boardId, room);
      this.rooms.delete(boardId);
      this.log.debug("board left memory", { board: boardId });
    }, this.options.idleMs);
    room.idleTimer.unref();
  }

  private snapshot(boardId: string, room: Room): void {
    room.opsSinceSnapshot = 0;
    this.store.saveSnapshot(boardId, room.board.toPersisted()).catch((err: unknown) => {
      // The op log still holds everything; the next snapshot will try again.
      this.log.warn("saving a snapshot failed", { board: boardId, error: String(err) });
    });
  }

  private joined(req: JoinInput, room: Room, self: User): Omit<Joined, "announce"> {
    const common = {
      self,
      users: room.roster.users(),
      chat: room.chat.visibleTo(room.roster.clientOfUser(self.id)!),
      circle: room.board.circle,
      seq: room.board.seq,
      epoch: room.epoch,
    };
    const missed = this.missedOps(room, req.resume);
    if (missed) return { boardId: req.boardId, snapshot: { ...common, sync: "delta", strokeCount: 0 }, follow: { kind: "ops", ops: missed } };
    const strokes = room.board.visibleStrokes();
    return { boardId: req.boardId, snapshot: { ...common, sync: "full", strokeCount: strokes.length }, follow: { kind: "strokes", strokes } };
  }

  /** The ops after a tab's `lastSeq`, or null when the tab must start over from a full snapshot. */
  private missedOps(room: Room, resume: JoinInput["resume"]): AppliedOp[] | null {
    if (!resume || resume.epoch !== room.epoch || resume.seq > room.board.seq) return null;
    return room.recent.after(resume.seq, room.board.seq);
  }
}

async function settled(room: Room): Promise<void> {
  while (room.inFlight.size > 0) await Promise.allSettled([...room.inFlight]);
}

function notJoined(): { ok: false; error: { code: "NOT_JOINED"; message: string } } {
  return { ok: false, error: { code: "NOT_JOINED", message: "Join a board before sending to it." } };
}
