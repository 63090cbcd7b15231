import type { BoardService } from "./board-service";
import type { Logger } from "./log";
import { LOBBY_ROOM, type ScribbleServer } from "./types";

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
    private readonly log: Logger,
  ) {}

  changed(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.boards
        .lobbyBoards()
        .then((list) => this.io.to(LOBBY_ROOM).emit("lobby:boards", list))
        .catch((err: unknown) => this.log.warn("listing boards for the lobby failed", { error: String(err) }))
        .finally(() => (this.timer = undefined));
    }, this.throttleMs);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
