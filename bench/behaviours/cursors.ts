import type { CursorUpdate } from "../../lib/protocol";
import { latencyOf, nowMs, stampPosition } from "../lib/wall-clock";
import type { Meter } from "../lib/meter";
import { Mover } from "./schedule";
import type { Behaviour, StartBehaviour } from "./types";

/** Counter and histogram names this behaviour reports (the cursor case reads them). */
export const CURSOR_METRICS = {
  /** `cursor` emits the bots attempted. */
  attempted: "cursor.attempted",
  /** Of those, the ones Engine.IO created a packet for (the rest were volatile drops). */
  sent: "cursor.sent",
  /** `cursors` messages received. */
  messages: "cursors.messages",
  /** Positions in those messages: the updates delivered. */
  updates: "cursors.updates",
  /** Positions of the receiver's own cursor: the protocol says there are none. */
  own: "cursors.own",
  latency: "cursors.latencyMs",
} as const;

/**
 * Every bot moves its cursor at `hz` (default 30) with a volatile `cursor`, the way the browser's
 * CursorSender does, each position stamped with its send time; every bot times each position it
 * receives. Bots start at random phases, as real people do not move in step.
 */
export const startCursors: StartBehaviour = (bots, options, meter) => {
  const periodMs = 1000 / (options.hz ?? 30);
  const attempted = meter.counter(CURSOR_METRICS.attempted);
  const sent = meter.counter(CURSOR_METRICS.sent);
  const messages = meter.counter(CURSOR_METRICS.messages);
  const updates = meter.counter(CURSOR_METRICS.updates);
  const own = meter.counter(CURSOR_METRICS.own);
  const latency = meter.histogram(CURSOR_METRICS.latency);

  const receiver = (userId: string) => (batch: CursorUpdate[]) => {
    const at = nowMs();
    messages.n += 1;
    for (const u of batch) {
      if ("hidden" in u) continue;
      if (u.id === userId) {
        own.n += 1;
        continue;
      }
      updates.n += 1;
      latency.record(latencyOf(u, at));
    }
  };
  const onPacket = (packet: { type: string }) => {
    if (packet.type === "message") sent.n += 1;
  };

  const listeners = bots.map(({ socket, userId }) => {
    const onCursors = receiver(userId);
    socket.on("cursors", onCursors);
    socket.io.engine.on("packetCreate", onPacket);
    return { socket, onCursors };
  });
  const movers = bots.map(
    ({ socket }) =>
      new Mover(periodMs, () => {
        attempted.n += 1;
        socket.volatile.emit("cursor", stampPosition());
      }),
  );

  return {
    stop() {
      for (const m of movers) m.stop();
      for (const { socket, onCursors } of listeners) {
        socket.off("cursors", onCursors);
        socket.io.engine.off("packetCreate", onPacket);
      }
    },
  } satisfies Behaviour;
};
