import { nanoid } from "nanoid";
import type { Action } from "../board";
import type {
  ActivityState,
  AppliedOp,
  ChatMessage,
  Color,
  CursorUpdate,
  JoinSnapshot,
  OpRequest,
  RemotePreview,
  StrokeChunk,
  StrokeInput,
  StrokePreview,
  User,
} from "../protocol";
import { watchActivity } from "./activity";
import { boardStore } from "./board-store";
import { chatStore } from "./chat-store";
import { CursorSender } from "./cursor-sender";
import { cursorStore } from "./cursor-store";
import { historyStore } from "./history-store";
import { liveStore } from "./live-store";
import { persistOutbox, restoreOutbox } from "./outbox";
import { presenceStore } from "./presence-store";
import { sessionStore } from "./session-store";
import type { ClientSocket } from "./socket";

const ACK_TIMEOUT_MS = 10_000;

/** What to add to the undo history once the op is acked (a clear learns its strokes only then). */
type Undoable = (applied: AppliedOp | undefined) => Omit<Action, "opId"> | null;

/**
 * This tab's membership of one board: joins (and joins again after every reconnect, since the
 * server may have restarted), feeds server events into the stores, and sends own changes with
 * acks. Changes not acked yet stay pending and are sent again after the next join; the server
 * applies an opId once, so a resend never doubles anything.
 */
export class BoardSession {
  private stopped = false;
  private readonly undoables = new Map<string, Undoable>();
  private errorId = 0;
  private readonly cursor: CursorSender;
  private activity: ReturnType<typeof watchActivity> | null = null;
  private stopPersisting: (() => void) | null = null;

  constructor(
    private readonly socket: ClientSocket,
    private readonly boardId: string,
    private readonly name: string,
    private readonly clientId: string,
  ) {
    this.cursor = new CursorSender(socket, () => this.joined());
  }

  start(): void {
    sessionStore.setState({ phase: "joining", joinError: null });
    historyStore.getState().reset();
    // What this browser had not delivered on this board before a reload or a crash.
    const outbox = restoreOutbox(this.boardId);
    boardStore.setState({ pending: outbox.ops });
    chatStore.setState({
      items: outbox.chat.map((message) => ({ kind: "message", key: message.opId, message, status: "pending" })),
      target: null,
    });
    this.stopPersisting = persistOutbox(this.boardId);
    this.socket.on("connect", this.join);
    this.socket.on("presence:joined", this.onJoined);
    this.socket.on("presence:left", this.onLeft);
    this.socket.on("op", this.onOp);
    this.socket.on("board:strokes", this.onChunk);
    this.socket.on("stroke:preview", this.onPreview);
    this.socket.on("presence:state", this.onState);
    this.socket.on("cursors", this.onCursors);
    this.socket.on("chat:message", this.onChat);
    this.activity = watchActivity((state) => this.sendActivity(state));
    if (this.socket.connected) this.join();
  }

  stop(): void {
    this.stopped = true;
    this.socket.off("connect", this.join);
    this.socket.off("presence:joined", this.onJoined);
    this.socket.off("presence:left", this.onLeft);
    this.socket.off("op", this.onOp);
    this.socket.off("board:strokes", this.onChunk);
    this.socket.off("stroke:preview", this.onPreview);
    this.socket.off("presence:state", this.onState);
    this.socket.off("cursors", this.onCursors);
    this.socket.off("chat:message", this.onChat);
    this.activity?.stop();
    this.stopPersisting?.();
    this.cursor.dispose();
    if (this.socket.connected) this.socket.emit("board:leave");
    sessionStore.setState({ phase: "joining", joinError: null });
    liveStore.getState().clear();
    cursorStore.getState().clear();
  }

  /** The pointer is over the board at (x, y), in board units. */
  moveCursor(x: number, y: number): void {
    this.cursor.move(x, y);
  }

  hideCursor(): void {
    this.cursor.hide();
  }

