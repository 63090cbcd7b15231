import type { BoardService } from "./board-service";
import { lobbyRoom, type ScribbleServer } from "./rooms";

/**
 * Live head counts for the lobbies watching a board. A lobby names the boards it shows (those its
 * browser opened), so nobody learns of a board from it whose id they did not have: with
 * `HOST=0.0.0.0` in a school, one class cannot find another's board here. Presence changes arrive
 * in bursts (a class of 30 opening one link), so each changed board's count goes out at most once
 * per throttle window, with the latest state.
 */
export class Lobby {
  private timer: NodeJS.Timeout | undefined;
  private readonly changedBoards = new Set<string>();
  private closed = false;

  constructor(
    private readonly io: ScribbleServer,
    private readonly boards: BoardService,
    private readonly throttleMs: number,
  ) {}

  changed(boardId: string): void {
    if (this.closed) return;
    this.changedBoards.add(boardId);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      for (const id of this.changedBoards) this.io.to(lobbyRoom(id)).emit("lobby:count", { boardId: id, count: this.boards.headCount(id) });
      this.changedBoards.clear();
    }, this.throttleMs);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.changedBoards.clear();
  }
}
