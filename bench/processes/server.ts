/**
 * The server under test, alone in its process so that its CPU is its own: the socket server
 * (lib/server/start-server.ts, no Next: socket cases do not need pages). Configured from the
 * environment like server.ts (CURSOR_MODE, CURSOR_TICK_MS, STORAGE, DATA_DIR, ...), on 127.0.0.1
 * and a free port. The store is the memory one unless STORAGE=sqlite (bench/lib/server-process.ts
 * then gives it a temporary DATA_DIR, and raises the per-connection limits out of the bench's way).
 *
 * Started by bench/lib/server-process.ts, it answers `counters`, `memory` and `close` over IPC. Run
 * by hand (`LOG_LEVEL=info npx tsx bench/processes/server.ts`) it just serves, e.g. to attach a profiler.
 */
import { loadConfig } from "../../lib/server/config";
import { createLogger } from "../../lib/server/log";
import { startServer } from "../../lib/server/start-server";
import type { ServerApi, ServerReady } from "../lib/contracts";
import { LoopDelay, sampleProcess } from "../lib/process-sample";
import { serve } from "../lib/rpc";
import { collectedMemory, instrument } from "../lib/server-instrument";

const config = loadConfig(
  {
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "silent",
    // In memory unless asked: a socket case measures delivery, and must not leave files behind.
    STORAGE: "memory",
    ...process.env,
  },
  [],
);
const server = startServer({ config, log: createLogger(config.logLevel) });
const { io, metrics } = server.sockets;
const counts = instrument(io);

const url = await server.listen();
const port = Number(new URL(url).port);
console.log(`bench server on ${url} (${server.store.kind} store, cursors: ${config.cursorMode}, tick ${config.cursorTickMs} ms)`);

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
        await server.close();
        return null;
      },
    },
    { url, port, kind: "scribble", store: server.store.kind, cursorMode: config.cursorMode, cursorTickMs: config.cursorTickMs },
  );
}
