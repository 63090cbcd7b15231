import { newId } from "./ids";
import type { Action, HistoryStep } from "../board";
import { LIMITS, OPERATOR, previewKey, PROTOCOL_VERSION, strokeIdParts } from "../protocol";
import type {
  AccessChange,
  Action as Permission,
  ActivityState,
  AppliedOp,
  ChatMessage,
  Color,
  CursorUpdate,
  Dismissal,
  JoinSnapshot,
  ManageRequest,
  OpRequest,
  RemotePreview,
  Stroke,
  StrokeChunk,
  StrokeInput,
  StrokePreview,
  RemovedPerson,
  User,
} from "../protocol";
import { whyNot } from "./access-store";
import type { SessionDismissal } from "./session-store";
import type { ActivityWatch, WatchActivity } from "./activity";
import { createBoardState, type BoardState } from "./board-state";
import { CursorSender } from "./cursor-sender";
import { LaserSender } from "./laser-sender";
import { Outbox } from "./outbox";
import { SendQueue, type Outcome } from "./send-queue";
import { ACK_TIMEOUT_MS, type SessionSocket } from "./session-socket";
import { StrokeFetcher } from "./stroke-fetcher";
import { accessLine, whoDidWhat } from "./who-did-what";

/** People a session remembers the names of, for lines about changes to their strokes. */
const SEEN_MAX = 1_000;

/**
 * How long a leave waits before the chat says it: a person who comes back within it (a reload, a
 * reconnect) neither left nor joined.
 */
export const LEAVE_GRACE_MS = 8_000;

/**
 * How often a joined tab looks for a gap in its board's ops: one that stays from one look to the
 * next (an op that never came, whatever lost it) makes it join again, resuming from what it has.
 */
export const GAP_CHECK_MS = 2_000;

/** How long before an op or a join the server could not serve (INTERNAL: its store is down) is sent again. */
export const SERVER_RETRY_MS = 2_000;

/** How the chat names changes the server's operator made from /admin. */
const OPERATOR_AS_PERSON = { name: "The server's operator", color: "#6b7280" };

/** A board by its id (its ordinary link), or by the key of its view-only link, which never tells the id. */
export type BoardAddress = { boardId: string } | { view: string };

/** What to add to the undo history once the op is acked (a clear learns its strokes only then). */
type Undoable = (applied: AppliedOp | undefined) => Omit<Action, "opId"> | null;

export interface SessionOptions {
  socket: SessionSocket;
  board: BoardAddress;
  /** This browser's owner key for the board (see owner-keys.ts): it owns the board, or claims it if new. */
  ownerKey?: string;
  name: string;
  /** This browser's id (see identity.ts). */
  clientId: string;
  /** Where changes not acked yet outlive the tab (localStorage); null where storage is blocked. */
  storage: Storage | null;
  /** This tab's own entry in `storage` (see Outbox). */
  tabId: string;
  /** Tells the session when the person goes idle or away (`watchActivity` in a browser). */
  watchActivity: WatchActivity;
}

/**
 * This tab's membership of one board: joins (and joins again after every reconnect, since the
 * server may have restarted), feeds server events into the stores, and sends own changes with
 * acks. Changes not acked yet stay pending and are sent again after the next join; the server
 * applies an opId once, so a resend never doubles anything. Everything it knows of the board is
 * in `state`, made for this session alone.
 */
