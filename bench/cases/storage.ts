import { join } from "node:path";
import { OPS_METRICS } from "../behaviours/ops";
import { checkLoad, watchSurroundings, type LoadCheck } from "../lib/bottleneck";
import { lifetime, percentiles, quietCell, ratioOf, type Percentiles } from "../lib/cell";
import { startClientPool, type PoolWindow } from "../lib/client-pool";
import type { BotIdentity } from "../lib/contracts";
import * as fmt from "../lib/format";
import { sleep } from "../lib/scope";
import { seedBoard, seedSqlite, tempDataDir, type SeededBoard } from "../lib/seeding";
import { serverWindow, startBenchServer, type ServerWindow } from "../lib/server-process";
import { perSecond } from "../lib/stats";
import type { Table } from "../lib/table";
import { clientCpuMax } from "./stroke-window";
import type { BenchCase, CaseResult, RunOptions } from "./types";

/**
 * Ops acked per second by store: clients send stroke:add ops as fast as acks come back, each
 * with a window of ops in flight, each on a board of its own (no fan-out: this is the path from
 * the op to its ack, validation, ordering and storage). Small boards (each client moves to a
 * fresh one every 1,000 strokes) and one board of 10,000 strokes. Memory store (the baseline),
 * SQLite as deployed (WAL, synchronous=NORMAL), optionally SQLite with synchronous=FULL.
 */

export const STORE_VARIANTS = ["memory", "sqlite", "sqlite-full"] as const;
export type StoreVariant = (typeof STORE_VARIANTS)[number];

interface Params {
  stores: StoreVariant[];
  /** The big board is measured with these only (by default not sqlite-full: it adds nothing there). */
  bigBoardStores: StoreVariant[];
  clients: number[];
  window: number;
  smallBoardStrokes: number;
  bigBoardStrokes: number;
  warmupMs: number;
  windowMs: number;
}

type Board = "small" | "big";

interface Measured {
  store: StoreVariant;
  board: Board;
  clients: number;
  ackedPerSec: number;
  ackMs: Percentiles;
  refused: number;
  lost: number;
  rotations: number;
  capped: number;
  seeded?: SeededBoard;
  server: ServerWindow;
  clientProcesses: PoolWindow["processes"];
  load: LoadCheck;
}

export type StorageCell = { store: StoreVariant; board: Board; clients: number } & ({ ok: true } & Measured | { ok: false; error: string });

function params(opts: RunOptions): Params {
  const stores = (opts.stores ?? ["memory", "sqlite", "sqlite-full"]).map((s) => {
    if (!(STORE_VARIANTS as readonly string[]).includes(s)) throw new Error(`unknown store "${s}" (${STORE_VARIANTS.join(", ")})`);
    return s as StoreVariant;
  });
  return {
    stores,
    bigBoardStores: opts.stores ? stores : stores.filter((s) => s !== "sqlite-full"),
    clients: opts.quick ? [1] : [1, 4],
    window: 16,
    smallBoardStrokes: 1_000,
    bigBoardStrokes: 10_000,
    warmupMs: opts.warmupMs ?? (opts.quick ? 500 : 1_000),
    windowMs: opts.windowMs ?? (opts.quick ? 2_000 : 4_000),
  };
}

const serverStore = (v: StoreVariant) => ({
  store: v === "memory" ? ("memory" as const) : ("sqlite" as const),
  env: v === "sqlite-full" ? { SQLITE_SYNCHRONOUS: "full" } : undefined,
});

async function measure(store: StoreVariant, board: Board, n: number, p: Params, opts: RunOptions) {
  return quietCell({
    opts,
    label: `storage ${store} ${board} boards ${n} client${n > 1 ? "s" : ""}`,
    measure: async (scope): Promise<Measured> => {
      const { store: kind, env } = serverStore(store);
      const dataDir = kind === "sqlite" ? tempDataDir(scope) : undefined;
      const pool = scope.add(await startClientPool(1, lifetime(opts)));
      const bigBoard = "bench-ops-big";
      let seeded: SeededBoard | undefined;
      if (board === "big" && kind === "sqlite") {
        [seeded] = await seedSqlite(pool, dataDir!, [{ boardId: bigBoard, strokes: p.bigBoardStrokes }], { ...lifetime(opts) });
      }
      const profileDir = opts.profileDir && join(opts.profileDir, `storage-${store}-${board}-${n}`);
      const server = scope.add(await startBenchServer({ store: kind, dataDir, env, profileDir, ...lifetime(opts) }));
      if (board === "big" && kind === "memory") seeded = await seedBoard(pool, server, bigBoard, p.bigBoardStrokes);
      const bots: BotIdentity[] = Array.from({ length: n }, (_, i) => ({
        name: `writer-${i + 1}`,
        clientId: `bench-writer-${i + 1}`,
        boardId: board === "big" ? bigBoard : `bench-ops-${i + 1}`,
      }));
      await pool.join(server.url, "unused", bots);
      await pool.start("ops", {
        window: p.window,
        // A board takes 20,000 strokes: the big one stops short of that instead of moving on.
        boardStrokes: board === "big" ? 9_000 : p.smallBoardStrokes,
        rotate: board === "big" ? 0 : 1,
      });
      await sleep(p.warmupMs);
      const [before] = await Promise.all([server.counters(), pool.measureStart()]);
      const surroundings = watchSurroundings(opts.cores);
      await sleep(p.windowMs);
      const [after, clients] = await Promise.all([server.counters(), pool.measureStop()]);
      const around = surroundings();
      await pool.stopBehaviours();
      const srv = serverWindow(before, after);
      const count = (name: string) => clients.counters[name] ?? 0;
      const load = checkLoad({ server: srv, clients, cores: opts.cores, surroundings: around });
      const capped = count(OPS_METRICS.capped);
      if (capped > 0) load.notes.push(`the board filled up during the window: the rate is a lower bound`);
      const refusedCodes = Object.entries(clients.counters).filter(([k, v]) => k.startsWith(`${OPS_METRICS.refused}.`) && v > 0);
      if (refusedCodes.length) load.notes.push(`refused: ${refusedCodes.map(([k, v]) => `${k.split(".").pop()} ${v}`).join(", ")}`);
      return {
        store,
        board,
        clients: n,
        ackedPerSec: perSecond(count(OPS_METRICS.acked), clients.elapsedMs),
        ackMs: percentiles(clients.histograms[OPS_METRICS.ackMs]),
        refused: count(OPS_METRICS.refused),
        lost: count(OPS_METRICS.lost),
        rotations: count(OPS_METRICS.rotations),
        capped,
        seeded,
        server: srv,
        clientProcesses: clients.processes,
        load,
      };
    },
    disturbed: (m) => m.load.tags.includes("other-load"),
    describe: (m) =>
      `${fmt.int(m.ackedPerSec)} ops/s acked, ack p50 ${fmt.ms(m.ackMs.p50)} p99 ${fmt.ms(m.ackMs.p99)} ms, server ${fmt.percent(m.server.cpuPercent)} CPU` +
      (m.load.tags.length ? ` [${m.load.tags.join(", ")}]` : ""),
  });
}

