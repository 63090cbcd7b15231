import { newId } from "./ids";
import type { ChatMessage, OpRequest } from "../protocol";
import type { BoardState } from "./board-state";

type PendingChat = Omit<ChatMessage, "id">;

export interface PendingChanges {
  ops: OpRequest[];
  chat: PendingChat[];
}

const PREFIX = "scribble.outbox.";

/**
 * The changes made on a board that the server has not acked yet, kept in localStorage so that a
 * reload, or a tab closed while offline and opened again later, still delivers them. Each tab
 * writes its own entry (two offline tabs must not overwrite each other); a tab starting on a
 * board takes over every entry left for it, its own and those of tabs that were closed. Sending
 * something twice is harmless: the server applies each opId once. Without storage (blocked) the
 * outbox lives in memory for as long as the tab does.
 */
export class Outbox {
  constructor(
    private readonly storage: Storage | null,
    private readonly boardId: string,
    private readonly tabId: string,
  ) {}

  /** Takes every entry left for this board out of storage. */
  restore(): PendingChanges {
    const found: PendingChanges = { ops: [], chat: [] };
    const storage = this.storage;
    if (!storage) return found;
    try {
      const keys = Array.from({ length: storage.length }, (_, i) => storage.key(i)).filter(
        (k): k is string => k !== null && k.startsWith(`${PREFIX}${this.boardId}.`),
      );
      for (const key of keys) {
        const parsed = JSON.parse(storage.getItem(key) ?? "{}") as Partial<PendingChanges>;
        if (Array.isArray(parsed.ops)) found.ops.push(...parsed.ops);
        if (Array.isArray(parsed.chat)) found.chat.push(...parsed.chat);
        storage.removeItem(key);
      }
    } catch {
      // Unreadable (storage blocked, or written by something else): start with what was read.
    }
    const seen = new Set<string>();
    const once = <T extends { opId: string }>(list: T[]) => list.filter((x) => !seen.has(x.opId) && seen.add(x.opId));
    return { ops: once(found.ops), chat: once(found.chat) };
  }

  /** Keeps this tab's entry equal to what it has pending, until the returned function is called. */
  persist({ replica, chat }: Pick<BoardState, "replica" | "chat">): () => void {
    const key = `${PREFIX}${this.boardId}.${this.tabId}`;
    const write = () => {
      const ops = replica.getState().pending;
      const messages = chat
        .getState()
        .items.flatMap((i) => (i.kind === "message" && i.status !== "sent" ? [i.message as PendingChat] : []));
      try {
        if (ops.length === 0 && messages.length === 0) this.storage?.removeItem(key);
        else this.storage?.setItem(key, JSON.stringify({ ops, chat: messages } satisfies PendingChanges));
      } catch {
        // Full or blocked storage: the outbox still lives in memory for as long as the tab does.
      }
    };
    write();
    const unsubReplica = replica.subscribe((s, prev) => s.pending !== prev.pending && write());
    const unsubChat = chat.subscribe((s, prev) => s.items !== prev.items && write());
    return () => {
      unsubReplica();
      unsubChat();
    };
  }
}

/** This browser's localStorage, or null where it is blocked (reading it throws there). */
export function browserStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/** This tab's id: kept in sessionStorage, so a reload keeps it and another tab has its own. */
export function browserTabId(): string {
  try {
    let id = window.sessionStorage.getItem("scribble.tab");
    if (!id) {
      id = newId(10);
      window.sessionStorage.setItem("scribble.tab", id);
    }
    return id;
  } catch {
    return "tab";
  }
}
