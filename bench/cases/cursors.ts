import { join } from "node:path";
import { io } from "socket.io-client";
import type { ClientSocket } from "../../lib/client/socket";
import { PROTOCOL_VERSION } from "../../lib/protocol";
import { CURSOR_MODES, type CursorMode } from "../../lib/server/config";
import { CURSOR_METRICS } from "../behaviours/cursors";
import { checkLoad, watchSurroundings, type LoadCheck } from "../lib/bottleneck";
import { startClientPool, type PoolWindow } from "../lib/client-pool";
import type { BotIdentity } from "../lib/contracts";
import * as fmt from "../lib/format";
import { measureQuietly } from "../lib/quiet";
import { runCell, sleep } from "../lib/scope";
import { serverWindow, startBenchServer, type ServerWindow } from "../lib/server-process";
import { perSecond } from "../lib/stats";
import type { Table } from "../lib/table";
import { stampPosition } from "../lib/wall-clock";
import type { BenchCase, CaseResult, RunOptions } from "./types";

/**
 * Live cursors: N bots on one board all move at 30 Hz; the server either coalesces (one batch per
 * tick per member) or relays (every move to every peer). Both modes run in the same process of
 * the same run, so their ratio is the figure to trust most. With the `owners` audience the board
 * has an owner (one more connection, moving too) who chose to show only owners' cursors: each
 * bot then gets the owner's alone, and only the owner gets everyone's.
 */

export const CURSOR_AUDIENCES = ["everyone", "owners"] as const;
type Audience = (typeof CURSOR_AUDIENCES)[number];

const BOARD_ID = "bench-cursors";
/** Bots per client process before a second one is started (up to the core count). */
const BOTS_PER_WORKER = 25;

type Params = {
  clients: number[];
  modes: CursorMode[];
  audiences: Audience[];
  hz: number;
  warmupMs: number;
  windowMs: number;
  workers: number | "auto";
};

interface Measured {
  tickMs: number;
  workers: number;
  server: ServerWindow;
  clientProcesses: PoolWindow["processes"];
  /** Per second, over all bots. */
  attemptedPerSec: number;
  sentPerSec: number;
  messagesReceivedPerSec: number;
  updatesPerSec: number;
  /** The receiver's own positions coming back: 0 unless the server breaks the protocol. */
  ownPerSec: number;
  /** Updates received / (updates sent × (N−1)): what share of all moves reached each peer. */
  deliveredShare: number;
  latencyMs: { p50?: number; p99?: number; max?: number; samples: number };
  joinMs: { p50?: number; max?: number };
  load: LoadCheck;
}

export type CursorCell = { clients: number; mode: CursorMode; audience: Audience } & ({ ok: true } & Measured | { ok: false; error: string });

function params(opts: RunOptions): Params {
  const modes = (opts.modes ?? [...CURSOR_MODES]).map((m) => {
    if (!(CURSOR_MODES as readonly string[]).includes(m)) throw new Error(`unknown cursor mode "${m}" (${CURSOR_MODES.join(", ")})`);
    return m as CursorMode;
  });
  const audiences = (opts.audiences ?? [...CURSOR_AUDIENCES]).map((a) => {
    if (!(CURSOR_AUDIENCES as readonly string[]).includes(a)) throw new Error(`unknown cursor audience "${a}" (${CURSOR_AUDIENCES.join(", ")})`);
    return a as Audience;
  });
  return {
    clients: opts.clients ?? (opts.quick ? [10, 50] : [10, 50, 200]),
    modes,
    audiences,
    hz: opts.hz ?? 30,
    warmupMs: opts.warmupMs ?? (opts.quick ? 1_000 : 2_000),
    windowMs: opts.windowMs ?? (opts.quick ? 3_000 : 6_000),
    workers: opts.workers ?? "auto",
  };
}

const workersFor = (n: number, p: Params, cores: number) =>
  p.workers === "auto" ? Math.min(cores, Math.ceil(n / BOTS_PER_WORKER)) : p.workers;

/**
 * The board's owner, in this process: claims the board, shows only owners' cursors, and moves
 * its own at the bots' pace. Returns what stops it.
 */
async function ownBoard(url: string, hz: number): Promise<{ stop(): Promise<void> }> {
  const socket: ClientSocket = io(url, { forceNew: true, reconnection: false, transports: ["websocket"] });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  const joined = await socket.emitWithAck("board:join", { protocol: PROTOCOL_VERSION, boardId: BOARD_ID, name: "owner", clientId: "bench-owner-client", ownerKey: "bench-owner-key-0000000" });
  if (!joined.ok || joined.self.role !== "owner") throw new Error("the bench owner could not claim the board");
  const set = await socket.emitWithAck("board:manage", { type: "settings", settings: { cursors: "owners" } });
  if (!set.ok) throw new Error(`the bench owner could not show only owners' cursors: ${set.error.message}`);
  const timer = setInterval(() => socket.volatile.emit("cursor", stampPosition()), 1000 / hz);
  return {
    async stop() {
      clearInterval(timer);
      socket.disconnect();
    },
  };
}

