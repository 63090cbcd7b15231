import type { Server } from "socket.io";
import type { ServerApi, ServerReady } from "./contracts";
import { LoopDelay, sampleProcess } from "./process-sample";
import { serve } from "./rpc";

/** What a bench server counts about its own traffic (both the real one and the relay). */
interface TrafficCounts {
  emitsAttempted: number;
  messagesSent: number;
  bytesSent: number;
  messagesReceived: number;
}

/**
 * Counts, on a Socket.IO server, emits as Socket.IO hands them to a connection (per receiver,
 * broadcasts included) and packets where Engine.IO creates them: after Socket.IO has dropped the
 * volatile ones it could not write at once. The difference is what volatile dropped.
 */
function instrument(io: Server): TrafficCounts {
  const counts: TrafficCounts = { emitsAttempted: 0, messagesSent: 0, bytesSent: 0, messagesReceived: 0 };
  countEmits(io, () => {
    counts.emitsAttempted += 1;
  });
  io.engine.on("connection", (conn: EngineSocket) => {
    conn.on("packetCreate", (packet: EnginePacket) => {
      if (packet.type !== "message") return;
      counts.messagesSent += 1;
      counts.bytesSent += typeof packet.data === "string" ? packet.data.length : (packet.data?.byteLength ?? 0);
    });
    conn.on("packet", (packet: EnginePacket) => {
      if (packet.type === "message") counts.messagesReceived += 1;
    });
  });
  return counts;
}

/**
 * Client#writeToEngine is where Socket.IO writes a packet to one connection, or drops it when it
 * is volatile and the connection busy; the adapter's broadcasts go through it too. Hooked on the
 * prototype once, at one function call per packet: `onAnyOutgoing` would copy its listener array
 * for every receiver of every broadcast, skewing the relay figures it is meant to measure.
 */
function countEmits(io: Server, onEmit: () => void): void {
  io.once("connection", (socket) => {
    const proto = Object.getPrototypeOf(socket.client) as { writeToEngine?: (...args: unknown[]) => unknown; __benchCounted?: boolean };
    if (proto.__benchCounted) return;
    const original = proto.writeToEngine;
    if (typeof original !== "function") throw new Error("socket.io Client#writeToEngine is gone: update bench/lib/server-instrument.ts");
    proto.__benchCounted = true;
    proto.writeToEngine = function (this: unknown, ...args: unknown[]) {
      onEmit();
      return original.apply(this, args);
    };
  });
}

interface EnginePacket {
  type: string;
  data?: string | { byteLength: number };
}
interface EngineSocket {
  on(event: "packetCreate" | "packet", listener: (packet: EnginePacket) => void): void;
}

/** process.memoryUsage() after a full collection when `global.gc` is there (node --expose-gc). */
function collectedMemory(connections: number) {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    // Twice: the first pass can leave garbage that only the second finds (weak refs, finalizers).
    gc();
    gc();
  }
  const m = process.memoryUsage();
  return {
    rssBytes: m.rss,
    heapUsedBytes: m.heapUsed,
    heapTotalBytes: m.heapTotal,
    externalBytes: m.external,
    collected: gc !== undefined,
    connections,
  };
}

/**
 * A bench server's side of ServerApi (the real one and the relay alike): counts its traffic and
 * answers `counters`, `memory` and `close` once its parent asks. Does nothing when run by hand.
 */
export function serveServerApi(io: Server, opts: { ready: ServerReady; metrics: () => Record<string, number>; close: () => Promise<void> }): void {
  if (!process.send) return;
  const counts = instrument(io);
  const loopDelay = new LoopDelay();
  serve<ServerApi, ServerReady>(
    {
      counters: () => {
        const loopDelayP99Ms = loopDelay.p99Ms();
        loopDelay.reset();
        return { process: sampleProcess(), ...counts, connections: io.engine.clientsCount, loopDelayP99Ms, metrics: opts.metrics() };
      },
      memory: () => collectedMemory(io.engine.clientsCount),
      close: async () => {
        await opts.close();
        return null;
      },
    },
    opts.ready,
  );
}
