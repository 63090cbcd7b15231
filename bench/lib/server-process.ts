import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CursorMode } from "../../lib/server/config";
import { startChild, type Child } from "./child";
import type { ServerApi, ServerCounters, ServerKind, ServerMemory, ServerReady } from "./contracts";
import { processWindow, type ProcessWindow } from "./process-sample";
import { perSecond } from "./stats";
import { UNLIMITED_ENV } from "./unlimited-env";

export type StoreKind = "memory" | "sqlite";

export interface ServerOptions {
  /** `scribble` (default): bench/processes/server.ts; `relay`: bench/processes/baseline-relay.ts. */
  kind?: ServerKind;
  /** The real server's board store (default memory). */
  store?: StoreKind;
  /** For sqlite: the directory of its file; default a fresh temporary one, removed at `stop`. */
  dataDir?: string;
  cursorMode?: CursorMode;
  cursorTickMs?: number;
  /** Keep the server's own per-connection and per-address limits (the soak's people keep to them) rather than UNLIMITED_ENV. */
  realLimits?: boolean;
  /** Any other variable loadConfig reads. */
  env?: Record<string, string>;
  maxLifetimeMs?: number;
  /** Write a V8 CPU profile of the server into this directory when it exits. */
  profileDir?: string;
  /** Run with --expose-gc, so that `memory()` reports the heap after a full collection. */
  exposeGc?: boolean;
}

export interface ServerWindow extends ProcessWindow {
  emitsPerSec: number;
  /** Emits Socket.IO discarded because they were volatile and the connection was busy. */
  volatileDropShare: number;
  messagesSentPerSec: number;
  bytesSentPerSec: number;
  messagesReceivedPerSec: number;
  connections: number;
  loopDelayP99Ms: number;
  /** The server's own counters that moved during the window (lib/server/metrics.ts). */
  metrics: Record<string, number>;
}

export interface BenchServer {
  url: string;
  /** The server process's own pid (no wrapper: IPC children are not run under timeout). */
  pid: number;
  info: ServerReady;
  /** Where the SQLite file lives (sqlite store only): start another server on it to reopen. */
  dataDir?: string;
  /** What the server process printed lately (its log lines), for checks and error messages. */
  output(): string;
  counters(): Promise<ServerCounters>;
  memory(): Promise<ServerMemory>;
  /** Graceful: closes the sockets and the store (its writes finish), the process stays. */
  close(): Promise<void>;
  stop(): Promise<void>;
  /** SIGKILL, as a crash: no close, no goodbye to its clients or its store. */
  kill(): Promise<void>;
}

/** Starts bench/processes/server.ts (or the baseline relay) in its own process. */
export async function startBenchServer(opts: ServerOptions = {}): Promise<BenchServer> {
  const kind = opts.kind ?? "scribble";
  const store = opts.store ?? "memory";
  const ownDir = kind === "scribble" && store === "sqlite" && !opts.dataDir ? mkdtempSync(join(tmpdir(), "scribble-bench-")) : undefined;
  const dataDir = opts.dataDir ?? ownDir;
  // BENCH_LOG_LEVEL=warn shows what the server under test refuses or fails at (on stderr).
  const env: Record<string, string> = {
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "silent",
    PORT: "0",
    HOST: "127.0.0.1",
    ...(opts.realLimits ? {} : UNLIMITED_ENV),
    STORAGE: store,
    ...(dataDir ? { DATA_DIR: dataDir } : {}),
    ...opts.env,
  };
  if (opts.cursorMode) env.CURSOR_MODE = opts.cursorMode;
  if (opts.cursorTickMs !== undefined) env.CURSOR_TICK_MS = String(opts.cursorTickMs);
  const nodeArgs = [
    ...(opts.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${opts.profileDir}`] : []),
    ...(opts.exposeGc ? ["--expose-gc"] : []),
  ];
  const removeDir = () => {
    if (ownDir) rmSync(ownDir, { recursive: true, force: true });
  };
  let child: Child<ServerApi, ServerReady>;
  try {
    child = await startChild({
      script: kind === "relay" ? "bench/processes/baseline-relay.ts" : "bench/processes/server.ts",
      name: kind === "relay" ? "relay" : "server",
      env,
      maxLifetimeMs: opts.maxLifetimeMs,
      nodeArgs,
    });
  } catch (err) {
    removeDir();
    throw err;
  }
  return {
    url: child.ready.url,
    pid: child.pid,
    info: child.ready,
    dataDir,
    output: child.output,
    // Generous: an overloaded server (relay with many clients) answers seconds late, and that
    // cell should report its figures, not fail.
    counters: () => child.rpc.call("counters", null, 20_000),
    memory: () => child.rpc.call("memory", null, 20_000),
    close: async () => {
      await child.rpc.call("close", null, 20_000);
    },
    stop: async () => {
      await child.stop();
      removeDir();
    },
    kill: async () => {
      await child.kill();
    },
  };
}

export function serverWindow(from: ServerCounters, to: ServerCounters): ServerWindow {
  const window = processWindow(from.process, to.process);
  const emits = to.emitsAttempted - from.emitsAttempted;
  const sent = to.messagesSent - from.messagesSent;
  return {
    ...window,
    emitsPerSec: perSecond(emits, window.elapsedMs),
    volatileDropShare: emits > 0 ? Math.max(0, emits - sent) / emits : 0,
    messagesSentPerSec: perSecond(sent, window.elapsedMs),
    bytesSentPerSec: perSecond(to.bytesSent - from.bytesSent, window.elapsedMs),
    messagesReceivedPerSec: perSecond(to.messagesReceived - from.messagesReceived, window.elapsedMs),
    connections: to.connections,
    loopDelayP99Ms: to.loopDelayP99Ms,
    metrics: Object.fromEntries(
      Object.entries(to.metrics)
        .map(([name, n]): [string, number] => [name, n - (from.metrics[name] ?? 0)])
        .filter(([, n]) => n !== 0),
    ),
  };
}
