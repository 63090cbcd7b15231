import type { HookPerson, ScribbleHooks, SyncState, VisibleStroke } from "../../packages/playwright/src/contract";
import { boardDigest } from "../board";
import type { User } from "../protocol";
import type { BoardSession } from "./board-session";
import { selectView } from "./board-view";
import { connectionStore, type ConnectionState } from "./connection-store";
import type { JoinPhase } from "./session-store";

/** What decides a tab's sync state. */
export interface SyncInputs {
  connection: ConnectionState;
  phase: JoinPhase;
  /** Joined on the current connection (SessionStore.live). */
  live: boolean;
  /** The tab holds a board of its own (it joined once, and its strokes are in). */
  hasBoard: boolean;
  /** Its strokes are still coming in (a full join). */
  loading: boolean;
  /** Own changes and chat messages waiting for their acks. */
  pending: number;
  /** A change came before one it follows, which has not come yet. */
  gap: boolean;
}

/** The tab's sync state (see SYNC_STATES in the contract for what each means). */
export function syncStateOf(i: SyncInputs): SyncState {
  if (i.phase === "dismissed" || i.phase === "outdated") return "offline";
  if (!i.live) {
    if (i.connection === "connected" || (i.connection === "connecting" && !i.hasBoard)) return i.hasBoard ? "syncing" : "joining";
    return "offline";
  }
  if (i.loading || !i.hasBoard) return "joining";
  return i.pending > 0 || i.gap ? "syncing" : "synced";
}

const person = ({ id, name, color }: User): HookPerson => ({ id, name, color });

/** How long `whenSynced` waits by default. */
const WHEN_SYNCED_MS = 10_000;

/**
 * Publishes a board session's sync state for tests and tools (packages/playwright's contract):
 * `data-sync-state`, `data-seq` and `data-digest` on `element`, and a read-only `window.scribble`.
 * Written straight to the DOM from the stores, not through React: a board's changes do not
 * re-render the page for it. Returns the function that takes it all down.
 */
export function publishSyncHooks(
  element: Pick<HTMLElement, "setAttribute">,
  session: BoardSession | null,
  boardId: string | null,
  host: Pick<Window, "scribble"> = window,
): () => void {
  let status: SyncState = "joining";
  let digest = "";
  let seq = 0;
  let pending = 0;
  let strokes: VisibleStroke[] = [];
  let viewKey: unknown = null;
  const waiters = new Set<() => void>();

  const update = () => {
    const replica = session?.state.replica.getState();
    const sessionState = session?.state.session.getState();
    const chatPending = session ? session.state.chat.getState().items.filter((i) => i.kind === "message" && i.status === "pending").length : 0;
    if (replica && replica.board.id !== "") {
      const view = selectView(replica);
      // The view is one object per change of the board or of what is pending.
      if (view !== viewKey) {
        viewKey = view;
        digest = boardDigest(view.circleColor, view.strokes);
        strokes = view.strokes.map((s) => ({ id: s.id, author: "author" in s ? (s.author as string) : null, color: s.color }));
      }
      seq = replica.board.seq;
    }
    pending = (replica?.pending.length ?? 0) + chatPending;
    status = syncStateOf({
      connection: connectionStore.getState().state,
      phase: sessionState?.phase ?? "joining",
      live: sessionState?.live ?? false,
      hasBoard: !!replica && replica.board.id !== "" && replica.epoch !== null,
      loading: !!replica?.loading,
      pending,
      gap: (replica?.held ?? 0) > 0,
    });
    element.setAttribute("data-sync-state", status);
    element.setAttribute("data-seq", String(seq));
    element.setAttribute("data-digest", digest);
    if (status === "synced") for (const wake of [...waiters]) wake();
  };

  const hooks: ScribbleHooks = Object.freeze({
    version: 1 as const,
    boardId,
    get status() {
      return status;
    },
    get seq() {
      return seq;
    },
    get pending() {
      return pending;
    },
    get digest() {
      return digest;
    },
    get self() {
      const self = session?.state.presence.getState().self;
      return self ? person(self) : null;
    },
    get people() {
      return session?.state.presence.getState().users.map(person) ?? [];
    },
    get strokes() {
      return strokes;
    },
    whenSynced({ timeoutMs = WHEN_SYNCED_MS } = {}) {
      return new Promise<{ seq: number; digest: string }>((resolve, reject) => {
        if (status === "synced") return resolve({ seq, digest });
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`not synced after ${timeoutMs} ms: ${status}, seq ${seq}, ${pending} pending`));
        }, timeoutMs);
        const wake = () => {
          clearTimeout(timer);
          waiters.delete(wake);
          resolve({ seq, digest });
        };
        waiters.add(wake);
      });
    },
  });

  const stops = [
    connectionStore.subscribe(update),
    ...(session ? [session.state.replica.subscribe(update), session.state.session.subscribe(update), session.state.chat.subscribe(update)] : []),
  ];
  update();
  Object.defineProperty(host, "scribble", { value: hooks, configurable: true, enumerable: false, writable: false });
  return () => {
    for (const stop of stops) stop();
    if (host.scribble === hooks) delete host.scribble;
  };
}