export class BoardSession {
  readonly state: BoardState = createBoardState();
  private stopped = false;
  private readonly undoables = new Map<string, Undoable>();
  private errorId = 0;
  private readonly cursor: CursorSender;
  private readonly laserSender: LaserSender;
  private activity: ActivityWatch | null = null;
  private stopPersisting: (() => void) | null = null;
  /** A join the server could not serve, asked again (see SERVER_RETRY_MS). */
  private joinRetry: ReturnType<typeof setTimeout> | undefined;
  /** Looks for a gap that does not fill (see GAP_CHECK_MS), and the gap it saw last time. */
  private gapCheck: ReturnType<typeof setInterval> | undefined;
  private gapSeen: number | null = null;
  private readonly ops = new SendQueue<OpRequest>((req) => this.emit(req), (req) => req.opId);
  private readonly chats = new SendQueue<Omit<ChatMessage, "id">>((m) => this.emitChat(m), (m) => m.opId);
  private readonly strokes: StrokeFetcher;
  private readonly socket: SessionSocket;
  /** What this tab calls the board locally (its outbox, its replica): the id, or the view key. */
  private readonly boardKey: string;
  private readonly outbox: Outbox;
  /** Taken off the board (removed, ended, deleted, no such link): it never joins again. */
  private dismissed = false;
  /** Counts the moments asked for: an answer to an earlier one is dropped. */
  private momentAsked = 0;
  /** The moment to ask for once the one in flight is answered. */
  private momentWanted: number | null = null;
  private momentFetching: Promise<void> | null = null;
  /** Strokes fetched to show a moment (erased before this tab came), by id. */
  private readonly fetched = new Map<string, Stroke>();
  /** People an owner removed whose leave is not to be told again; and until when an ended session's leaves are not. */
  private readonly sentAway = new Set<string>();
  private endedUntil = 0;
  /** Leaves not told yet (see LEAVE_GRACE_MS), by user id. */
  private readonly leaving = new Map<string, ReturnType<typeof setTimeout>>();
  /**
   * Everyone seen on the board this session, by user id, so that a line about a change can name
   * a person whose strokes it touched after they left. The latest SEEN_MAX only.
   */
  private readonly seen = new Map<string, Pick<User, "name" | "color">>();

  constructor(private readonly options: SessionOptions) {
    this.socket = options.socket;
    this.boardKey = "boardId" in options.board ? options.board.boardId : `view-${options.board.view}`;
    this.outbox = new Outbox(options.storage, this.boardKey, options.tabId);
    this.cursor = new CursorSender(this.socket, () => this.isJoined() && !this.whyNot("cursor"));
    this.laserSender = new LaserSender(this.socket, () => this.isJoined() && !this.whyNot("laser"));
    this.strokes = new StrokeFetcher(this.socket, this.state.replica, () => this.isJoined());
  }

