import { join } from "node:path";
import type { BotIdentity, ServerKind } from "../lib/contracts";
import { lifetime, quietCell, ratioOf, workersFor } from "../lib/cell";
import { startClientPool } from "../lib/client-pool";
import * as fmt from "../lib/format";
import { startBenchServer } from "../lib/server-process";
import type { Table } from "../lib/table";
import { clientCpuMax, describeStrokeWindow, measureStrokeWindow, type StrokeWindow } from "./stroke-window";
import type { BenchCase, CaseResult, RunOptions } from "./types";

/**
 * Stroke fan-out: N clients on one board commit strokes at a fixed total rate; every stroke is
 * timed from its author's emit to its receipt by each of the N−1 others. The real server (SQLite
 * store, as deployed) and the baseline relay run the same clients in the same run.
 */

const BOARD_ID = "bench-fanout";
export const SERVER_KINDS: readonly ServerKind[] = ["scribble", "relay"];

interface Params {
  clients: number[];
  rate: number;
  warmupMs: number;
  windowMs: number;
}

export type FanoutCell = { clients: number; kind: ServerKind } & ({ ok: true } & StrokeWindow | { ok: false; error: string });

function params(opts: RunOptions): Params {
  return {
    clients: opts.clients ?? (opts.quick ? [10, 50] : [10, 50, 200]),
    rate: opts.rate ?? 50,
    warmupMs: opts.warmupMs ?? (opts.quick ? 1_000 : 2_000),
    windowMs: opts.windowMs ?? (opts.quick ? 3_000 : 6_000),
  };
}

export const botsFor = (n: number, prefix: string): BotIdentity[] =>
  Array.from({ length: n }, (_, i) => ({ name: `bot-${i + 1}`, clientId: `${prefix}-${i + 1}` }));

export const serverOptionsFor = (kind: ServerKind) => (kind === "relay" ? { kind } : { kind, store: "sqlite" as const });

function resultsTable(cells: FanoutCell[], p: Params): Table {
  return {
    title: `Stroke fan-out: N clients on one board committing ${p.rate} strokes/s in all (warm-up ${p.warmupMs / 1000} s, window ${p.windowMs / 1000} s)`,
    columns: [
      { header: "clients" },
      { header: "server", align: "left" },
      { header: "fan-out p50 ms" },
      { header: "fan-out p99 ms" },
      { header: "fan-out max ms" },
      { header: "ack p50 ms" },
      { header: "ack p99 ms" },
      { header: "strokes sent/s (target)" },
      { header: "delivered/s" },
      { header: "delivered" },
      { header: "server CPU" },
      { header: "CPU ms per 1,000 delivered" },
      { header: "server lag p99 ms" },
      { header: "MB out/s" },
      { header: "client CPU max" },
      { header: "limits", align: "left" },
    ],
    rows: cells.map((c) =>
      c.ok
        ? [
            String(c.clients),
            c.kind,
            fmt.ms(c.fanoutMs.p50),
            fmt.ms(c.fanoutMs.p99),
            fmt.ms(c.fanoutMs.max),
            fmt.ms(c.ackMs.p50),
            fmt.ms(c.ackMs.p99),
            `${fmt.int(c.sentPerSec)} (${fmt.int(c.targetRate)})`,
            fmt.int(c.deliveredPerSec),
            fmt.percent(c.deliveredShare * 100),
            fmt.percent(c.server.cpuPercent),
            fmt.ms(c.serverCpuMsPer1000),
            fmt.ms(c.server.loopDelayP99Ms),
            fmt.megabytes(c.server.bytesSentPerSec),
            fmt.percent(clientCpuMax(c)),
            c.load.tags.join(", ") || "ok",
          ]
        : [String(c.clients), c.kind, ...Array<string>(13).fill("–"), `failed: ${c.error.split("\n")[0]}`],
    ),
  };
}

function ratioTable(cells: FanoutCell[], p: Params): Table | undefined {
  const rows = p.clients.flatMap((n) => {
    const s = cells.find((c) => c.clients === n && c.kind === "scribble");
    const r = cells.find((c) => c.clients === n && c.kind === "relay");
    if (!s?.ok || !r?.ok) return [];
    const x = (a?: number, b?: number) => fmt.ratio(ratioOf(a, b));
    return [
      [
        String(n),
        x(s.fanoutMs.p50, r.fanoutMs.p50),
        x(s.fanoutMs.p99, r.fanoutMs.p99),
        x(s.ackMs.p50, r.ackMs.p50),
        x(s.server.cpuPercent, r.server.cpuPercent),
        x(s.serverCpuMsPer1000, r.serverCpuMsPer1000),
        x(s.server.bytesSentPerSec, r.server.bytesSentPerSec),
        x(s.deliveredPerSec, r.deliveredPerSec),
      ],
    ];
  });
  if (rows.length === 0) return undefined;
  return {
    title: "Scribble ÷ relay baseline, same N and rate (above 1: Scribble costs more or is slower)",
    columns: [
      { header: "clients" },
      { header: "fan-out p50" },
      { header: "fan-out p99" },
      { header: "ack p50" },
      { header: "server CPU" },
      { header: "CPU per 1,000 delivered" },
      { header: "bytes out" },
      { header: "delivered/s" },
    ],
    rows,
  };
}

export const fanoutCase: BenchCase = {
  name: "fanout",
  summary: "stroke commit to receipt at every other client, 10/50/200 clients, Scribble vs the relay baseline",
  async run(opts): Promise<CaseResult> {
    const p = params(opts);
    const cells: FanoutCell[] = [];
    const notes: string[] = [];
    for (const n of p.clients) {
      for (const kind of SERVER_KINDS) {
        if (Date.now() > opts.deadline) {
          notes.push(`skipped ${n} ${kind}: the run's time budget was used up`);
          continue;
        }
        const { outcome, notes: quietNotes } = await quietCell({
          opts,
          label: `fanout ${n} ${kind}`,
          measure: async (scope) => {
            const profileDir = opts.profileDir && join(opts.profileDir, `fanout-${n}-${kind}`);
            const server = scope.add(await startBenchServer({ ...serverOptionsFor(kind), profileDir, ...lifetime(opts) }));
            const pool = scope.add(await startClientPool(workersFor(n, opts), lifetime(opts)));
            await pool.join(server.url, BOARD_ID, botsFor(n, "bench-fanout"));
            return measureStrokeWindow(server, pool, { clients: n, rate: p.rate, warmupMs: p.warmupMs, windowMs: p.windowMs, cores: opts.cores });
          },
          disturbed: (w) => w.load.tags.includes("other-load"),
          describe: describeStrokeWindow,
        });
        const cell: FanoutCell = outcome.ok ? { ...outcome.value, ok: true } : { clients: n, kind, ok: false, error: outcome.error };
        cells.push(cell);
        const cellNotes = [...quietNotes, ...(cell.ok ? cell.load.notes : [])];
        if (cellNotes.length) notes.push(`${n} ${kind}: ${cellNotes.join("; ")}`);
      }
    }
    const ratios = ratioTable(cells, p);
    return {
      name: this.name,
      params: { ...p, store: "sqlite (scribble)" },
      cells,
      tables: ratios ? [resultsTable(cells, p), ratios] : [resultsTable(cells, p)],
      notes,
      failures: cells.filter((c) => !c.ok).length,
    };
  },
};
