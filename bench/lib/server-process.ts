import type { CursorMode } from "../../lib/server/config";
import { startChild, type Child } from "./child";
import type { ServerApi, ServerCounters, ServerReady } from "./contracts";
import { processWindow, type ProcessWindow } from "./process-sample";
import { perSecond } from "./stats";

export interface ServerOptions {
  cursorMode?: CursorMode;
  cursorTickMs?: number;
  /** Any other variable loadConfig reads. */
  env?: Record<string, string>;
  maxLifetimeMs?: number;
  /** Write a V8 CPU profile of the server into this directory when it exits. */
  profileDir?: string;
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
  info: ServerReady;
  counters(): Promise<ServerCounters>;
  stop(): Promise<void>;
}

/** Starts bench/server.ts in its own process. */
export async function startBenchServer(opts: ServerOptions = {}): Promise<BenchServer> {
  // BENCH_LOG_LEVEL=warn shows what the server under test refuses or fails at (on stderr).
  const env: Record<string, string> = { LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "silent", PORT: "0", HOST: "127.0.0.1", ...opts.env };
  if (opts.cursorMode) env.CURSOR_MODE = opts.cursorMode;
  if (opts.cursorTickMs !== undefined) env.CURSOR_TICK_MS = String(opts.cursorTickMs);
  const child: Child<ServerApi, ServerReady> = await startChild({
    script: "bench/server.ts",
    name: "server",
    env,
    maxLifetimeMs: opts.maxLifetimeMs,
    nodeArgs: opts.profileDir ? ["--cpu-prof", `--cpu-prof-dir=${opts.profileDir}`] : [],
  });
  return {
    url: child.ready.url,
    info: child.ready,
    // Generous: an overloaded server (relay with many clients) answers seconds late, and that
    // cell should report its figures, not fail.
    counters: () => child.rpc.call("counters", null, 20_000),
    stop: () => child.stop(),
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