  start(): void {
    // What this browser had not delivered on this board before a reload or a crash.
    const restored = this.outbox.restore();
    this.state.replica.setState({ pending: restored.ops });
    for (const message of restored.chat) this.state.chat.getState().local(message);
    for (const op of restored.ops) this.ops.push(op);
    for (const message of restored.chat) this.chats.push(message);
    this.stopPersisting = this.outbox.persist(this.state);
    this.socket.on("connect", this.join);
    this.socket.on("disconnect", this.onDisconnect);
    this.gapCheck = setInterval(this.checkGap, GAP_CHECK_MS);
    this.socket.on("presence:joined", this.onPersonJoined);
    this.socket.on("presence:left", this.onPersonLeft);
    this.socket.on("op", this.onOp);
    this.socket.on("board:strokes", this.onChunk);
    this.socket.on("stroke:preview", this.onPreview);
    this.socket.on("presence:state", this.onState);
    this.socket.on("cursors", this.onCursors);
    this.socket.on("chat:message", this.onChat);
    this.socket.on("board:access", this.onAccess);
    this.socket.on("laser", this.onLaser);
    this.socket.on("owner:removed", this.onRemovedList);
    this.socket.on("owner:view-key", this.onViewKey);
    this.socket.on("board:dismissed", this.onDismissed);
    this.activity = this.options.watchActivity((state) => this.sendActivity(state));
    this.strokes.start();
    if (this.socket.connected) this.join();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.joinRetry);
    clearInterval(this.gapCheck);
    this.socket.off("connect", this.join);
    this.socket.off("disconnect", this.onDisconnect);
    this.ops.pause();
    this.chats.pause();
    this.socket.off("presence:joined", this.onPersonJoined);
    this.socket.off("presence:left", this.onPersonLeft);
    this.socket.off("op", this.onOp);
    this.socket.off("board:strokes", this.onChunk);
    this.socket.off("stroke:preview", this.onPreview);
    this.socket.off("presence:state", this.onState);
    this.socket.off("cursors", this.onCursors);
    this.socket.off("chat:message", this.onChat);
    this.socket.off("board:access", this.onAccess);
    this.socket.off("laser", this.onLaser);
    this.socket.off("owner:removed", this.onRemovedList);
    this.socket.off("owner:view-key", this.onViewKey);
    this.socket.off("board:dismissed", this.onDismissed);
    for (const timer of this.leaving.values()) clearTimeout(timer);
    this.leaving.clear();
    this.activity?.stop();
    this.strokes.stop();
    this.stopPersisting?.();
    this.cursor.dispose();
    this.laserSender.dispose();
    if (this.socket.connected) this.socket.emit("board:leave");
  }

  /** The pointer is over the board at (x, y), in board units. */
  moveCursor(x: number, y: number): void {
    this.cursor.move(x, y);
  }

  hideCursor(): void {
    this.cursor.hide();
  }

  setColor(color: Color): void {
    this.send({ type: "circle:set", opId: newId(), color });
  }

  /** This person's laser went through `points` (`[x, y, ...]`): their own trail shows at once, the others' soon. */
  pointAt(points: number[]): void {
    const self = this.state.presence.getState().self;
    if (self) this.state.laser.getState().add(self.id, self.color, points, performance.now());
    this.laserSender.add(points);
  }

  /** Sends the points of the stroke being drawn to the others; dropped when not connected. */
  preview(preview: StrokePreview): void {
    if (this.isJoined()) this.socket.volatile.emit("stroke:preview", preview);
  }

  addStroke(stroke: StrokeInput): void {
    this.send({ type: "stroke:add", opId: newId(), stroke }, () => ({ undo: [{ change: "erase", strokeIds: [stroke.id] }] }));
  }

  erase(strokeIds: string[]): void {
    const [first, ...rest] = strokeIdParts(strokeIds);
    if (!first) return;
    // One action in the history however many parts it travels in; undo restores all of it.
    this.send({ type: "stroke:erase", opId: newId(), strokeIds: first }, () => ({ undo: [{ change: "restore", strokeIds }] }));
    for (const part of rest) this.send({ type: "stroke:erase", opId: newId(), strokeIds: part });
  }

  clear(): void {
    this.send({ type: "board:clear", opId: newId() }, (applied) =>
      applied?.op.type === "board:clear" && applied.op.strokeIds.length > 0
        ? { undo: [{ change: "restore", strokeIds: applied.op.strokeIds }] }
        : null,
    );
  }

  undo(): void {
    if (!this.told("draw")) this.step(this.state.history.getState().undo());
  }

  redo(): void {
    if (!this.told("draw")) this.step(this.state.history.getState().redo());
  }

  /**
   * An owner's change to the board or to one person; resolves true once the server stored it.
   * A refusal is told like a refused change.
   */
  async manage(req: ManageRequest): Promise<boolean> {
    if (!this.isJoined()) return this.tell("Not connected: try again once the board is back."), false;
    const res = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("board:manage", req).catch(() => null);
    if (!res) return this.tell("No answer from the server: nothing was changed."), false;
    if (!res.ok) this.tell(res.error.message);
    return res.ok;
  }

  /** Opens the history panel with the board's changes; the board shows as it is until a moment is picked. */
  async openHistory(): Promise<void> {
    const { timeline } = this.state;
    if (this.told("history")) return;
    timeline.setState({ open: true, loading: true, error: null, moment: null });
    const res = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("history:list").catch(() => null);
    if (!timeline.getState().open) return;
    if (!res?.ok) return timeline.setState({ loading: false, error: res ? res.error.message : "No answer from the server." });
    timeline.setState({ loading: false, entries: res.entries, firstSeq: res.firstSeq });
  }

  closeHistory(): void {
    this.momentAsked += 1;
    this.state.timeline.setState({ open: false, moment: null, loading: false, error: null });
  }

  /**
   * Shows the board as it was right after change `seq`, in this tab only; null shows it as it is.
   * One moment is asked for at a time: while a slider is dragged, only the latest position
   * wanted when the answer comes is asked for next. Resolves once nothing more is wanted.
   */
  showMoment(seq: number | null): Promise<void> {
    const { timeline } = this.state;
    this.momentAsked += 1;
    if (seq === null) {
      timeline.setState({ moment: null, loading: false });
      return Promise.resolve();
    }
    this.momentWanted = seq;
    timeline.setState({ loading: true, error: null });
    return (this.momentFetching ??= this.fetchMoments().finally(() => (this.momentFetching = null)));
  }

  private async fetchMoments(): Promise<void> {
    const { timeline } = this.state;
    while (this.momentWanted !== null) {
      const seq = this.momentWanted;
      this.momentWanted = null;
      const asked = this.momentAsked;
      const current = () => asked === this.momentAsked;
      try {
        const res = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("history:at", { seq }).catch(() => null);
        if (!res?.ok) throw new Error(res ? res.error.message : "No answer from the server.");
        const strokes = await this.strokesById(res.strokeIds, current);
        if (current()) timeline.setState({ loading: false, moment: { seq, strokes, circle: res.circle } });
      } catch (err) {
        if (current()) timeline.setState({ loading: false, error: (err as Error).message });
      }
    }
  }

  /**
   * Owners: makes the moment shown the board's again, for everyone, and closes the history. The
   * server sends it as this person's own erase and restore, so Ctrl+Z takes it back.
   */
  async restoreMoment(seq: number): Promise<boolean> {
    if (this.told("restore")) return false;
    const res = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("history:restore", { seq }).catch(() => null);
    if (!res?.ok) return this.tell(res ? res.error.message : "No answer from the server: nothing was changed."), false;
    const undo = res.applied.flatMap(({ op }): HistoryStep[] =>
      op.type === "stroke:erase" ? [{ change: "restore", strokeIds: op.strokeIds }] : op.type === "stroke:restore" ? [{ change: "erase", strokeIds: op.strokeIds }] : [],
    );
    if (undo.length > 0) this.record(res.applied[0]!.op.opId, { undo });
    this.closeHistory();
    return true;
  }

  /**
   * Strokes by id, erased ones included: those this tab holds, the rest asked of the server (an
   * answer may cover only some ids: the rest are asked again), kept for the next moment.
   */
  private async strokesById(ids: readonly string[], wanted: () => boolean): Promise<Stroke[]> {
    const { board } = this.state.replica.getState();
    let missing = ids.filter((id) => !board.stroke(id) && !this.fetched.has(id));
    // A moment no longer wanted stops asking (what came is kept for the next).
    while (missing.length > 0 && wanted()) {
      const asked = missing.slice(0, LIMITS.strokeFetchMax);
      const res = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("strokes:get", { strokeIds: asked }).catch(() => null);
      if (!res?.ok) throw new Error(res ? res.error.message : "No answer from the server.");
      if (res.answered === 0) throw new Error("The server sent none of the strokes asked for.");
      for (const stroke of res.strokes) this.fetched.set(stroke.id, stroke);
      missing = [...missing.slice(res.answered)];
    }
    return ids.flatMap((id) => board.stroke(id) ?? this.fetched.get(id) ?? []);
  }

  /** Why this person may not do `action` now, or undefined. */
  whyNot(action: Permission): string | undefined {
    return whyNot(this.state.presence.getState().self?.role, this.state.access.getState().settings, action);
  }

  /** Tells the person why they may not do `action`, if they may not; whether it was told. */
  private told(action: Permission): boolean {
    const reason = this.whyNot(action);
    if (reason) this.tell(reason);
    return reason !== undefined;
  }

  private tell(message: string): void {
    this.state.session.setState({ opError: { id: ++this.errorId, message } });
  }

  private step(steps: HistoryStep[] | null): void {
    for (const step of steps ?? []) {
      for (const part of strokeIdParts(step.strokeIds)) {
        this.send({ type: step.change === "erase" ? "stroke:erase" : "stroke:restore", opId: newId(), strokeIds: part });
      }
    }
  }

  /**
   * Shows the change at once, sends it when joined, and settles it on the ack. An action that
   * can be undone goes into the history right away (so that Ctrl+Z works before the ack), except
   * a clear, which learns what it hid from its ack.
   */
  private send(req: OpRequest, undoable?: Undoable): void {
    this.state.replica.getState().local(req);
    if (undoable && req.type !== "board:clear") this.record(req.opId, undoable(undefined));
    else if (undoable) this.undoables.set(req.opId, undoable);
    this.ops.push(req);
  }

  private record(opId: string, action: Omit<Action, "opId"> | null): void {
    if (action) this.state.history.getState().record({ opId, ...action });
  }

  /** One attempt to deliver an op; the queue decides what comes next from the outcome. */
  private async emit(req: OpRequest): Promise<Outcome> {
    if (!this.isJoined()) return { kind: "wait" };
    const res = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("op", req).catch(() => null);
    // Unanswered: sent again after the next join, or shortly if the connection still stands.
    if (!res) return this.socket.connected ? { kind: "retry", afterMs: 2_000 } : { kind: "wait" };
    if (res.ok) {
      this.state.replica.getState().acked(req.opId, res.applied);
      const undoable = this.undoables.get(req.opId);
      this.undoables.delete(req.opId);
      if (undoable) this.record(req.opId, undoable(res.applied));
      return { kind: "done" };
    }
    // Over the server's rate: the same op again once the hint says so, and nothing overtakes it.
    if (res.error.code === "RATE_LIMITED") return { kind: "retry", afterMs: res.error.retryAfterMs ?? 1_000 };
    // The server lost track of this tab (it restarted mid-join): it joins again, then resends.
    if (res.error.code === "NOT_JOINED") return { kind: "wait" };
    // The server could not store it (its store is down, or went back): it is kept, shown pending,
    // and sent again, as unanswered ones are; nothing overtakes it.
    if (res.error.code === "INTERNAL") return { kind: "retry", afterMs: SERVER_RETRY_MS };
    this.state.replica.getState().refused(req.opId);
    this.undoables.delete(req.opId);
    this.state.history.getState().forget(req.opId);
    this.tell(res.error.message);
    return { kind: "done" };
  }

  /** Sends a chat message to everyone on the board, or privately to `to` (a user id). */
  sendChat(text: string, to?: Pick<User, "id" | "name">): void {
    const self = this.state.presence.getState().self;
    if (!self) return;
    const message = {
      opId: newId(),
      author: { id: self.id, name: self.name, color: self.color },
      text,
      at: Date.now(),
      ...(to ? { to } : {}),
    };
    this.state.chat.getState().local(message);
    this.chats.push(message);
  }

  retryChat(opId: string): void {
    const item = this.state.chat.getState().items.find((i) => i.kind === "message" && i.key === opId);
    if (item?.kind !== "message") return;
    this.state.chat.getState().retrying(opId);
    this.chats.push(item.message);
  }

  private async emitChat(message: Omit<ChatMessage, "id">): Promise<Outcome> {
    if (!this.isJoined()) return { kind: "wait" };
    const req = { opId: message.opId, text: message.text, ...(message.to ? { to: message.to.id } : {}) };
    const res = await this.socket.timeout(ACK_TIMEOUT_MS).emitWithAck("chat:send", req).catch(() => null);
    if (!res) {
      // Connected but unanswered: say so; while offline it stays pending and goes out on rejoin.
      if (!this.socket.connected) return { kind: "wait" };
      this.state.chat.getState().failed(message.opId, "No answer from the server.");
      return { kind: "done" };
    }
    if (res.ok) this.state.chat.getState().acked(res.message);
    else if (res.error.code === "NOT_JOINED") return { kind: "wait" };
    // Rate-limited chat is told, not queued: the person sees "Slow down" and decides to retry.
    else this.state.chat.getState().failed(message.opId, res.error.message);
    return { kind: "done" };
  }

  private sendActivity(state: ActivityState): void {
    if (this.isJoined()) this.socket.emit("presence:state", { state });
  }

  /** This tab is joined on its current connection. */
  private isJoined(): boolean {
    return this.state.session.getState().live && this.socket.connected;
  }

  /**
   * The ack is handled in its callback, not after an `await`: the first `board:strokes` chunk can
   * arrive in the same transport frame, and must find the snapshot already in place.
   */
  private join = (): void => {
    // Off the board for good: a reconnect must not bring the tab back (nor claim a deleted board anew).
    if (this.dismissed) return;
    // A tab that still holds this board asks only for what it missed.
    const { board, loading, epoch } = this.state.replica.getState();
    const last = board.lastOpId;
    const resume = board.id === this.boardKey && !loading && epoch ? { epoch, seq: board.seq, ...(last !== undefined && { last }) } : undefined;
    const { name, clientId, ownerKey } = this.options;
    const req = {
      protocol: PROTOCOL_VERSION,
      ...this.options.board,
      ...(ownerKey && "boardId" in this.options.board ? { ownerKey } : {}),
      name,
      clientId,
      ...(resume ? { resume } : {}),
    };
    this.socket.timeout(ACK_TIMEOUT_MS).emit("board:join", req, (err, res) => {
      if (this.stopped || err) return; // No answer: the next reconnect joins again.
      if (!res.ok) {
        const { code, message } = res.error;
        if (code === "REMOVED" || code === "UNKNOWN_LINK") return this.dismiss({ reason: code === "REMOVED" ? "removed" : "unknown-link" }, message);
        // The server could not load the board (its store is down): asked again shortly.
        if (code === "INTERNAL") {
          this.joinRetry = setTimeout(() => this.socket.connected && this.join(), SERVER_RETRY_MS);
          return;
        }
        this.state.session.setState({ phase: code === "VERSION_MISMATCH" ? "outdated" : "refused", joinError: message });
        return;
      }
      this.onSnapshot(res);
    });
  };

  /** Off the board for good (removed, the session ended, or no such board): nothing more is sent. */
  private dismiss(dismissal: SessionDismissal, message: string | null = null): void {
    // The first word is the one that says why (a join refused after its dismissal says less).
    if (this.dismissed) return;
    this.dismissed = true;
    this.ops.pause();
    this.chats.pause();
    this.state.session.setState({ phase: "dismissed", dismissal, joinError: message, live: false });
  }

  private onSnapshot(snapshot: JoinSnapshot): void {
    const { presence, replica, live, cursors, session, chat, access } = this.state;
    presence.getState().reset(snapshot.self, snapshot.users);
    access.getState().reset(snapshot);
    snapshot.users.forEach(this.see);
    if (snapshot.sync === "delta") replica.getState().resume(snapshot);
    else replica.getState().begin(this.boardKey, snapshot);
    live.getState().clear();
    cursors.getState().clear();
    session.setState({ phase: "joined", joinError: null, live: true });
    // A join starts the person active; a hidden or idle tab says otherwise at once.
    const activity = this.activity?.current() ?? "active";
    if (activity !== "active") this.sendActivity(activity);
    chat.getState().reset(snapshot.chat);
    this.ops.resume();
    this.chats.resume();
    // A tab that resumed keeps its board, and with it any restored strokes it still lacks.
    this.strokes.fetch();
  }

  /** A gap still there since the last look: the op it waits for is not coming, so the tab asks for what it missed. */
  private checkGap = () => {
    const gap = this.isJoined() ? this.state.replica.getState().gap() : null;
    if (gap !== null && gap === this.gapSeen) {
      this.gapSeen = null;
      this.join();
      return;
    }
    this.gapSeen = gap;
  };

  private onDisconnect = () => {
    this.state.session.setState({ live: false });
    this.ops.pause();
    this.chats.pause();
  };

  /** Another person came onto the board (this tab's own joining is `isJoined`); one back from a reload was never gone. */
  private onPersonJoined = (user: User) => {
    this.see(user);
    this.state.presence.getState().joined(user);
    const back = this.leaving.get(user.id);
    this.leaving.delete(user.id);
    clearTimeout(back);
    if (back === undefined) this.state.chat.getState().line("joined", user, Date.now());
  };
  private onPersonLeft = (userId: string) => {
    const { presence, cursors, chat } = this.state;
    const user = presence.getState().users.find((u) => u.id === userId);
    presence.getState().left(userId);
    cursors.getState().remove(userId);
    if (chat.getState().target?.id === userId) chat.getState().setTarget(null);
    // Never a line about oneself (the server tells of a leave only once the person's last tab
    // went), nor about someone an owner just sent away: the chat said so already.
    if (!user || userId === presence.getState().self?.id || this.sentAway.delete(userId) || Date.now() < this.endedUntil) return;
    const at = Date.now();
    clearTimeout(this.leaving.get(userId));
    this.leaving.set(
      userId,
      setTimeout(() => {
        this.leaving.delete(userId);
        chat.getState().line("left", user, at);
      }, LEAVE_GRACE_MS),
    );
  };
  private onAccess = (change: AccessChange) => {
    const { access, presence, chat } = this.state;
    const before = access.getState().settings;
    if (change.type === "settings") access.getState().setSettings(change.settings);
    if (change.type === "role") presence.getState().setRole(change.userId, change.role);
    if (change.type === "removed") this.sentAway.add(change.userId);
    if (change.type === "ended") this.endedUntil = Date.now() + LEAVE_GRACE_MS;
    const text = accessLine(change, before, (id) => this.seen.get(id)?.name, presence.getState().self?.id);
    const owner = change.by === OPERATOR ? OPERATOR_AS_PERSON : this.seen.get(change.by);
    // Like changes to strokes: never a line about what one did oneself.
    if (text && owner && change.by !== presence.getState().self?.id) chat.getState().did(`access-${change.type}-${Date.now()}-${text}`, owner, text, Date.now());
  };
  private onLaser = ({ userId, points }: { userId: string; points: number[] }) => {
    const user = this.state.presence.getState().users.find((u) => u.id === userId);
    if (user) this.state.laser.getState().add(userId, user.color, points, performance.now());
  };
  private onRemovedList = (removed: RemovedPerson[]) => this.state.access.getState().setRemoved(removed);
  private onViewKey = (viewKey: string) => this.state.access.getState().setViewKey(viewKey);
  private onDismissed = (dismissal: Dismissal) => this.dismiss(dismissal);
  private onChat = (message: ChatMessage) => this.state.chat.getState().received(message);
  private onState = ({ userId, state }: { userId: string; state: ActivityState }) =>
    this.state.presence.getState().setState(userId, state);
  private onCursors = (updates: CursorUpdate[]) => this.state.cursors.getState().apply(updates);
  private onChunk = (chunk: StrokeChunk) => this.state.replica.getState().chunk(chunk);
  private onPreview = (preview: RemotePreview) => this.state.live.getState().preview(preview, performance.now());
  private see = (user: User) => {
    this.seen.delete(user.id);
    this.seen.set(user.id, { name: user.name, color: user.color });
    if (this.seen.size > SEEN_MAX) this.seen.delete(this.seen.keys().next().value!);
  };

  private onOp = (applied: AppliedOp) => {
    const { live, replica, presence, chat } = this.state;
    if (applied.op.type === "stroke:add") live.getState().end(applied.author, previewKey(applied.op.stroke.id));
    // Told before it applies, while the strokes it names still say whose they are.
    const board = replica.getState().board;
    const text = whoDidWhat(applied, (id) => board.stroke(id)?.author, (id) => this.seen.get(id)?.name);
    const actor = this.seen.get(applied.author);
    if (text && actor && applied.author !== presence.getState().self?.id) chat.getState().did(`op-${applied.op.opId}`, actor, text, Date.now());
    replica.getState().remote(applied);
  };
}
