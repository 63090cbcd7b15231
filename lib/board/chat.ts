import type { ChatMessage, User } from "../protocol";
import { LIMITS } from "../protocol";

/** A message as the board keeps it: who may see a direct one is known by browser, not by socket. */
export interface StoredChat {
  message: ChatMessage;
  fromClient: string;
  toClient?: string;
}

export interface ChatPost {
  opId: string;
  text: string;
  author: User;
  fromClient: string;
  to?: { user: User; client: string };
  at: number;
}

/**
 * A board's chat: the last `LIMITS.chatHistory` messages, public and direct, each opId posted
 * once. Pure: time and people come from the caller. Direct messages are kept with the browsers
 * (client ids) of both ends, so each sees them again after a reload, and nobody else ever does.
 */
export class ChatLog {
  private readonly stored: StoredChat[] = [];
  private nextId = 1;

  /** A log holding what a store kept, oldest first. */
  static fromStored(stored: readonly StoredChat[]): ChatLog {
    const log = new ChatLog();
    for (const s of stored.slice(-LIMITS.chatHistory)) log.stored.push(s);
    log.nextId = (stored.at(-1)?.message.id ?? 0) + 1;
    return log;
  }

  /** Posts a message, or returns the one already posted under this opId (a resend). */
  post(p: ChatPost): { message: ChatMessage; duplicate: boolean; stored: StoredChat } {
    const earlier = this.stored.find((s) => s.message.opId === p.opId && s.fromClient === p.fromClient);
    if (earlier) return { message: earlier.message, duplicate: true, stored: earlier };
    const message: ChatMessage = {
      id: this.nextId++,
      opId: p.opId,
      author: { id: p.author.id, name: p.author.name, color: p.author.color },
      text: p.text,
      at: p.at,
      ...(p.to ? { to: { id: p.to.user.id, name: p.to.user.name } } : {}),
    };
    const stored: StoredChat = { message, fromClient: p.fromClient, ...(p.to ? { toClient: p.to.client } : {}) };
    this.stored.push(stored);
    if (this.stored.length > LIMITS.chatHistory) this.stored.shift();
    return { message, duplicate: false, stored };
  }

  /** Takes a message back out (its storing failed); the latest one's id is given to the next. */
  remove(id: number): void {
    const i = this.stored.findIndex((s) => s.message.id === id);
    if (i >= 0) this.stored.splice(i, 1);
    if (id === this.nextId - 1) this.nextId = id;
  }

  /** A message stored elsewhere (another node of a cluster posted it): the next after `lastId`. */
  add(stored: StoredChat): void {
    if (stored.message.id !== this.nextId) throw new Error(`chat message ${stored.message.id} added after ${this.lastId}`);
    this.stored.push(stored);
    if (this.stored.length > LIMITS.chatHistory) this.stored.shift();
    this.nextId += 1;
  }

  /** The id of the latest message posted (0 for none). */
  get lastId(): number {
    return this.nextId - 1;
  }

  /** What one browser may see, oldest first. */
  visibleTo(clientId: string): ChatMessage[] {
    return this.stored
      .filter((s) => !s.message.to || s.fromClient === clientId || s.toClient === clientId)
      .map((s) => s.message);
  }
}
