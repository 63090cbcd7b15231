import { LIMITS, type BoardSummary } from "../protocol";
import type { BoardService } from "./board-service";
import type { Logger } from "./log";
import { isLobbyRoom, LOBBIES, lobbyRoom, roomSockets, type ScribbleServer } from "./rooms";

/**
 * What lobbies show: live head counts for the boards each names (those its browser opened) and
 * for the boards whose owners listed them, and no other board, so that with `HOST=0.0.0.0` in a
 * school one class cannot find another's board here. Presence changes arrive in bursts (a class
 * of 30 opening one link), so each changed board's count goes out at most once per throttle
 * window, with the latest state; so does a change to the listing.
 */
export class Lobby {
  private timer: NodeJS.Timeout | undefined;
  private readonly changedBoards = new Set<string>();
  /** The listed boards, once read; null until then and after a change. */
  private listedIds: Promise<string[]> | null = null;
  private listingChanged = false;
  private closed = false;

  constructor(
    private readonly io: ScribbleServer,
    private readonly boards: BoardService,
    private readonly throttleMs: number,
    private readonly log: Logger,
  ) {}

  /** A board's head count changed. */
  changed(boardId: string): void {
    this.changedBoards.add(boardId);
    this.schedule();
  }

  /** An owner listed a board, or took it out. */
  listingChange(): void {
    this.listedIds = null;
    this.listingChanged = true;
    this.schedule();
  }

  /** The boards every lobby lists. */
  listed(): Promise<string[]> {
    this.listedIds ??= this.boards.listedBoards(LIMITS.listedBoardsMax).catch((err: unknown) => {
      this.listedIds = null;
      throw err;
    });
    return this.listedIds;
  }

  /** Boards' head counts as a lobby shows them (in a cluster, of boards on any node). */
  summaries(boardIds: readonly string[]): Promise<BoardSummary[]> {
    return Promise.all(boardIds.map(async (boardId) => ({ boardId, count: await this.boards.peopleOn(boardId) })));
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.changedBoards.clear();
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      // Through every node: in a cluster the lobbies watching a board may be on any of them.
      for (const id of this.changedBoards) this.io.to(lobbyRoom(id)).emit("lobby:count", { boardId: id, count: this.boards.headCount(id) });
      this.changedBoards.clear();
      if (this.listingChanged) {
        this.listingChanged = false;
        this.sendListing().catch((err: unknown) => this.log.warn("listing the lobby's boards failed", { error: String(err) }));
      }
    }, this.throttleMs);
  }

  /** Every lobby gets the new listing and watches its boards; a board taken out is watched on by the lobbies that named it only. */
  private async sendListing(): Promise<void> {
    const listed = await this.listed();
    const kept = new Set(listed.map(lobbyRoom));
    for (const socket of [...roomSockets(this.io, LOBBIES)]) {
      const named = new Set(socket.data.lobby?.map(lobbyRoom));
      for (const room of [...socket.rooms]) {
        if (room !== LOBBIES && isLobbyRoom(room) && !kept.has(room) && !named.has(room)) void socket.leave(room);
      }
      socket.join([...kept]);
    }
    this.io.to(LOBBIES).emit("lobby:listed", await this.summaries(listed));
  }
}