async function measure(n: number, mode: CursorMode, audience: Audience, p: Params, opts: RunOptions): Promise<CursorCell> {
  const workers = workersFor(n, p, opts.cores);
  const outcome = await runCell(opts.cellTimeoutMs, async (scope): Promise<Measured> => {
    const lifetime = { maxLifetimeMs: opts.cellTimeoutMs + 10_000 };
    const profileDir = opts.profileDir && join(opts.profileDir, `cursors-${n}-${mode}-${audience}`);
    const server = scope.add(await startBenchServer({ cursorMode: mode, profileDir, ...lifetime }));
    if (audience === "owners") scope.add(await ownBoard(server.url, p.hz));
    const pool = scope.add(await startClientPool(workers, lifetime));
    // The owner is one of the N people on the board.
    const bots: BotIdentity[] = Array.from({ length: audience === "owners" ? n - 1 : n }, (_, i) => ({ name: `bot-${i + 1}`, clientId: `bench-client-${i + 1}` }));
    const { joinMs } = await pool.join(server.url, BOARD_ID, bots);

    await pool.start("cursors", { hz: p.hz });
    await sleep(p.warmupMs);
    const [before] = await Promise.all([server.counters(), pool.measureStart()]);
    const surroundings = watchSurroundings(opts.cores);
    await sleep(p.windowMs);
    const [after, clients] = await Promise.all([server.counters(), pool.measureStop()]);
    const around = surroundings();

    const srv = serverWindow(before, after);
    const rate = (name: string) => perSecond(clients.counters[name] ?? 0, clients.elapsedMs);
    const sentPerSec = rate(CURSOR_METRICS.sent);
    const updatesPerSec = rate(CURSOR_METRICS.updates);
    const latency = clients.histograms[CURSOR_METRICS.latency];
    const joins = [...joinMs].sort((a, b) => a - b);
    return {
      tickMs: server.info.cursorTickMs,
      workers,
      server: srv,
      clientProcesses: clients.processes,
      attemptedPerSec: rate(CURSOR_METRICS.attempted),
      sentPerSec,
      messagesReceivedPerSec: rate(CURSOR_METRICS.messages),
      updatesPerSec,
      ownPerSec: rate(CURSOR_METRICS.own),
      deliveredShare: sentPerSec > 0 ? updatesPerSec / (sentPerSec * (n - 1)) : 0,
      latencyMs: { p50: latency?.percentile(50), p99: latency?.percentile(99), max: latency?.percentile(100), samples: latency?.count ?? 0 },
      joinMs: { p50: joins[Math.floor(joins.length / 2)], max: joins.at(-1) },
      load: checkLoad({ server: srv, clients, cores: opts.cores, surroundings: around, targetRate: n * p.hz, achievedRate: sentPerSec }),
    };
  });
  return outcome.ok ? { clients: n, mode, audience, ok: true, ...outcome.value } : { clients: n, mode, audience, ok: false, error: outcome.error };
}

function describe(c: CursorCell): string {
  if (!c.ok) return `cursors ${c.clients} ${c.mode} ${c.audience}: FAILED ${c.error}`;
  return (
    `cursors ${c.clients} ${c.mode} ${c.audience}: server ${fmt.percent(c.server.cpuPercent)} CPU, ${fmt.int(c.server.messagesSentPerSec)} msg/s, ` +
    `${fmt.int(c.updatesPerSec)} updates/s, p50 ${fmt.ms(c.latencyMs.p50)} ms, p99 ${fmt.ms(c.latencyMs.p99)} ms` +
    (c.load.tags.length ? ` [${c.load.tags.join(", ")}]` : "")
  );
}

function resultsTable(cells: CursorCell[], p: Params): Table {
  return {
    title: `Cursors: N clients on one board, each moving at ${p.hz} Hz (warm-up ${p.warmupMs / 1000} s, window ${p.windowMs / 1000} s)`,
    columns: [
      { header: "clients" },
      { header: "mode", align: "left" },
      { header: "audience", align: "left" },
      { header: "server CPU" },
      { header: "server lag p99 ms" },
      { header: "msgs out/s" },
      { header: "volatile drops" },
      { header: "MB out/s" },
      { header: "updates delivered/s" },
      { header: "delivered" },
      { header: "p50 ms" },
      { header: "p99 ms" },
      { header: "moves sent/s (target)" },
      { header: "client CPU max" },
      { header: "limits", align: "left" },
    ],
    rows: cells.map((c) =>
      c.ok
        ? [
            String(c.clients),
            c.mode,
            c.audience,
            fmt.percent(c.server.cpuPercent),
            fmt.ms(c.server.loopDelayP99Ms),
            fmt.int(c.server.messagesSentPerSec),
            fmt.percent(c.server.volatileDropShare * 100),
            fmt.megabytes(c.server.bytesSentPerSec),
            fmt.int(c.updatesPerSec),
            fmt.percent(c.deliveredShare * 100),
            fmt.ms(c.latencyMs.p50),
            fmt.ms(c.latencyMs.p99),
            `${fmt.int(c.sentPerSec)} (${fmt.int(c.clients * p.hz)})`,
            fmt.percent(Math.max(...c.clientProcesses.map((w) => w.cpuPercent))),
            c.load.tags.join(", ") || "ok",
          ]
        : [String(c.clients), c.mode, c.audience, ...Array<string>(11).fill("–"), `failed: ${c.error.split("\n")[0]}`],
    ),
  };
}

