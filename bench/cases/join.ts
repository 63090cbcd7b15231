import { join } from "node:path";
import { checkLoad, watchSurroundings, type LoadCheck } from "../lib/bottleneck";
import { lifetime, median, quietCell, ratioOf } from "../lib/cell";
import { startClientPool, type ClientPool } from "../lib/client-pool";
import type { OpenTiming } from "../lib/contracts";
import * as fmt from "../lib/format";
import { seedBoard, seedSqlite, storedLayout, tempDataDir, type SeededBoard, type StoredLayout } from "../lib/seeding";
import { serverWindow, startBenchServer, type BenchServer, type StoreKind } from "../lib/server-process";
import type { Table } from "../lib/table";
import type { BenchCase, CaseResult, RunOptions } from "./types";

/**
 * Time to open a board: a fresh connection joins a board of 1,000 or 10,000 hand-drawn strokes,
 * timed from its `board:join` to the ack, and to the last `board:strokes` chunk. Memory store
 * (the board in the server's memory), and SQLite: reopened after a restart (the first join loads
 * the snapshot and replays the tail), then with the board in memory again.
 */

interface Params {
  sizes: number[];
  /** Joins per board and state, one after another. */
  joins: number;
}

type State = "in memory" | "first join after restart" | "in memory after reopening";

export interface OpenRow {
  store: StoreKind;
  strokes: number;
  state: State;
  timings: OpenTiming[];
  /** Medians over the row's joins. */
  ackMs?: number;
  doneMs?: number;
  /** Received by one join, from its ack to its last chunk. */
  bytes: number;
  layout?: StoredLayout;
}

interface Measured {
  store: StoreKind;
  seeded: SeededBoard[];
  rows: OpenRow[];
  load: LoadCheck;
  serverCpuPercent: number;
}

export type JoinCell = { store: StoreKind } & ({ ok: true } & Measured | { ok: false; error: string });

function params(opts: RunOptions): Params {
  return { sizes: opts.quick ? [1_000, 10_000] : [1_000, 10_000], joins: opts.quick ? 3 : 5 };
}

const boardFor = (size: number) => `bench-open-${size}`;

function row(store: StoreKind, strokes: number, state: State, timings: OpenTiming[], layout?: StoredLayout): OpenRow {
  for (const t of timings) {
    if (t.strokesReceived !== strokes) throw new Error(`a join of the ${strokes}-stroke board received ${t.strokesReceived} strokes`);
  }
  return {
    store,
    strokes,
    state,
    timings,
    ackMs: median(timings.map((t) => t.ackMs)),
    doneMs: median(timings.map((t) => t.doneMs)),
    bytes: timings[0]?.bytes ?? 0,
    layout,
  };
}

/** Opens every board `joins` times while measuring the processes involved. */
async function openAll(
  server: BenchServer,
  pool: ClientPool,
  p: Params,
  cores: number,
  each: (size: number, timings: OpenTiming[]) => void,
): Promise<{ load: LoadCheck; serverCpuPercent: number }> {
  const [before] = await Promise.all([server.counters(), pool.measureStart()]);
  const surroundings = watchSurroundings(cores);
  for (const size of p.sizes) each(size, await pool.open(server.url, boardFor(size), p.joins));
  const [after, clients] = await Promise.all([server.counters(), pool.measureStop()]);
  const srv = serverWindow(before, after);
  return { load: checkLoad({ server: srv, clients, cores, surroundings: surroundings() }), serverCpuPercent: srv.cpuPercent };
}

async function measureMemory(p: Params, opts: RunOptions): Promise<JoinCell> {
  const outcome = await quietCell({
    opts,
    label: "join memory",
    measure: async (scope): Promise<Measured> => {
      const profileDir = opts.profileDir && join(opts.profileDir, "join-memory");
      const server = scope.add(await startBenchServer({ store: "memory", profileDir, ...lifetime(opts) }));
      const pool = scope.add(await startClientPool(1, lifetime(opts)));
      const seeded: SeededBoard[] = [];
      for (const size of p.sizes) seeded.push(await seedBoard(pool, server, boardFor(size), size));
      const rows: OpenRow[] = [];
      const { load, serverCpuPercent } = await openAll(server, pool, p, opts.cores, (size, t) => rows.push(row("memory", size, "in memory", t)));
      return { store: "memory", seeded, rows, load, serverCpuPercent };
    },
    disturbed: (m) => m.load.tags.includes("other-load"),
    describe: describeMeasured,
  });
  return finish("memory", outcome);
}