function resultsTable(cells: StorageCell[], p: Params): Table {
  const baseline = (c: StorageCell) => cells.find((b) => b.store === "memory" && b.board === c.board && b.clients === c.clients);
  return {
    title: `Ops acked per second by store: stroke:add ops, ${p.window} in flight per client, each client on its own board (warm-up ${p.warmupMs / 1000} s, window ${p.windowMs / 1000} s)`,
    columns: [
      { header: "board", align: "left" },
      { header: "clients" },
      { header: "store", align: "left" },
      { header: "acked ops/s" },
      { header: "ack p50 ms" },
      { header: "ack p99 ms" },
      { header: "ack max ms" },
      { header: "server CPU" },
      { header: "server lag p99 ms" },
      { header: "client CPU max" },
      { header: "ops/s ÷ memory" },
      { header: "ack p99 ÷ memory" },
      { header: "limits", align: "left" },
    ],
    rows: cells.map((c) => {
      const board = c.board === "big" ? `${fmt.int(p.bigBoardStrokes)} strokes` : `fresh, up to ${fmt.int(p.smallBoardStrokes)}`;
      if (!c.ok) return [board, String(c.clients), c.store, ...Array<string>(9).fill("–"), `failed: ${c.error.split("\n")[0]}`];
      const b = baseline(c);
      const base = b?.ok ? b : undefined;
      return [
        board,
        String(c.clients),
        c.store,
        fmt.int(c.ackedPerSec),
        fmt.ms(c.ackMs.p50),
        fmt.ms(c.ackMs.p99),
        fmt.ms(c.ackMs.max),
        fmt.percent(c.server.cpuPercent),
        fmt.ms(c.server.loopDelayP99Ms),
        fmt.percent(clientCpuMax(c)),
        fmt.ratio(ratioOf(c.ackedPerSec, base?.ackedPerSec)),
        fmt.ratio(ratioOf(c.ackMs.p99, base?.ackMs.p99)),
        c.load.tags.join(", ") || "ok",
      ];
    }),
  };
}

export const storageCase: BenchCase = {
  name: "storage",
  summary: "stroke ops acked per second and ack latency, SQLite store vs memory store, small boards and a 10,000-stroke board",
  async run(opts): Promise<CaseResult> {
    const p = params(opts);
    const plan: { board: Board; clients: number }[] = [
      ...p.clients.map((clients) => ({ board: "small" as const, clients })),
      { board: "big", clients: 1 },
    ];
    const cells: StorageCell[] = [];
    const notes: string[] = [];
    for (const { board, clients } of plan) {
      for (const store of board === "big" ? p.bigBoardStores : p.stores) {
        if (Date.now() > opts.deadline) {
          notes.push(`skipped ${store} ${board} ${clients}: the run's time budget was used up`);
          continue;
        }
        const { outcome, notes: quietNotes } = await measure(store, board, clients, p, opts);
        const cell: StorageCell = outcome.ok ? { ...outcome.value, ok: true } : { store, board, clients, ok: false, error: outcome.error };
        cells.push(cell);
        const cellNotes = [...quietNotes, ...(cell.ok ? cell.load.notes : [])];
        if (cell.ok && cell.seeded) cellNotes.push(`seeded ${fmt.int(cell.seeded.ops)} ops in ${(cell.seeded.seedMs / 1000).toFixed(1)} s`);
        if (cellNotes.length) notes.push(`${store}, ${board} board, ${clients} client${clients > 1 ? "s" : ""}: ${cellNotes.join("; ")}`);
      }
    }
    return {
      name: this.name,
      params: { ...p },
      cells,
      tables: [resultsTable(cells, p)],
      notes,
      failures: cells.filter((c) => !c.ok).length,
    };
  },
};
