import { LIMITS } from "../protocol";
import type { ReplicaStore } from "./board-replica";
import { ACK_TIMEOUT_MS, type SessionSocket } from "./session-socket";

/** After an answer that was no answer (a timeout, a refusal other than a rate limit). */
const RETRY_MS = 2_000;

/**
 * Fetches the strokes that restores brought back and this tab never had (it joined after they
 * were erased): a restore names strokes by id only. It asks whenever the board lacks some, one
 * request at a time, LIMITS.strokeFetchMax ids each, and hands the answers to the replica,
 * which shows each stroke as the ops since its restore left it.
 */
export class StrokeFetcher {
  private busy = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly socket: Pick<SessionSocket, "connected" | "timeout">,
    private readonly replica: ReplicaStore,
    /** Whether the tab is joined on its current connection: only then may it ask. */
    private readonly joined: () => boolean,
  ) {}

  start(): void {
    this.unsubscribe = this.replica.subscribe((s, prev) => {
      if (s.version !== prev.version || s.board !== prev.board) this.fetch();
    });
    this.fetch();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    clearTimeout(this.timer);
  }

  /** Asks for what the board lacks now, unless a request is on its way (its answer asks again). */
  fetch = (): void => {
    if (this.busy || !this.joined()) return;
    const { board } = this.replica.getState();
    const ids = board.missingStrokeIds(LIMITS.strokeFetchMax);
    if (ids.length === 0) return;
    this.busy = true;
    clearTimeout(this.timer);
    void this.request(ids).then((retryAfterMs) => {
      this.busy = false;
      if (retryAfterMs === undefined) this.fetch();
      else this.timer = setTimeout(this.fetch, retryAfterMs);
    });
  };

  /** One request; resolves with how long to wait before the next, or undefined for at once. */
  private async request(ids: string[]): Promise<number | undefined> {
    const { board } = this.replica.getState();
    const res = await this.socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck("strokes:get", { strokeIds: ids })
      .catch(() => null);
    // Disconnected: the next join asks again (BoardSession calls `fetch` once joined).
    if (!res) return this.socket.connected ? RETRY_MS : undefined;
    if (res.ok) {
      this.replica.getState().fill(board, ids.slice(0, res.answered), res.strokes);
      return undefined;
    }
    return res.error.code === "RATE_LIMITED" ? (res.error.retryAfterMs ?? RETRY_MS) : RETRY_MS;
  }
}
