import type { ChatMessage, OpRequest } from "../protocol";
import { boardStore } from "./board-store";
import { chatStore } from "./chat-store";

type PendingChat = Omit<ChatMessage, "id">;

interface Outbox {
  ops: OpRequest[];
  chat: PendingChat[];
}

const key = (boardId: string) => `scribble.outbox.${boardId}`;

/**
 * The changes this tab made on a board that the server has not acked yet, kept in localStorage
 * so that a reload, or a tab closed while offline and opened again later, still delivers them.
 * Resending is safe: the server applies each opId once.
 */
export function restoreOutbox(boardId: string): Outbox {
  try {
    const raw = window.localStorage.getItem(key(boardId));
    const parsed = raw ? (JSON.parse(raw) as Partial<Outbox>) : {};
    return { ops: Array.isArray(parsed.ops) ? parsed.ops : [], chat: Array.isArray(parsed.chat) ? parsed.chat : [] };
  } catch {
    // Unreadable (storage blocked, or written by something else): start empty rather than fail.
    return { ops: [], chat: [] };
  }
}

/** Keeps the stored outbox equal to what is pending, until the returned function is called. */
export function persistOutbox(boardId: string): () => void {
  const write = () => {
    const ops = boardStore.getState().pending;
    const chat = chatStore
      .getState()
      .items.flatMap((i) => (i.kind === "message" && i.status !== "sent" ? [i.message as PendingChat] : []));
    try {
      if (ops.length === 0 && chat.length === 0) window.localStorage.removeItem(key(boardId));
      else window.localStorage.setItem(key(boardId), JSON.stringify({ ops, chat } satisfies Outbox));
    } catch {
      // Full or blocked storage: the outbox still lives in memory for as long as the tab does.
    }
  };
  const unsubBoard = boardStore.subscribe((s, prev) => s.pending !== prev.pending && write());
  const unsubChat = chatStore.subscribe((s, prev) => s.items !== prev.items && write());
  return () => {
    unsubBoard();
    unsubChat();
  };
}