/** Coalesce over relay for each N measured in both modes: below 1 is what coalescing saves. */
function ratioTable(cells: CursorCell[], p: Params): Table | undefined {
  const pairs = p.clients.flatMap((n) => {
    const coalesce = cells.find((c) => c.clients === n && c.mode === "coalesce" && c.audience === "everyone");
    const relay = cells.find((c) => c.clients === n && c.mode === "relay" && c.audience === "everyone");
    return coalesce?.ok && relay?.ok ? [{ n, coalesce, relay }] : [];
  });
  if (pairs.length === 0) return undefined;
  const r = (a: number, b: number) => fmt.ratio(b > 0 ? a / b : undefined);
  return {
    title: "Coalesce ÷ relay, same N",
    columns: [{ header: "clients" }, { header: "msgs out" }, { header: "bytes out" }, { header: "server CPU" }, { header: "updates delivered" }],
    rows: pairs.map(({ n, coalesce: c, relay: x }) => [
      String(n),
      r(c.server.messagesSentPerSec, x.server.messagesSentPerSec),
      r(c.server.bytesSentPerSec, x.server.bytesSentPerSec),
      r(c.server.cpuPercent, x.server.cpuPercent),
      r(c.updatesPerSec, x.updatesPerSec),
    ]),
  };
}

/** Owners' cursors only ÷ everyone's, same N and mode: what a teacher's setting saves. */
function audienceTable(cells: CursorCell[], p: Params): Table | undefined {
  const pairs = p.clients.flatMap((n) =>
    p.modes.flatMap((mode) => {
      const everyone = cells.find((c) => c.clients === n && c.mode === mode && c.audience === "everyone");
      const owners = cells.find((c) => c.clients === n && c.mode === mode && c.audience === "owners");
      return everyone?.ok && owners?.ok ? [{ n, mode, everyone, owners }] : [];
    }),
  );
  if (pairs.length === 0) return undefined;
  const r = (a: number, b: number) => fmt.ratio(b > 0 ? a / b : undefined);
  return {
    title: "Owners' cursors only ÷ everyone's, same N and mode",
    columns: [{ header: "clients" }, { header: "mode", align: "left" }, { header: "msgs out" }, { header: "bytes out" }, { header: "server CPU" }, { header: "updates delivered" }],
    rows: pairs.map(({ n, mode, everyone: e, owners: o }) => [
      String(n),
      mode,
      r(o.server.messagesSentPerSec, e.server.messagesSentPerSec),
      r(o.server.bytesSentPerSec, e.server.bytesSentPerSec),
      r(o.server.cpuPercent, e.server.cpuPercent),
      r(o.updatesPerSec, e.updatesPerSec),
    ]),
  };
}

export const cursorsCase: BenchCase = {
  name: "cursors",
  summary: "N clients moving cursors at 30 Hz on one board, server coalescing vs relaying",
  async run(opts): Promise<CaseResult> {
    const p = params(opts);
    const cells: CursorCell[] = [];
    const notes: string[] = [];
    // N outer, mode and audience inner: the cells of one N run back to back, under the same conditions.
    for (const n of p.clients) {
      for (const [mode, audience] of p.modes.flatMap((m) => p.audiences.map((a) => [m, a] as const))) {
        if (Date.now() > opts.deadline) {
          notes.push(`skipped ${n} ${mode} ${audience}: the run's time budget was used up`);
          continue;
        }
        const { result: cell, notes: quietNotes } = await measureQuietly({
          cores: opts.cores,
          maxWaitMs: opts.quick ? 5_000 : 20_000,
          deadline: opts.deadline,
          measure: async () => {
            const attempt = await measure(n, mode, audience, p, opts);
            opts.log(describe(attempt));
            return attempt;
          },
          disturbed: (c) => c.ok && c.load.tags.includes("other-load"),
        });
        cells.push(cell);
        const cellNotes = [...quietNotes, ...(cell.ok ? cell.load.notes : [])];
        if (cell.ok && cell.ownPerSec > 0) cellNotes.push(`clients received their own cursor ${fmt.int(cell.ownPerSec)} times/s`);
        if (cellNotes.length) notes.push(`${n} ${mode} ${audience}: ${cellNotes.join("; ")}`);
      }
    }
    const ratios = ratioTable(cells, p);
    const audiences = audienceTable(cells, p);
    return {
      name: this.name,
      params: p,
      cells,
      tables: [resultsTable(cells, p), ...(ratios ? [ratios] : []), ...(audiences ? [audiences] : [])],
      notes,
      failures: cells.filter((c) => !c.ok).length,
    };
  },
};
