import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { Board, ChatLog, Roster } from "../board";
import { refuse, type Ack, type ActivityState, type AppliedOp, type ChatMessage, type JoinSnapshot, type OpRequest, type Refusal, type Stroke, type User } from "../protocol";
import type { chatSendSchema, joinRequestSchema } from "../protocol";
import type { Logger } from "./log";
import { RecentOps, RESYNC_WINDOW } from "./recent-ops";
import type { BoardStore, StoredBoard } from "./storage";

export type JoinInput = z.output<typeof joinRequestSchema>;
export type ChatInput = z.output<typeof chatSendSchema>;

/** The writes a room makes: it never loads (its service does) nor closes the store. */
export type RoomStore = Pick<BoardStore, "create" | "append" | "saveSnapshot" | "appendChat">;

export interface BoardRoomOptions {
  /** Ops stored between two snapshots. */
  snapshotEvery: number;
  /** People a board admits at once, and tabs one person may have on it. */
  maxPeople: number;
  maxTabs: number;
  /** A board's byte budget: what its strokes, erased ones included, may take as JSON. */
  maxBytes?: number;
}

/** What follows a join's ack: every visible stroke (a full join), or the ops the tab missed. */
export type JoinFollow = { kind: "strokes"; strokes: Stroke[] } | { kind: "ops"; ops: AppliedOp[] };

export interface RoomJoined {
  snapshot: JoinSnapshot;
  follow: JoinFollow;
  /** The person was not on the board before this tab: the others must hear of it. */
  announce: boolean;
  /** Set when the person was on the board and their state changed with this tab (it made them active). */
  changed?: User;
}

export interface RoomLeft {
  /** Set when the last tab of this person left: the others must hear of it. */
  user?: User;
  /** Set when the person stays but their state changed with this tab gone (their active tab closed). */
  changed?: User;
}

/** A person on the board as one of their tabs sees them: who, and from which browser. */
export interface RoomMember {
  user: User;
  clientId: string;
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
}

/**
 * One board in memory: its strokes, people, chat and latest ops, and its writes to the store.
 * Every change is stored before it is acknowledged; a join or a resend's ack waits for the writes
 * in flight (`settled`), so that what a tab is told is stored. Knows nothing of Socket.IO.
 */
export class BoardRoom {
  private readonly roster = new Roster();
  /** Writes not finished yet. */
  private readonly inFlight = new Set<Promise<void>>();
  private readonly epoch: string;
  private stored: boolean;
  private readonly board: Board;
  private readonly chat: ChatLog;
  /** The latest ops, for tabs that resume. */
  private readonly recent: RecentOps;
  private opsSinceSnapshot: number;