  setColor(color: Color): void {
    this.send({ type: "circle:set", opId: nanoid(), color });
  }

  /** Sends the points of the stroke being drawn to the others; dropped when not connected. */
  preview(preview: StrokePreview): void {
    if (this.joined()) this.socket.volatile.emit("stroke:preview", preview);
  }

  addStroke(stroke: StrokeInput): void {
    this.send({ type: "stroke:add", opId: nanoid(), stroke }, () => ({ undo: "erase", strokeIds: [stroke.id] }));
  }

  erase(strokeIds: string[]): void {
    if (strokeIds.length === 0) return;
    this.send({ type: "stroke:erase", opId: nanoid(), strokeIds }, () => ({ undo: "restore", strokeIds }));
  }

  clear(): void {
    this.send({ type: "board:clear", opId: nanoid() }, (applied) =>
      applied?.op.type === "board:clear" && applied.op.strokeIds.length > 0
        ? { undo: "restore", strokeIds: applied.op.strokeIds }
        : null,
    );
  }

  undo(): void {
    this.step(historyStore.getState().history.undo());
  }

  redo(): void {
    this.step(historyStore.getState().history.redo());
  }

  private step(step: { change: "erase" | "restore"; strokeIds: string[] } | null): void {
    historyStore.getState().sync();
    if (!step) return;
    const opId = nanoid();
    this.send(
      step.change === "erase"
        ? { type: "stroke:erase", opId, strokeIds: step.strokeIds }
        : { type: "stroke:restore", opId, strokeIds: step.strokeIds },
    );
  }

  /**
   * Shows the change at once, sends it when joined, and settles it on the ack. An action that
   * can be undone goes into the history right away (so that Ctrl+Z works before the ack), except
   * a clear, which learns what it hid from its ack.
   */
  private send(req: OpRequest, undoable?: Undoable): void {
    boardStore.getState().local(req);
    if (undoable && req.type !== "board:clear") this.record(req.opId, undoable(undefined));
    else if (undoable) this.undoables.set(req.opId, undoable);
    if (this.joined()) void this.emit(req);
  }

  private record(opId: string, action: Omit<Action, "opId"> | null): void {
    if (!action) return;
    historyStore.getState().history.record({ opId, ...action });
    historyStore.getState().sync();
  }

  private async emit(req: OpRequest): Promise<void> {
    const res = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("op", req).catch(() => null);
    if (!res) return; // Unanswered: still pending, sent again after the next join.
    if (res.ok) {
      boardStore.getState().acked(req.opId, res.applied);
      const undoable = this.undoables.get(req.opId);
      this.undoables.delete(req.opId);
      if (undoable) this.record(req.opId, undoable(res.applied));
    } else if (res.error.code === "RATE_LIMITED") {
      // Over the server's rate: the op stays pending and goes again once the hint says so.
      window.setTimeout(() => {
        if (this.joined() && boardStore.getState().pending.some((p) => p.opId === req.opId)) void this.emit(req);
      }, res.error.retryAfterMs ?? 1_000);
    } else {
      boardStore.getState().refused(req.opId);
      this.undoables.delete(req.opId);
      historyStore.getState().history.forget(req.opId);
      historyStore.getState().sync();
      sessionStore.setState({ opError: { id: ++this.errorId, message: res.error.message } });
    }
  }

  /** Sends a chat message to everyone on the board, or privately to `to` (a user id). */
  sendChat(text: string, to?: Pick<User, "id" | "name">): void {
    const self = presenceStore.getState().self;
    if (!self) return;
    const message = {
      opId: nanoid(),
      author: { id: self.id, name: self.name, color: self.color },
      text,
      at: Date.now(),
      ...(to ? { to } : {}),
    };
    chatStore.getState().local(message);
    if (this.joined()) void this.emitChat(message);
  }

