import { nanoid } from "nanoid";
import type { Action } from "../board";
import { LIMITS, previewKey, PROTOCOL_VERSION } from "../protocol";
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
import { SendQueue, type Outcome } from "./send-queue";
import { StrokeFetcher } from "./stroke-fetcher";
import { presenceStore } from "./presence-store";
import { sessionStore } from "./session-store";
import { ACK_TIMEOUT_MS, type ClientSocket } from "./socket";


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
  /** Joined on the current connection: until the join ack, sends wait in their queues. */
  private ready = false;
  private readonly ops = new SendQueue<OpRequest>((req) => this.emit(req), (req) => req.opId);
  private readonly chats = new SendQueue<Omit<ChatMessage, "id">>((m) => this.emitChat(m), (m) => m.opId);
  private readonly strokes: StrokeFetcher;

  constructor(
    private readonly socket: ClientSocket,
    private readonly boardId: string,
    private readonly name: string,
    private readonly clientId: string,
  ) {
    this.cursor = new CursorSender(socket, () => this.joined());
    this.strokes = new StrokeFetcher(socket, () => this.joined());
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
    for (const op of outbox.ops) this.ops.push(op);
    for (const message of outbox.chat) this.chats.push(message);
    this.stopPersisting = persistOutbox(this.boardId);
    this.socket.on("connect", this.join);
    this.socket.on("disconnect", this.onDisconnect);
    this.socket.on("presence:joined", this.onJoined);
    this.socket.on("presence:left", this.onLeft);
    this.socket.on("op", this.onOp);
    this.socket.on("board:strokes", this.onChunk);
    this.socket.on("stroke:preview", this.onPreview);
    this.socket.on("presence:state", this.onState);
    this.socket.on("cursors", this.onCursors);
    this.socket.on("chat:message", this.onChat);
    this.activity = watchActivity((state) => this.sendActivity(state));
    this.strokes.start();
    if (this.socket.connected) this.join();
  }

  stop(): void {
    this.stopped = true;
    this.socket.off("connect", this.join);
    this.socket.off("disconnect", this.onDisconnect);
    this.ops.pause();
    this.chats.pause();
    this.socket.off("presence:joined", this.onJoined);
    this.socket.off("presence:left", this.onLeft);
    this.socket.off("op", this.onOp);
    this.socket.off("board:strokes", this.onChunk);
    this.socket.off("stroke:preview", this.onPreview);
    this.socket.off("presence:state", this.onState);
    this.socket.off("cursors", this.onCursors);
    this.socket.off("chat:message", this.onChat);
    this.activity?.stop();
    this.strokes.stop();
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
    const [first, ...rest] = this.inParts(strokeIds);
    if (!first) return;
    // One action in the history however many parts it travels in; undo restores all of it.
    this.send({ type: "stroke:erase", opId: nanoid(), strokeIds: first }, () => ({ undo: "restore", strokeIds }));
    for (const part of rest) this.send({ type: "stroke:erase", opId: nanoid(), strokeIds: part });
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
    for (const part of this.inParts(step.strokeIds)) {
      this.send({ type: step.change === "erase" ? "stroke:erase" : "stroke:restore", opId: nanoid(), strokeIds: part });
    }
  }

  /** Splits ids into ops the server takes: undoing the clear of a big board is several ops, applied in order. */
  private inParts(strokeIds: string[]): string[][] {
    const parts: string[][] = [];
    for (let i = 0; i < strokeIds.length; i += LIMITS.strokeIdsMax) parts.push(strokeIds.slice(i, i + LIMITS.strokeIdsMax));
    return parts;
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
    this.ops.push(req);
  }

  private record(opId: string, action: Omit<Action, "opId"> | null): void {
    if (!action) return;
    historyStore.getState().history.record({ opId, ...action });
    historyStore.getState().sync();
  }

  /** One attempt to deliver an op; the queue decides what comes next from the outcome. */
  private async emit(req: OpRequest): Promise<Outcome> {
    if (!this.joined()) return { kind: "wait" };
    const res = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("op", req).catch(() => null);
    // Unanswered: sent again after the next join, or shortly if the connection still stands.
    if (!res) return this.socket.connected ? { kind: "retry", afterMs: 2_000 } : { kind: "wait" };
    if (res.ok) {
      boardStore.getState().acked(req.opId, res.applied);
      const undoable = this.undoables.get(req.opId);
      this.undoables.delete(req.opId);
      if (undoable) this.record(req.opId, undoable(res.applied));
      return { kind: "done" };
    }
    // Over the server's rate: the same op again once the hint says so, and nothing overtakes it.
    if (res.error.code === "RATE_LIMITED") return { kind: "retry", afterMs: res.error.retryAfterMs ?? 1_000 };
    // The server lost track of this tab (it restarted mid-join): it joins again, then resends.
    if (res.error.code === "NOT_JOINED") return { kind: "wait" };
    boardStore.getState().refused(req.opId);
    this.undoables.delete(req.opId);
    historyStore.getState().history.forget(req.opId);
    historyStore.getState().sync();
    sessionStore.setState({ opError: { id: ++this.errorId, message: res.error.message } });
    return { kind: "done" };
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
    this.chats.push(message);
  }

  retryChat(opId: string): void {
    const item = chatStore.getState().items.find((i) => i.kind === "message" && i.key === opId);
    if (item?.kind !== "message") return;
    chatStore.getState().retrying(opId);
    this.chats.push(item.message);
  }

  private async emitChat(message: Omit<ChatMessage, "id">): Promise<Outcome> {
    if (!this.joined()) return { kind: "wait" };
    const req = { opId: message.opId, text: message.text, ...(message.to ? { to: message.to.id } : {}) };
    const res = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("chat:send", req).catch(() => null);
    if (!res) {
      // Connected but unanswered: say so; while offline it stays pending and goes out on rejoin.
      if (!this.socket.connected) return { kind: "wait" };
      chatStore.getState().failed(message.opId, "No answer from the server.");
      return { kind: "done" };
    }
    if (res.ok) chatStore.getState().acked(res.message);
    else if (res.error.code === "NOT_JOINED") return { kind: "wait" };
    // Rate-limited chat is told, not queued: the person sees "Slow down" and decides to retry.
    else chatStore.getState().failed(message.opId, res.error.message);
    return { kind: "done" };
  }

  private sendActivity(state: ActivityState): void {
    if (this.joined()) this.socket.emit("presence:state", { state });
  }

  private joined(): boolean {
    return this.ready && this.socket.connected;
  }

  /**
   * The ack is handled in its callback, not after an `await`: the first `board:strokes` chunk can
   * arrive in the same transport frame, and must find the snapshot already in place.
   */
  private join = (): void => {
    // A tab that still holds this board asks only for what it missed.
    const { board, loading, epoch } = boardStore.getState();
    const resume = board.id === this.boardId && !loading && epoch ? { epoch, seq: board.seq } : undefined;
    const req = { protocol: PROTOCOL_VERSION, boardId: this.boardId, name: this.name, clientId: this.clientId, ...(resume ? { resume } : {}) };
    this.socket.timeout(ACK_TIMEOUT_MS).emit("board:join", req, (err, res) => {
      if (this.stopped || err) return; // No answer: the next reconnect joins again.
      if (!res.ok) {
        sessionStore.setState({ phase: res.error.code === "VERSION_MISMATCH" ? "outdated" : "refused", joinError: res.error.message });
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
    chatStore.getState().reset(snapshot.chat);
    this.ready = true;
    this.ops.resume();
    this.chats.resume();
    // A tab that resumed keeps its board, and with it any restored strokes it still lacks.
    this.strokes.fetch();
  }

  private onDisconnect = () => {
    this.ready = false;
    this.ops.pause();
    this.chats.pause();
  };

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
    if (applied.op.type === "stroke:add") liveStore.getState().end(applied.author, previewKey(applied.op.stroke.id));
    boardStore.getState().remote(applied);
  };
}
