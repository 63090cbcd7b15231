import { LIMITS } from "../protocol";
import { CURSOR_INTERVAL_MS } from "./cursor-sender";
import type { SessionSocket } from "./session-socket";

/**
 * Sends where this tab's laser went, at the cursor's pace: points gather between sends (the
 * latest LIMITS.laserPointsMax), the first batch goes at once and later ones at most every
 * interval. Volatile, like the cursor: a batch that cannot go now is dropped.
 */
export class LaserSender {
  private points: number[] = [];
  private lastSentAt = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly socket: Pick<SessionSocket, "volatile">,
    private readonly canSend: () => boolean,
  ) {}

  /** `points` as `[x, y, ...]` in board units. */
  add(points: readonly number[]): void {
    this.points.push(...points);
    if (this.points.length > LIMITS.laserPointsMax * 2) this.points.splice(0, this.points.length - LIMITS.laserPointsMax * 2);
    const wait = this.lastSentAt + CURSOR_INTERVAL_MS - performance.now();
    if (wait <= 0) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), wait);
  }

  dispose(): void {
    clearTimeout(this.timer);
  }

  private flush(): void {
    this.timer = undefined;
    if (this.points.length === 0) return;
    this.lastSentAt = performance.now();
    if (this.canSend()) this.socket.volatile.emit("laser", { points: this.points });
    this.points = [];
  }
}
