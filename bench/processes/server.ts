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
import { serveServerApi } from "../lib/server-instrument";

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
const { io } = server.sockets;

const url = await server.listen();
const port = Number(new URL(url).port);
console.log(`bench server on ${url} (${server.store.kind} store, cursors: ${config.cursorMode}, tick ${config.cursorTickMs} ms)`);

serveServerApi(io, {
  ready: { url, port, kind: "scribble", store: server.store.kind, cursorMode: config.cursorMode, cursorTickMs: config.cursorTickMs },
  metrics: () => ({ ...server.sockets.metrics.counters }),
  close: () => server.close(),
});
