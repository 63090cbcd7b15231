import type { ClientToServerEvents } from "@/lib/protocol";
import type { SessionEvents, SessionSocket } from "@/lib/client/session-socket";

type Listener = (...args: never[]) => void;
type Emitted = { event: keyof ClientToServerEvents; args: unknown[]; volatile: boolean };
type PendingAck = { event: keyof ClientToServerEvents; req: unknown; answer(err: Error | null, res?: unknown): void };

/**
 * A client socket and the server end a test drives, in memory (after tldraw sync-core's
 * TestSocketPair). The client end is what BoardSession takes; the test sees every emit, answers
 * acks, pushes server events and connects or drops the pair. Unanswered acks fail on a drop, as
 * socket.io-client's do.
 */
export function socketPair() {
  const listeners = new Map<keyof SessionEvents, Set<Listener>>();
  const emitted: Emitted[] = [];
  const acks: PendingAck[] = [];
  let connected = false;

  const fire = (event: keyof SessionEvents, ...args: unknown[]) => {
    for (const listener of [...(listeners.get(event) ?? [])]) (listener as (...a: unknown[]) => void)(...args);
  };
  const tell = (isVolatile: boolean) => (event: keyof ClientToServerEvents, ...args: unknown[]) => {
    if (isVolatile && !connected) return;
    emitted.push({ event, args, volatile: isVolatile });
  };
  const ask = (event: keyof ClientToServerEvents, req: unknown, answer: PendingAck["answer"]) => {
    emitted.push({ event, args: [req], volatile: false });
    acks.push({ event, req, answer });
  };

  const client = {
    get connected() {
      return connected;
    },
    on: (event: keyof SessionEvents, listener: Listener) => {
      if (!listeners.has(event)) listeners.set(event, new Set());
      listeners.get(event)!.add(listener);
    },
    off: (event: keyof SessionEvents, listener: Listener) => listeners.get(event)?.delete(listener),
    emit: tell(false),
    volatile: { emit: tell(true) },
    timeout: () => ({
      emitWithAck: (event: keyof ClientToServerEvents, req: unknown) =>
        new Promise((resolve, reject) => ask(event, req, (err, res) => (err ? reject(err) : resolve(res)))),
      emit: (event: keyof ClientToServerEvents, req: unknown, ack: (err: Error | null, res?: unknown) => void) =>
        ask(event, req, ack),
    }),
  } as unknown as SessionSocket;

  const server = {
    /** Everything the client sent, oldest first. */
    emitted,
    sent: (event: keyof ClientToServerEvents) => emitted.filter((e) => e.event === event).map((e) => e.args[0]),
    /** Requests waiting for their ack. */
    waiting: (event: keyof ClientToServerEvents) => acks.filter((a) => a.event === event).map((a) => a.req),
    /** Answers the oldest unanswered `event`. */
    answer(event: keyof ClientToServerEvents, res: unknown) {
      const i = acks.findIndex((a) => a.event === event);
      if (i < 0) throw new Error(`no ${event} waits for an answer`);
      const [pending] = acks.splice(i, 1);
      pending!.answer(null, res);
    },
    push<E extends keyof SessionEvents>(event: E, ...args: Parameters<SessionEvents[E]>) {
      fire(event, ...args);
    },
    connect() {
      connected = true;
      fire("connect");
    },
    disconnect() {
      connected = false;
      for (const pending of acks.splice(0)) pending.answer(new Error("disconnected"));
      fire("disconnect");
    },
  };
  return { client, server };
}

/** Storage in memory, as localStorage behaves. */
export class MemoryStorage implements Storage {
  private readonly items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  key = (i: number) => [...this.items.keys()][i] ?? null;
  getItem = (key: string) => this.items.get(key) ?? null;
  setItem = (key: string, value: string) => void this.items.set(key, String(value));
  removeItem = (key: string) => void this.items.delete(key);
  clear = () => this.items.clear();
}
