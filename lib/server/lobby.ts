import type { BoardService } from "./board-service";
import { LOBBY_ROOM, type ScribbleServer } from "./rooms";

/**
 * The lobby's live list of active boards. Presence changes arrive in bursts (a class of 30
 * opening one link), so the list goes out at most once per throttle window, with the latest state.
 */
export class Lobby {
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly io: ScribbleServer,
    private readonly boards: BoardService,
    private readonly throttleMs: number,
  ) {}

  changed(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.io.to(LOBBY_ROOM).emit("lobby:boards", this.boards.activeBoards());
    }, this.throttleMs);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
