/**
 * The server under test, alone in its process so that its CPU is its own: a bare HTTP server with
 * the real Socket.IO server on it (no Next: socket cases do not need pages). Configured from the
 * environment like server.ts (CURSOR_MODE, CURSOR_TICK_MS, STORAGE, DATA_DIR, ...), on 127.0.0.1
 * and a free port. The store is the memory one unless STORAGE=sqlite (bench/lib/server-process.ts
 * then gives it a temporary DATA_DIR).
 *
 * Forked by bench/lib/server-process.ts, it answers `counters`, `memory` and `close` over IPC. Run
 * by hand (`LOG_LEVEL=info npx tsx bench/server.ts`) it just serves, e.g. to attach a profiler.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { loadConfig } from "../lib/server/config";
import { createLogger } from "../lib/server/log";
import { createSocketServer } from "../lib/server/socket-server";
import { createBoardStore } from "../lib/server/storage";
import type { ServerApi, ServerReady } from "./lib/contracts";
import { LoopDelay, sampleProcess } from "./lib/process-sample";
import { serve } from "./lib/rpc";
import { collectedMemory, instrument } from "./lib/server-instrument";

const config = loadConfig(
  {
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    // In memory unless asked: a socket case measures delivery, and must not leave files behind.
    STORAGE: "memory",
    // Every bot connects from 127.0.0.1, and a bench client sends as fast as it is told: the
    // per-address and per-connection limits protect a real server, not this one.
    MAX_CONNECTIONS_PER_IP: "1000000",
    OPS_PER_SECOND: "100000",
    INBOUND_BYTES_PER_SECOND: "1000000000",
    WRITE_BYTES_PER_SECOND: "1000000000",
    WRITE_BYTES_BURST: "1000000000",
    JOINS_PER_MINUTE: "100000",
    ...process.env,
  },
  [],
);
const httpServer = createServer((_req, res) => {
  res.statusCode = 404;
  res.end();
});
const store = createBoardStore(config);
const sockets = createSocketServer(httpServer, config, createLogger(config.logLevel), store);
const { io, metrics } = sockets;
const counts = instrument(io);

await new Promise<void>((resolve) => httpServer.listen(config.port, config.host, resolve));
const port = (httpServer.address() as AddressInfo).port;
const url = `http://${config.host}:${port}`;
console.log(`bench server on ${url} (${store.kind} store, cursors: ${config.cursorMode}, tick ${config.cursorTickMs} ms)`);

if (process.send) {
  const loopDelay = new LoopDelay();
  serve<ServerApi, ServerReady>(
    {
      counters: () => {
        const loopDelayP99Ms = loopDelay.p99Ms();
        loopDelay.reset();
        return { process: sampleProcess(), ...counts, connections: io.engine.clientsCount, loopDelayP99Ms, metrics: { ...metrics.counters } };
      },
      memory: () => collectedMemory(io.engine.clientsCount),
      close: async () => {
        await sockets.close();
        await store.close();
        return null;
      },
    },
    { url, port, kind: "scribble", store: store.kind, cursorMode: config.cursorMode, cursorTickMs: config.cursorTickMs },
  );
}
