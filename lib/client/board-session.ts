import { nanoid } from "nanoid";
import type { Circle, Color, User } from "../protocol";
import { boardStore } from "./board-store";
import { presenceStore } from "./presence-store";
import { sessionStore } from "./session-store";
import type { ClientSocket } from "./socket";

const ACK_TIMEOUT_MS = 10_000;

/**
 * This tab's membership of one board: joins (and joins again after every reconnect, since the
 * server may have restarted), feeds server events into the stores, and sends own changes with
 * acks. Changes not acked yet are kept and sent again after the next join; the server applies
 * an opId once, so a resend never doubles anything.
 */
export class BoardSession {
  private stopped = false;

  constructor(
    private readonly socket: ClientSocket,
    private readonly boardId: string,
    private readonly name: string,
    private readonly clientId: string,
  ) {}

  start(): void {
    sessionStore.setState({ phase: "joining", joinError: null });
    this.socket.on("connect", this.join);
    this.socket.on("presence:joined", this.onJoined);
    this.socket.on("presence:left", this.onLeft);
    this.socket.on("circle:changed", this.onCircle);
    if (this.socket.connected) void this.join();
  }

  stop(): void {
    this.stopped = true;
    this.socket.off("connect", this.join);
    this.socket.off("presence:joined", this.onJoined);
    this.socket.off("presence:left", this.onLeft);
    this.socket.off("circle:changed", this.onCircle);
    if (this.socket.connected) this.socket.emit("board:leave");
    sessionStore.setState({ phase: "joining", joinError: null });
  }

  setColor(color: Color): void {
    const opId = nanoid();
    boardStore.getState().setLocal(opId, color);
    if (sessionStore.getState().phase === "joined" && this.socket.connected) void this.sendColor(opId, color);
  }

  private join = async (): Promise<void> => {
    const res = await this.socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck("board:join", { boardId: this.boardId, name: this.name, clientId: this.clientId })
      .catch(() => null);
    if (this.stopped) return;
    if (!res) return; // No answer: the next reconnect joins again.
    if (!res.ok) {
      sessionStore.setState({ phase: "refused", joinError: res.error.message });
      return;
    }
    presenceStore.getState().reset(res.self, res.users);
    boardStore.getState().reset(res.circle, res.seq);
    sessionStore.setState({ phase: "joined", joinError: null });
    for (const op of boardStore.getState().pending) void this.sendColor(op.opId, op.color);
  };

  private async sendColor(opId: string, color: Color): Promise<void> {
    const res = await this.socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck("circle:set", { opId, color })
      .catch(() => null);
    if (!res) return; // Unanswered: still pending, sent again after the next join.
    if (res.ok) boardStore.getState().acked(opId, res.seq);
    else boardStore.getState().refused(opId);
  }

  private onJoined = (user: User) => presenceStore.getState().joined(user);
  private onLeft = (userId: string) => presenceStore.getState().left(userId);
  private onCircle = ({ circle, seq }: { circle: Circle; seq: number }) => boardStore.getState().remote(circle, seq);
}
