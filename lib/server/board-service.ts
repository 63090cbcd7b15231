import { randomUUID } from "node:crypto";
import { Board, Roster } from "../board";
import type { Ack, BoardSummary, CircleChanged, JoinSnapshot, User } from "../protocol";
import type { z } from "zod";
import type { circleSetSchema, joinRequestSchema } from "../protocol";

type JoinInput = z.output<typeof joinRequestSchema>;
type CircleSetInput = z.output<typeof circleSetSchema>;

interface Room {
  board: Board;
  roster: Roster;
}

export interface Joined {
  boardId: string;
  snapshot: JoinSnapshot;
  /** The person was not on the board before this tab: the others must hear of it. */
  announce: boolean;
}

export interface Left {
  boardId: string;
  /** Set when the last tab of this person left: the others must hear of it. */
  user?: User;
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
      if (user && user.name === req.name) {
        return { ok: true, boardId: req.boardId, snapshot: this.snapshot(room, user), announce: false };
      }
    }
    if (!room.roster.isAvailable(req.name, req.clientId)) {
      return {
        ok: false,
        error: { code: "NAME_TAKEN", message: `"${req.name}" is already on this board. Pick another name.` },
      };
    }
    const left = current === undefined ? undefined : this.leave(socketId);
    const result = room.roster.join({
      socketId,
      clientId: req.clientId,
      name: req.name,
      newUserId: randomUUID,
    });
    this.socketBoard.set(socketId, req.boardId);
    return {
      ok: true,
      boardId: req.boardId,
      snapshot: this.snapshot(room, result.user),
      announce: result.isNew,
      left,
    };
  }

  leave(socketId: string): Left | undefined {
    const boardId = this.socketBoard.get(socketId);
    if (boardId === undefined) return undefined;
    this.socketBoard.delete(socketId);
    const user = this.rooms.get(boardId)?.roster.leave(socketId);
    return { boardId, user };
  }

  setCircle(socketId: string, req: CircleSetInput): Ack<{ boardId: string; change?: CircleChanged; seq: number }> {
    const boardId = this.socketBoard.get(socketId);
    if (boardId === undefined) return notJoined();
    const { board } = this.room(boardId);
    const applied = board.apply({ type: "circle:set", opId: req.opId, color: req.color });
    // A resend of an op already applied is acked again but not sent to anyone again.
    const change = applied.duplicate ? undefined : { circle: board.circle, seq: applied.seq };
    return { ok: true, boardId, change, seq: applied.seq };
  }

  boardOf(socketId: string): string | undefined {
    return this.socketBoard.get(socketId);
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
      room = { board: new Board(boardId), roster: new Roster() };
      this.rooms.set(boardId, room);
    }
    return room;
  }

  private snapshot(room: Room, self: User): JoinSnapshot {
    return { self, users: room.roster.users(), circle: room.board.circle, seq: room.board.seq };
  }
}

function notJoined(): { ok: false; error: { code: "NOT_JOINED"; message: string } } {
  return { ok: false, error: { code: "NOT_JOINED", message: "Join a board before sending to it." } };
}
