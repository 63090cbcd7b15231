/**
 * The server under test, alone in its process so that its CPU is its own: a bare HTTP server with
 * the real Socket.IO server on it (no Next: socket cases do not need pages). Configured from the
 * environment like server.ts (CURSOR_MODE, CURSOR_TICK_MS, ...), on 127.0.0.1 and a free port.
 *
 * Forked by bench/lib/server-process.ts, it answers `counters` over IPC. Run by hand
 * (`LOG_LEVEL=info npx tsx bench/server.ts`) it just serves, e.g. to attach a profiler.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadConfig } from "../lib/server/config";
import { createLogger } from "../lib/server/log";
import { createSocketServer } from "../lib/server/socket-server";
import { MemoryStore } from "../lib/server/storage/memory-store";
import type { ServerApi, ServerReady } from "./lib/contracts";
import { LoopDelay, sampleProcess } from "./lib/process-sample";
import { serve } from "./lib/rpc";

const config = loadConfig(
  {
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    // Every bot connects from 127.0.0.1: the per-address cap protects a real server, not this one.
    MAX_CONNECTIONS_PER_IP: "1000000",
    ...process.env,
  },
  [],
);
const httpServer = createServer((_req, res) => {
  res.statusCode = 404;
  res.end();
});
// In memory: a socket case measures delivery, and must not leave files behind.
const { io, metrics } = createSocketServer(httpServer, config, createLogger(config.logLevel), new MemoryStore());

// Emits are counted as Socket.IO hands them to a connection (per receiver, broadcasts included),
// packets where Engine.IO creates them: after Socket.IO has dropped the volatile ones it could not
// write at once. The difference is what volatile dropped.
const counts = { emitsAttempted: 0, messagesSent: 0, bytesSent: 0, messagesReceived: 0 };
countEmits(() => {
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

/**
 * Client#writeToEngine is where Socket.IO writes a packet to one connection, or drops it when it
 * is volatile and the connection busy; the adapter's broadcasts go through it too. Hooked on the
 * prototype once, at one function call per packet: `onAnyOutgoing` would copy its listener array
 * for every receiver of every broadcast, skewing the relay figures it is meant to measure.
 */
function countEmits(onEmit: () => void): void {
  io.once("connection", (socket) => {
    const proto = Object.getPrototypeOf(socket.client) as { writeToEngine?: (...args: unknown[]) => unknown };
    const original = proto.writeToEngine;
    if (typeof original !== "function") throw new Error("socket.io Client#writeToEngine is gone: update bench/server.ts");
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

await new Promise<void>((resolve) => httpServer.listen(config.port, config.host, resolve));
const port = (httpServer.address() as AddressInfo).port;
const url = `http://${config.host}:${port}`;
console.log(`bench server on ${url} (cursors: ${config.cursorMode}, tick ${config.cursorTickMs} ms)`);

if (process.send) {
  const loopDelay = new LoopDelay();
  serve<ServerApi, ServerReady>(
    {
      counters: () => {
        const loopDelayP99Ms = loopDelay.p99Ms();
        loopDelay.reset();
        return { process: sampleProcess(), ...counts, connections: io.engine.clientsCount, loopDelayP99Ms, metrics: { ...metrics.counters } };
      },
    },
    { url, port, cursorMode: config.cursorMode, cursorTickMs: config.cursorTickMs },
  );
}