async function measureSqlite(p: Params, opts: RunOptions): Promise<JoinCell> {
  const outcome = await quietCell({
    opts,
    label: "join sqlite",
    measure: async (scope): Promise<Measured> => {
      const dataDir = tempDataDir(scope);
      const pool = scope.add(await startClientPool(1, lifetime(opts)));
      const seeded = await seedSqlite(pool, dataDir, p.sizes.map((size) => ({ boardId: boardFor(size), strokes: size })), lifetime(opts));
      const layouts = storedLayout(dataDir, p.sizes.map(boardFor));
      // A default server on the file: every board is on disk only until its first join.
      const profileDir = opts.profileDir && join(opts.profileDir, "join-sqlite");
      const server = scope.add(await startBenchServer({ store: "sqlite", dataDir, profileDir, ...lifetime(opts) }));
      const rows: OpenRow[] = [];
      const { load, serverCpuPercent } = await openAll(server, pool, p, opts.cores, (size, t) => {
        const layout = layouts.find((l) => l.boardId === boardFor(size));
        rows.push(row("sqlite", size, "first join after restart", t.slice(0, 1), layout));
        rows.push(row("sqlite", size, "in memory after reopening", t.slice(1)));
      });
      return { store: "sqlite", seeded, rows, load, serverCpuPercent };
    },
    disturbed: (m) => m.load.tags.includes("other-load"),
    describe: describeMeasured,
  });
  return finish("sqlite", outcome);
}

function finish(store: StoreKind, outcome: Awaited<ReturnType<typeof quietCell<Measured>>>): JoinCell & { notes: string[] } {
  const cell = outcome.outcome.ok ? { ...outcome.outcome.value, ok: true as const } : { store, ok: false as const, error: outcome.outcome.error };
  return { ...cell, notes: [...outcome.notes, ...(cell.ok ? cell.load.notes : [])] };
}

function describeMeasured(m: Measured): string {
  return m.rows.map((r) => `${r.strokes} ${r.state}: ack ${fmt.ms(r.ackMs)} ms, all ${fmt.ms(r.doneMs)} ms`).join("; ");
}

function openTable(cells: JoinCell[], p: Params): Table {
  const rows = cells.flatMap((c) => (c.ok ? c.rows : []));
  const baseline = (strokes: number) => rows.find((r) => r.store === "memory" && r.strokes === strokes);
  return {
    title: `Opening a board: a fresh connection's board:join to its ack, and to the last board:strokes chunk (median of ${p.joins} joins; one for the first join after a restart)`,
    columns: [
      { header: "strokes" },
      { header: "store", align: "left" },
      { header: "board", align: "left" },
      { header: "join ack ms" },
      { header: "all strokes ms" },
      { header: "MB received" },
      { header: "chunks" },
      { header: "stored as", align: "left" },
      { header: "all strokes ÷ memory" },
    ],
    rows: [
      ...rows
        .sort((a, b) => a.strokes - b.strokes)
        .map((r) => [
          fmt.int(r.strokes),
          r.store,
          r.state,
          fmt.ms(r.ackMs),
          fmt.ms(r.doneMs),
          fmt.megabytes(r.bytes),
          fmt.int(r.timings[0]?.chunks),
          r.layout ? `snapshot at seq ${fmt.int(r.layout.snapshotSeq)} (${fmt.megabytes(r.layout.snapshotBytes)} MB) + ${fmt.int(r.layout.tailOps)} ops` : "",
          fmt.ratio(ratioOf(r.doneMs, baseline(r.strokes)?.doneMs)),
        ]),
      ...cells.flatMap((c) => (c.ok ? [] : [["–", c.store, "–", "–", "–", "–", "–", "–", `failed: ${c.error.split("\n")[0]}`]])),
    ],
  };
}

export const joinCase: BenchCase = {
  name: "join",
  summary: "time to open boards of 1,000 and 10,000 strokes: memory store, SQLite reopened after a restart",
  async run(opts): Promise<CaseResult> {
    const p = params(opts);
    const cells: (JoinCell & { notes: string[] })[] = [];
    const notes: string[] = [];
    for (const store of ["memory", "sqlite"] as const) {
      if (Date.now() > opts.deadline) {
        notes.push(`skipped ${store}: the run's time budget was used up`);
        continue;
      }
      const cell = (await (store === "memory" ? measureMemory(p, opts) : measureSqlite(p, opts))) as JoinCell & { notes: string[] };
      cells.push(cell);
      if (cell.ok) {
        notes.push(
          `${store}: seeded ${cell.seeded.map((s) => `${fmt.int(s.strokes)} strokes (${fmt.int(s.ops)} ops) in ${(s.seedMs / 1000).toFixed(1)} s`).join(", ")}` +
            `${store === "sqlite" ? " (each through a server snapshotting once, at the last stroke: see docs/BENCHMARKS.md)" : ""}; server CPU over the joins ${fmt.percent(cell.serverCpuPercent)}`,
        );
      }
      if (cell.notes.length) notes.push(`${store}: ${cell.notes.join("; ")}`);
    }
    return {
      name: this.name,
      params: { ...p, leadingOps: 250 },
      cells,
      tables: [openTable(cells, p)],
      notes,
      failures: cells.filter((c) => !c.ok).length,
    };
  },
};
