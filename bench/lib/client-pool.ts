import { startChild, type Child } from "./child";
import type { BotIdentity, BotPlan, BotsReport, OpenTiming, SeedResult, WorkerApi, WorkerReady, WorkerWindow } from "./contracts";
import { processWindow, type ProcessWindow } from "./process-sample";
import { Histogram, sum } from "./stats";

export interface PoolWindow {
  /** One per client process. */
  processes: (ProcessWindow & { loopDelayP99Ms: number })[];
  /** Counters summed over the processes. */
  counters: Record<string, number>;
  /** Histograms merged over the processes. */
  histograms: Record<string, Histogram>;
  /** The longest process window: rates are per this (they differ by IPC jitter, a few ms). */
  elapsedMs: number;
}

export interface ClientPool {
  size: number;
  pids: number[];
  join(url: string, boardId: string, bots: BotIdentity[]): Promise<{ joinMs: number[] }>;
  /** Every joined bot moves to `boardId` on its connection. */
  rejoin(boardId: string): Promise<{ joinMs: number[] }>;
  start(behaviour: string, options: Record<string, number>): Promise<void>;
  stopBehaviours(): Promise<void>;
  /** These run on the first client process only. */
  seed(params: WorkerApi["seed"]["params"]): Promise<SeedResult>;
  open(url: string, boardId: string, times: number): Promise<OpenTiming[]>;
  startBots(plan: BotPlan): Promise<void>;
  botsReport(): Promise<BotsReport>;
  measureStart(): Promise<void>;
  measureStop(): Promise<PoolWindow>;
  stop(): Promise<void>;
}

/** Starts `size` client processes; bots are dealt out round-robin. */
export async function startClientPool(size: number, opts: { maxLifetimeMs?: number } = {}): Promise<ClientPool> {
  const started = await Promise.allSettled(
    Array.from({ length: size }, (_, i) =>
      startChild<WorkerApi, WorkerReady>({ script: "bench/processes/client-worker.ts", name: `clients-${i + 1}`, maxLifetimeMs: opts.maxLifetimeMs }),
    ),
  );
  const workers = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) {
    await Promise.all(workers.map((w) => w.stop()));
    throw failed.reason;
  }
  const all = <T>(fn: (w: Child<WorkerApi, WorkerReady>) => Promise<T>) => Promise.all(workers.map(fn));

  return {
    size,
    pids: workers.map((w) => w.pid),
    async join(url, boardId, bots) {
      const shares = workers.map((_, i) => bots.filter((_, b) => b % size === i));
      const results = await Promise.all(workers.map((w, i) => w.rpc.call("join", { url, boardId, bots: shares[i]! }, 60_000)));
      return { joinMs: results.flatMap((r) => r.joinMs) };
    },
    async rejoin(boardId) {
      const results = await all((w) => w.rpc.call("rejoin", { boardId }, 60_000));
      return { joinMs: results.flatMap((r) => r.joinMs) };
    },
    async start(behaviour, options) {
      await all((w) => w.rpc.call("start", { behaviour, options }));
    },
    async stopBehaviours() {
      await all((w) => w.rpc.call("stopBehaviours", null));
    },
    seed: (params) => workers[0]!.rpc.call("seed", params, 60_000),
    open: (url, boardId, times) => workers[0]!.rpc.call("open", { url, boardId, times }, 60_000),
    startBots: async (plan) => {
      await workers[0]!.rpc.call("startBots", plan);
    },
    botsReport: () => workers[0]!.rpc.call("botsReport", null),
    async measureStart() {
      await all((w) => w.rpc.call("measureStart", null));
    },
    async measureStop() {
      return combine(await all((w) => w.rpc.call("measureStop", null)));
    },
    async stop() {
      // Disconnect the sockets first so the server sees clean leaves, then end the processes.
      await all((w) => w.rpc.call("stop", null, 5_000).catch(() => null));
      await all((w) => w.stop());
    },
  };
}

function combine(windows: WorkerWindow[]): PoolWindow {
  const processes = windows.map((w) => ({ ...processWindow(w.processStart, w.process), loopDelayP99Ms: w.loopDelayP99Ms }));
  const counterNames = new Set(windows.flatMap((w) => Object.keys(w.counters)));
  const histogramNames = new Set(windows.flatMap((w) => Object.keys(w.histograms)));
  return {
    processes,
    counters: Object.fromEntries([...counterNames].map((n) => [n, sum(windows.map((w) => w.counters[n] ?? 0))])),
    histograms: Object.fromEntries(
      [...histogramNames].map((n) => [n, Histogram.from(windows.flatMap((w) => (w.histograms[n] ? [w.histograms[n]] : [])))]),
    ),
    elapsedMs: Math.max(0, ...processes.map((p) => p.elapsedMs)),
  };
}