  /** A board nobody has changed yet: the store gets it with its first change. */
  constructor(
    readonly boardId: string,
    private readonly store: RoomStore,
    private readonly log: Logger,
    private readonly options: BoardRoomOptions,
    state: RoomState = { epoch: randomUUID(), stored: false, board: new Board(boardId), chat: new ChatLog(), recent: new RecentOps(), opsSinceSnapshot: 0 },
  ) {
    ({ epoch: this.epoch, stored: this.stored, board: this.board, chat: this.chat, recent: this.recent, opsSinceSnapshot: this.opsSinceSnapshot } = state);
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

  /** The person and browser behind a tab on this board. */
  memberOf(socketId: string): RoomMember | undefined {
    const user = this.roster.userOf(socketId);
    const clientId = this.roster.clientOf(socketId);
    return user && clientId ? { user, clientId } : undefined;
  }

  /**
   * A tab on this board joins it again under the same name (a resume): nobody else hears of it,
   * it gets the board afresh. Undefined when it is not that case.
   */
  rejoin(socketId: string, req: JoinInput): RoomJoined | undefined {
    const user = this.roster.userOf(socketId);
    return user && user.name === req.name ? { ...this.joined(req, user), announce: false } : undefined;
  }

  /** Why this browser may not join under this name now, if it may not. */
  refusal(name: string, clientId: string): Refusal | undefined {
    const { maxPeople, maxTabs } = this.options;
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

  /** Adds a tab that `refusal` let in and that has left any board it was on. */
  join(socketId: string, req: JoinInput): RoomJoined {
    const res = this.roster.join({ socketId, clientId: req.clientId, name: req.name, newUserId: randomUUID });
    return { ...this.joined(req, res.user), announce: res.isNew, changed: res.changed ? res.user : undefined };
  }

  leave(socketId: string): RoomLeft {
    const res = this.roster.leave(socketId);
    if (!res) return {};
    return res.gone ? { user: res.user } : { changed: res.changed ? res.user : undefined };
  }

  /** Records a tab's activity; returns the person when their state changed with it. */
  setActivity(socketId: string, state: ActivityState): User | undefined {
    return this.roster.setActivity(socketId, state);
  }

  /** Strokes by id, erased ones included, at most `maxPoints` points (see Board.strokesFor). */
  strokesFor(ids: readonly string[], maxPoints: number): { strokes: Stroke[]; answered: number } {
    return this.board.strokesFor(ids, maxPoints);
  }

  /**
   * Orders a change and stores it; resolves once it is stored. If the store fails, the board no
   * longer matches what is stored: the refusal says `reload`, and the caller drops the room.
   */
  async commit(author: User, req: OpRequest): Promise<Ack<{ seq: number; applied?: AppliedOp }> & { reload?: true }> {
    const res = this.board.commit(req, author.id, this.options.maxBytes);
    if (!res.ok) return res;
    if (res.duplicate) {
      // The op it repeats may still be on its way to the store: ack the resend no sooner.
      await this.settled();
      return { ok: true, seq: res.seq };
    }
    this.recent.push(res.applied);
    try {
      await this.write(() => this.store.append(this.boardId, res.applied));
    } catch (err) {
      this.log.error("storing an op failed: board reloads from storage", { board: this.boardId, error: String(err) });
      return { ...refuse("INTERNAL", "The change could not be stored; nothing was changed."), reload: true };
    }
    if (++this.opsSinceSnapshot >= this.options.snapshotEvery) this.snapshot();
    return { ok: true, seq: res.applied.seq, applied: res.applied };
  }

  /** Posts a message from a person on the board (by browser: direct messages are kept by browser); resolves once it is stored. */
  async postChat(from: RoomMember, req: ChatInput, now: number): Promise<Ack<Posted>> {
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
        this.log.error("storing a chat message failed", { board: this.boardId, error: String(err) });
        return refuse("INTERNAL", "The message could not be stored; try again.");
      }
    }
    return { ok: true, message: posted.message, duplicate: posted.duplicate };
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
    const created = this.stored ? undefined : this.store.create(this.boardId, this.epoch);
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

  /** What a joining tab is told: everyone, its chat, and the board in full or the ops it missed. */
  private joined(req: JoinInput, self: User): Omit<RoomJoined, "announce" | "changed"> {
    const common = {
      self,
      users: this.roster.users(),
      chat: this.chat.visibleTo(this.roster.clientOfUser(self.id)!),
      circle: this.board.circle,
      seq: this.board.seq,
      epoch: this.epoch,
    };
    const missed = this.missedOps(req.resume);
    if (missed) return { snapshot: { ...common, sync: "delta", strokeCount: 0 }, follow: { kind: "ops", ops: missed } };
    const strokes = this.board.visibleStrokes();
    return { snapshot: { ...common, sync: "full", strokeCount: strokes.length }, follow: { kind: "strokes", strokes } };
  }

  /** The ops after a tab's `lastSeq`, or null when the tab must start over from a full snapshot. */
  private missedOps(resume: JoinInput["resume"]): AppliedOp[] | null {
    if (!resume || resume.epoch !== this.epoch || resume.seq > this.board.seq) return null;
    return this.recent.after(resume.seq, this.board.seq);
  }
}
