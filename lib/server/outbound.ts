import type { Socket as NetSocket } from "node:net";
import type { Logger } from "./log";
import type { Metrics } from "./metrics";
import type { ScribbleServer, ScribbleSocket } from "./rooms";

/** An engine.io connection: one transport at a time (long-polling, then perhaps a WebSocket). */
type Conn = ScribbleSocket["conn"];
type Transport = Conn["transport"];

/** The `ws` socket under engine.io's WebSocket transport, which engine.io does not type. */
interface WsSocket {
  /** Bytes of messages written to the socket that the kernel has not taken whole yet. */
  readonly bufferedAmount: number;
  terminate(): void;
}

/**
 * A sender waits for the queue to fall to this before it adds more: small, so that a connection
 * holds about one large message at a time beyond what its kernel buffers took.
 */
export const DRAIN_BELOW_BYTES = 64 * 1024;

export interface OutboundLimits {
  /** Bytes one connection may have queued; past this it is closed. */
  maxBytes: number;
  /** Bytes all connections together may have queued; past this a connection that is not reading is closed. */
  totalMaxBytes: number;
  /** How long a connection may have something queued and take no message of it before it is closed. */
  stallMs: number;
}

/**
 * Back-pressure on what the server sends. engine.io queues every packet for a connection until its
 * transport takes it, however long that is, so a client that answers the heartbeat but never reads
 * (a paused WebSocket, a long-polling session that stopped polling) would make the server hold
 * everything sent to it. This measures each connection's queue, lets a sender wait for it to
 * drain (`drained`), and closes a connection whose queue passes `maxBytes` or that took no message
 * of it for `stallMs`. Many connections each under `maxBytes` could still hold more than the process
 * has, so it keeps the total of all queues under `totalMaxBytes` too. Per packet it costs one
 * listener call and a few additions.
 */
export class Outbound {
  private readonly queues = new Set<Queue>();
  /** What all queues held as each was last counted: kept as packets are made and sent, recounted by each sweep. */
  private total = 0;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    io: ScribbleServer,
    private readonly limits: OutboundLimits,
    private readonly log: Logger,
    private readonly metrics: Metrics,
  ) {
    io.engine.on("connection", (conn: Conn) => this.watch(conn));
    // A few sweeps per stall period, so that a stall is caught within about a quarter of it late.
    const sweepMs = Math.min(1_000, Math.max(10, Math.floor(limits.stallMs / 4)));
    this.sweeper = setInterval(() => this.sweep(), sweepMs);
    this.sweeper.unref();
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private watch(conn: Conn): void {
    const queue = new Queue(conn, this.limits.maxBytes, {
      full: (reason) => this.cut(queue, reason),
      counted: (change) => (this.total += change),
      added: (held) => this.added(queue, held),
    });
    this.queues.add(queue);
    byConn.set(conn, queue);
    conn.once("close", () => {
      this.queues.delete(queue);
      this.total -= queue.uncount();
      queue.closed();
    });
  }

  /** After a packet was made for `queue`, which held `held` bytes before it. */
  private added(queue: Queue, held: number): void {
    if (this.total <= this.limits.totalMaxBytes) return;
    // A connection that keeps up has taken what it was sent before it is sent more.
    if (held > DRAIN_BELOW_BYTES) this.cut(queue, TOTAL_OVER);
    this.shed(queue);
  }

  /** While the total is over its limit, closes the connection (besides `spared`) with the largest queue, if it is not keeping up. */
  private shed(spared?: Queue): void {
    while (this.total > this.limits.totalMaxBytes) {
      let largest: Queue | undefined;
      let most = DRAIN_BELOW_BYTES;
      for (const queue of this.queues) {
        const bytes = queue === spared || queue.cutting ? 0 : queue.bytes();
        if (bytes > most) [largest, most] = [queue, bytes];
      }
      if (!largest) return;
      this.cut(largest, TOTAL_OVER);
    }
  }

  /** Stalls, and bytes that bypass engine.io's queue (the `ws` library's own pongs). */
  private sweep(): void {
    const now = Date.now();
    for (const queue of this.queues) {
      const bytes = queue.bytes();
      this.total += queue.recount(bytes);
      if (bytes > this.limits.maxBytes) this.cut(queue, "queue over the limit");
      else if (queue.stalledFor(now) >= this.limits.stallMs) this.cut(queue, "took nothing queued for it");
      else queue.notify();
    }
    this.shed();
  }

  private cut(queue: Queue, reason: string): void {
    if (queue.cutting) return;
    queue.cutting = true;
    // Its queue goes with it: what others add is measured against what remains.
    this.total -= queue.uncount();
    const { conn } = queue;
    this.metrics.count("slowReadersClosed");
    this.log.warn("connection closed: not reading", { reason, transport: conn.transport.name, queuedBytes: queue.bytes(), address: conn.remoteAddress });
    // After the current send (a broadcast loop, a join chunk) has returned, not in the middle of it.
    process.nextTick(() => {
      // No close handshake: a client that does not read would never see it, and its unsent bytes
      // would stay until ws's close timeout. Then engine.io drops its queue and Socket.IO disconnects.
      wsOf(conn.transport)?.terminate();
      conn.close(true);
    });
  }
}

const TOTAL_OVER = "server's total queue over the limit";

const byConn = new WeakMap<Conn, Queue>();

/** What a queue tells its owner. */
interface QueueEvents {
  /** Its queue passed the per-connection limit. */
  full(reason: string): void;
  /** Its share of the total changed by `change` bytes. */
  counted(change: number): void;
  /** A packet was made for it, and counted; it held `held` bytes before. */
  added(held: number): void;
}

