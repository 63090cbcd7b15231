import { nanoid } from "nanoid";
import type { ChatMessage, OpRequest } from "../protocol";
import { boardStore } from "./board-store";
import { chatStore } from "./chat-store";

type PendingChat = Omit<ChatMessage, "id">;

interface Outbox {
  ops: OpRequest[];
  chat: PendingChat[];
}

const PREFIX = "scribble.outbox.";
const keyOf = (boardId: string, tab: string) => `${PREFIX}${boardId}.${tab}`;

/** This tab's id: kept in sessionStorage, so a reload keeps it and another tab has its own. */
function tabId(): string {
  try {
    let id = window.sessionStorage.getItem("scribble.tab");
    if (!id) {
      id = nanoid(10);
      window.sessionStorage.setItem("scribble.tab", id);
    }
    return id;
  } catch {
    return "tab";
  }
}

/**
 * The changes made on a board that the server has not acked yet, kept in localStorage so that a
 * reload, or a tab closed while offline and opened again later, still delivers them. Each tab
 * writes its own entry (two offline tabs must not overwrite each other); a tab starting on a
 * board takes over every entry left for it, its own and those of tabs that were closed. Sending
 * something twice is harmless: the server applies each opId once.
 */
export function restoreOutbox(boardId: string): Outbox {
  const found: Outbox = { ops: [], chat: [] };
  try {
    const storage = window.localStorage;
    const keys = Array.from({ length: storage.length }, (_, i) => storage.key(i)).filter(
      (k): k is string => k !== null && k.startsWith(`${PREFIX}${boardId}.`),
    );
    for (const key of keys) {
      const parsed = JSON.parse(storage.getItem(key) ?? "{}") as Partial<Outbox>;
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

/** Keeps this tab's stored outbox equal to what it has pending, until the returned function is called. */
export function persistOutbox(boardId: string): () => void {
  const key = keyOf(boardId, tabId());
  const write = () => {
    const ops = boardStore.getState().pending;
    const chat = chatStore
      .getState()
      .items.flatMap((i) => (i.kind === "message" && i.status !== "sent" ? [i.message as PendingChat] : []));
    try {
      if (ops.length === 0 && chat.length === 0) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, JSON.stringify({ ops, chat } satisfies Outbox));
    } catch {
      // Full or blocked storage: the outbox still lives in memory for as long as the tab does.
    }
  };
  write();
  const unsubBoard = boardStore.subscribe((s, prev) => s.pending !== prev.pending && write());
  const unsubChat = chatStore.subscribe((s, prev) => s.items !== prev.items && write());
  return () => {
    unsubBoard();
    unsubChat();
  };
}
