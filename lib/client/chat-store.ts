import { createStore, type StoreApi } from "zustand/vanilla";
import type { ChatMessage, User } from "../protocol";

export type ChatStatus = "pending" | "sent" | "failed";

export type ChatItem =
  | {
      kind: "message";
      key: string;
      message: Omit<ChatMessage, "id"> & { id?: number };
      /** Own messages go pending → sent, or failed with the reason; others' are sent. */
      status: ChatStatus;
      error?: string;
    }
  | { kind: "joined" | "left"; key: string; user: Pick<User, "name" | "color">; at: number }
  /** Someone changed the board in a way the others should know of: "Grace cleared the board". */
  | { kind: "activity"; key: string; user: Pick<User, "name" | "color">; text: string; at: number };

export interface ChatStore {
  items: ChatItem[];
  /** The person a message goes to privately, or null for everyone on the board. */
  target: Pick<User, "id" | "name"> | null;
  /** Starts over from the history in a join snapshot, keeping own messages not acked yet. */
  reset(history: ChatMessage[]): void;
  local(message: Omit<ChatMessage, "id">): void;
  acked(message: ChatMessage): void;
  failed(opId: string, error: string): void;
  retrying(opId: string): void;
  received(message: ChatMessage): void;
  line(kind: "joined" | "left", user: Pick<User, "name" | "color">, at: number): void;
  /** Says what someone did (`text` follows their name); `key` makes a line said twice show once. */
  did(key: string, user: Pick<User, "name" | "color">, text: string, at: number): void;
  setTarget(target: Pick<User, "id" | "name"> | null): void;
}

/** Enough for a long session's join and leave lines without growing without bound. */
const MAX_ITEMS = 500;

const at = (item: ChatItem) => (item.kind === "message" ? item.message.at : item.at);
const sorted = (items: ChatItem[]) => [...items].sort((a, b) => at(a) - at(b)).slice(-MAX_ITEMS);
const messageItem = (message: ChatMessage, status: ChatStatus): ChatItem => ({
  kind: "message",
  key: message.opId,
  message,
  status,
});

export const createChatStore = (): StoreApi<ChatStore> => createStore<ChatStore>((set, get) => {
  const update = (opId: string, change: (item: Extract<ChatItem, { kind: "message" }>) => ChatItem) =>
    set({ items: get().items.map((i) => (i.kind === "message" && i.key === opId ? change(i) : i)) });

  return {
    items: [],
    target: null,
    reset: (history) => {
      const known = new Set(history.map((m) => m.opId));
      const kept = get().items.filter((i) => i.kind !== "message" || (i.status !== "sent" && !known.has(i.key)));
      set({ items: sorted([...kept, ...history.map((m) => messageItem(m, "sent"))]) });
    },
    local: (message) => set({ items: sorted([...get().items, { kind: "message", key: message.opId, message, status: "pending" }]) }),
    acked: (message) => update(message.opId, () => messageItem(message, "sent")),
    failed: (opId, error) => update(opId, (i) => ({ ...i, status: "failed", error })),
    retrying: (opId) => update(opId, (i) => ({ ...i, status: "pending", error: undefined })),
    received: (message) => {
      if (get().items.some((i) => i.kind === "message" && i.key === message.opId)) return;
      set({ items: sorted([...get().items, messageItem(message, "sent")]) });
    },
    line: (kind, user, time) =>
      set({ items: sorted([...get().items, { kind, key: `${kind}-${user.name}-${time}`, user, at: time }]) }),
    did: (key, user, text, time) => {
      if (get().items.some((i) => i.key === key)) return;
      set({ items: sorted([...get().items, { kind: "activity", key, user, text, at: time }]) });
    },
    setTarget: (target) => set({ target }),
  };
});