/**
 * Resolves true once the connection's queue is at most DRAIN_BELOW_BYTES (at once if it is), false
 * if the connection closes first. A connection that is not watched never waits.
 */
export function drained(conn: Conn): Promise<boolean> {
  return byConn.get(conn)?.drained() ?? Promise.resolve(true);
}

/** What one connection has queued, and whether it takes any of it. */
class Queue {
  cutting = false;
  /**
   * Characters (about bytes: the packets are JSON text) of the packets engine.io holds until the
   * transport is writable again: after a WebSocket write completes, or when a long poll comes.
   * Zero when watching starts: the handshake's packets are flushed before engine.io announces it.
   */
  private pending = 0;
  /** Its bytes as last counted into the process-wide total (none once it is being cut). */
  private counted = 0;
  /** Whether the transport took anything since the last sweep, and what the socket held then. */
  private took = false;
  private lastBuffered = 0;
  private stalledSince: number | undefined;
  private readonly waiters = new Set<(drained: boolean) => void>();
  private transport: Transport;
  /**
   * The sockets of long polls answered whose answer Node still holds, unsent: a poll ends (and
   * drains) once its answer is written, read or not, so a client that polls on a fresh connection
   * each time and never reads would otherwise look like one that takes everything.
   */
  private readonly unread = new Set<NetSocket>();
  private readonly onDrain = () => {
    if (this.unreadBytes() === 0) this.took = true;
    this.events.counted(this.recount());
    this.notify();
  };

  constructor(
    readonly conn: Conn,
    maxBytes: number,
    private readonly events: QueueEvents,
  ) {
    this.transport = conn.transport;
    this.transport.on("drain", this.onDrain);
    conn.on("packetCreate", (packet: { data?: string | Buffer }) => {
      if (this.cutting) return;
      const size = packet.data?.length ?? 0;
      this.pending += size;
      const bytes = this.bytes();
      if (bytes > maxBytes) {
        events.full("queue over the limit");
        return;
      }
      events.counted(this.recount(bytes));
      events.added(bytes - size);
    });
    // The whole queue goes to the transport at once: for a long poll, as the answer to its request.
    conn.on("flush", () => {
      this.pending = 0;
      const poll = pollSocketOf(this.transport);
      if (poll) this.unread.add(poll);
    });
    // Emitted once the transport was given the queue: it is now in the WebSocket's buffer, or a poll's answer.
    conn.on("drain", () => events.counted(this.recount()));
    conn.on("upgrade", (transport: Transport) => {
      this.transport.off("drain", this.onDrain);
      this.transport = transport;
      transport.on("drain", this.onDrain);
      this.onDrain();
    });
  }

  /** Queued in engine.io, and written to a WebSocket or long poll but not yet taken whole by the kernel. */
  bytes(): number {
    return this.pending + (wsOf(this.transport)?.bufferedAmount ?? 0) + this.unreadBytes();
  }

  /** Counts the queue again as holding `bytes`; returns by how much its share of the total changed. */
  recount(bytes = this.bytes()): number {
    if (this.cutting) return 0;
    const change = bytes - this.counted;
    this.counted = bytes;
    return change;
  }

  /** Takes the queue out of the total; returns what it had counted there. */
  uncount(): number {
    const counted = this.counted;
    this.counted = 0;
    return counted;
  }

  private unreadBytes(): number {
    let bytes = 0;
    for (const socket of this.unread) {
      if (socket.destroyed || socket.writableLength === 0) this.unread.delete(socket);
      else bytes += socket.writableLength;
    }
    return bytes;
  }

  /**
   * How long the connection has had something queued and completed no message of it, as of this
   * sweep. A WebSocket completes messages without a `drain` while it works through a batch: its
   * socket's buffer shrinks by each one written (a message counts whole until then).
   */
  stalledFor(now: number): number {
    const buffered = wsOf(this.transport)?.bufferedAmount ?? 0;
    const progressed = this.took || buffered < this.lastBuffered || this.bytes() === 0;
    this.took = false;
    this.lastBuffered = buffered;
    this.stalledSince = progressed ? undefined : (this.stalledSince ?? now);
    return this.stalledSince === undefined ? 0 : now - this.stalledSince;
  }

  drained(): Promise<boolean> {
    if (this.bytes() <= DRAIN_BELOW_BYTES) return Promise.resolve(true);
    return new Promise((resolve) => this.waiters.add(resolve));
  }

  notify(): void {
    if (this.waiters.size === 0 || this.bytes() > DRAIN_BELOW_BYTES) return;
    for (const resolve of this.waiters) resolve(true);
    this.waiters.clear();
  }

  closed(): void {
    this.transport.off("drain", this.onDrain);
    // What was answered to polls nobody read goes with the connection.
    for (const socket of this.unread) socket.destroy();
    this.unread.clear();
    for (const resolve of this.waiters) resolve(false);
    this.waiters.clear();
  }
}

/** The connection a long poll waits on, while one does (the transport is writable only then). */
function pollSocketOf(transport: Transport): NetSocket | undefined {
  return transport.name === "polling" ? (transport as unknown as { res?: { socket?: NetSocket | null } }).res?.socket ?? undefined : undefined;
}

function wsOf(transport: Transport): WsSocket | undefined {
  return transport.name === "websocket" ? (transport as unknown as { socket: WsSocket }).socket : undefined;
}