  retryChat(opId: string): void {
    const item = chatStore.getState().items.find((i) => i.kind === "message" && i.key === opId);
    if (item?.kind !== "message") return;
    chatStore.getState().retrying(opId);
    if (this.joined()) void this.emitChat(item.message);
  }

  private async emitChat(message: Omit<ChatMessage, "id">): Promise<void> {
    const req = { opId: message.opId, text: message.text, ...(message.to ? { to: message.to.id } : {}) };
    const res = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("chat:send", req).catch(() => null);
    if (!res) {
      // Connected but unanswered: say so; while offline it stays pending and goes out on rejoin.
      if (this.socket.connected) chatStore.getState().failed(message.opId, "No answer from the server.");
      return;
    }
    if (res.ok) chatStore.getState().acked(res.message);
    else chatStore.getState().failed(message.opId, res.error.message);
  }

  private sendActivity(state: ActivityState): void {
    if (this.joined()) this.socket.emit("presence:state", { state });
  }

  private joined(): boolean {
    return sessionStore.getState().phase === "joined" && this.socket.connected;
  }

  /**
   * The ack is handled in its callback, not after an `await`: the first `board:strokes` chunk can
   * arrive in the same transport frame, and must find the snapshot already in place.
   */
  private join = (): void => {
    // A tab that still holds this board asks only for what it missed.
    const { board, loading, epoch } = boardStore.getState();
    const resume = board.id === this.boardId && !loading && epoch ? { epoch, seq: board.seq } : undefined;
    const req = { boardId: this.boardId, name: this.name, clientId: this.clientId, ...(resume ? { resume } : {}) };
    this.socket.timeout(ACK_TIMEOUT_MS).emit("board:join", req, (err, res) => {
      if (this.stopped || err) return; // No answer: the next reconnect joins again.
      if (!res.ok) {
        sessionStore.setState({ phase: "refused", joinError: res.error.message });
        return;
      }
      this.onSnapshot(res);
    });
  };

  private onSnapshot(snapshot: JoinSnapshot): void {
    presenceStore.getState().reset(snapshot.self, snapshot.users);
    if (snapshot.sync === "delta") boardStore.getState().resume(snapshot);
    else boardStore.getState().begin(this.boardId, snapshot);
    liveStore.getState().clear();
    cursorStore.getState().clear();
    sessionStore.setState({ phase: "joined", joinError: null });
    // A join starts the person active; a hidden or idle tab says otherwise at once.
    const activity = this.activity?.current() ?? "active";
    if (activity !== "active") this.sendActivity(activity);
    for (const op of boardStore.getState().pending) void this.emit(op);
    chatStore.getState().reset(snapshot.chat);
    for (const item of chatStore.getState().items) {
      if (item.kind === "message" && item.status === "pending") void this.emitChat(item.message);
    }
  }

  private onJoined = (user: User) => {
    presenceStore.getState().joined(user);
    chatStore.getState().line("joined", user, Date.now());
  };
  private onLeft = (userId: string) => {
    const user = presenceStore.getState().users.find((u) => u.id === userId);
    presenceStore.getState().left(userId);
    cursorStore.getState().remove(userId);
    if (user) chatStore.getState().line("left", user, Date.now());
    if (chatStore.getState().target?.id === userId) chatStore.getState().setTarget(null);
  };
  private onChat = (message: ChatMessage) => chatStore.getState().received(message);
  private onState = ({ userId, state }: { userId: string; state: ActivityState }) =>
    presenceStore.getState().setState(userId, state);
  private onCursors = (updates: CursorUpdate[]) => cursorStore.getState().apply(updates);
  private onChunk = (chunk: StrokeChunk) => boardStore.getState().chunk(chunk);
  private onPreview = (preview: RemotePreview) => liveStore.getState().preview(preview, performance.now());
  private onOp = (applied: AppliedOp) => {
    if (applied.op.type === "stroke:add") liveStore.getState().end(applied.op.stroke.id);
    boardStore.getState().remote(applied);
  };
}
