import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { Board, ChatLog, Roster } from "../board";
import type { Ack, ActivityState, AppliedOp, BoardSummary, ChatMessage, JoinSnapshot, OpRequest, Stroke, User } from "../protocol";
import type { chatSendSchema, joinRequestSchema } from "../protocol";

type JoinInput = z.output<typeof joinRequestSchema>;
type ChatInput = z.output<typeof chatSendSchema>;

interface Room {
  board: Board;
  roster: Roster;
  chat: ChatLog;
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
  /** The visible strokes at `snapshot.seq`, sent after the ack in chunks. */
  strokes: Stroke[];
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
}

/**
 * Every board this process serves, and which socket is on which board. Knows nothing of
 * Socket.IO: it decides, the handlers deliver.
 */
export class BoardService {
  private readonly rooms = new Map<string, Room>();
  private readonly socketBoard = new Map<string, string>();

  join(socketId: string, req: JoinInput): Ack<Joined> & { left?: Left } {
    const current = this.socketBoard.get(socketId);
    const room = this.room(req.boardId);
    if (current === req.boardId) {
      const user = room.roster.userOf(socketId);
      if (user && user.name === req.name) return { ok: true, ...this.joined(req.boardId, room, user), announce: false };
    }
    if (!room.roster.isAvailable(req.name, req.clientId)) {
      return {
        ok: false,
        error: { code: "NAME_TAKEN", message: `"${req.name}" is already on this board. Pick another name.` },
      };
    }
    const left = current === undefined ? undefined : this.leave(socketId);
    const result = room.roster.join({ socketId, clientId: req.clientId, name: req.name, newUserId: randomUUID });
    this.socketBoard.set(socketId, req.boardId);
    return { ok: true, ...this.joined(req.boardId, room, result.user), announce: result.isNew, left };
  }

  leave(socketId: string): Left | undefined {
    const boardId = this.socketBoard.get(socketId);
    if (boardId === undefined) return undefined;
    this.socketBoard.delete(socketId);
    const roster = this.rooms.get(boardId)?.roster;
    const before = roster?.userOf(socketId);
    const user = roster?.leave(socketId);
    const after = before && !user ? roster?.byId(before.id) : undefined;
    return { boardId, user, changed: after && after.state !== before?.state ? after : undefined };
  }

  /** Records a tab's activity; returns the person when their state changed with it. */
  setActivity(socketId: string, state: ActivityState): Member | undefined {
    const boardId = this.socketBoard.get(socketId);
    const user = boardId === undefined ? undefined : this.rooms.get(boardId)?.roster.setActivity(socketId, state);
    return boardId !== undefined && user ? { boardId, user } : undefined;
  }

  /** The board and person behind a socket, if it has joined one. */
  memberOf(socketId: string): Member | undefined {
    const boardId = this.socketBoard.get(socketId);
    const user = boardId === undefined ? undefined : this.rooms.get(boardId)?.roster.userOf(socketId);
    return boardId !== undefined && user ? { boardId, user } : undefined;
  }

  commit(socketId: string, req: OpRequest): Ack<{ boardId: string; seq: number; applied?: AppliedOp }> {
    const member = this.memberOf(socketId);
    if (!member) return notJoined();
    const res = this.room(member.boardId).board.commit(req, member.user.id);
    if (!res.ok) return res;
    return res.duplicate
      ? { ok: true, boardId: member.boardId, seq: res.seq }
      : { ok: true, boardId: member.boardId, seq: res.applied.seq, applied: res.applied };
  }

  postChat(socketId: string, req: ChatInput, now: number): Ack<Posted> {
    const member = this.memberOf(socketId);
    if (!member) return notJoined();
    const room = this.room(member.boardId);
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
    const { message, duplicate } = room.chat.post({ opId: req.opId, text: req.text, author: member.user, fromClient, to, at: now });
    return { ok: true, boardId: member.boardId, message, duplicate };
  }

  /** Boards with people on them, the busiest first. */
  activeBoards(limit = 50): BoardSummary[] {
    return [...this.rooms.entries()]
      .filter(([, room]) => room.roster.size > 0)
      .map(([boardId, room]) => ({ boardId, count: room.roster.size }))
      .sort((a, b) => b.count - a.count || a.boardId.localeCompare(b.boardId))
      .slice(0, limit);
  }

  private room(boardId: string): Room {
    let room = this.rooms.get(boardId);
    if (!room) {
      room = { board: new Board(boardId), roster: new Roster(), chat: new ChatLog() };
      this.rooms.set(boardId, room);
    }
    return room;
  }

  private joined(boardId: string, room: Room, self: User): Omit<Joined, "announce"> {
    const { seq, circle, strokes } = room.board.snapshot();
    return {
      boardId,
      snapshot: {
        self,
        users: room.roster.users(),
        chat: room.chat.visibleTo(room.roster.clientOfUser(self.id)!),
        circle,
        seq,
        strokeCount: strokes.length,
      },
      strokes,
    };
  }
}

function notJoined(): { ok: false; error: { code: "NOT_JOINED"; message: string } } {
  return { ok: false, error: { code: "NOT_JOINED", message: "Join a board before sending to it." } };
}
