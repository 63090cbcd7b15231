import type { SessionSocket } from "./session-socket";

/** About 30 Hz: smooth enough with interpolation, and a third of what a 90 Hz mouse reports. */
export const CURSOR_INTERVAL_MS = 33;

/**
 * Sends this tab's pointer position, throttled: the first move goes at once, later ones at most
 * every interval, always ending on the latest position. Positions go volatile: one that cannot
 * be sent now (offline, a congested connection) is dropped, never queued to arrive late.
 */
export class CursorSender {
  private latest: { x: number; y: number } | null = null;
  private lastSentAt = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private visible = false;

  constructor(
    private readonly socket: Pick<SessionSocket, "emit" | "volatile">,
    private readonly canSend: () => boolean,
  ) {}

  move(x: number, y: number): void {
    this.latest = { x, y };
    this.visible = true;
    const wait = this.lastSentAt + CURSOR_INTERVAL_MS - performance.now();
    if (wait <= 0) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), wait);
  }

  hide(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.latest = null;
    if (!this.visible) return;
    this.visible = false;
    if (this.canSend()) this.socket.emit("cursor:hide");
  }

  dispose(): void {
    clearTimeout(this.timer);
  }

  private flush(): void {
    this.timer = undefined;
    if (!this.latest) return;
    this.lastSentAt = performance.now();
    if (this.canSend()) this.socket.volatile.emit("cursor", this.latest);
    this.latest = null;
  }
}
