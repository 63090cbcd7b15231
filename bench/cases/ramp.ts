import { join } from "node:path";
import { lifetime, quietCell, ratioOf, workersFor } from "../lib/cell";
import { startClientPool } from "../lib/client-pool";
import * as fmt from "../lib/format";
import { startBenchServer } from "../lib/server-process";
import type { Table } from "../lib/table";
import { botsFor } from "./fanout";
import { clientCpuMax, describeStrokeWindow, measureStrokeWindow, type StrokeWindow } from "./stroke-window";
import type { BenchCase, CaseResult, RunOptions } from "./types";

/**
 * The highest sustained stroke rate: N clients on one board, the total commit rate raised in
 * steps; the ramp stops at the first step whose p99 fan-out passes 100 ms. Each step starts on a
 * fresh board (the same connections join it), so every step begins from an empty board and no
 * board nears its 20,000-stroke cap. Real server (SQLite store, and memory store) and baseline
 * relay, in the same run.
 */

/** A step is sustained while p99 fan-out stays at or under this. */
export const P99_LIMIT_MS = 100;
/** ... and the clients acked at least this share of the rate asked. */
const ACKED_SHARE = 0.9;

interface Params {
  clients: number;
  rates: number[];
  warmupMs: number;
  windowMs: number;
}

/**
 * The real server as deployed (SQLite store), the real server on the memory store (what storage
 * costs it), and the relay baseline.
 */
const RAMP_SERVERS = ["scribble", "scribble-memory", "relay"] as const;
type RampServer = (typeof RAMP_SERVERS)[number];

const rampServerOptions = (s: RampServer) =>
  s === "relay" ? { kind: "relay" as const } : { kind: "scribble" as const, store: s === "scribble" ? ("sqlite" as const) : ("memory" as const) };

interface Ramp {
  kind: RampServer;
  steps: StrokeWindow[];
  /** The highest step that was sustained, before the first that was not. */
  sustainedRate?: number;
  /** Why the ramp stopped: the first failing step's reason, or that the last step passed. */
  stoppedBy: string;
}

export type RampCell = { kind: RampServer } & ({ ok: true } & Ramp | { ok: false; error: string });

function params(opts: RunOptions): Params {
  return {
    clients: opts.rampClients ?? (opts.quick ? 20 : 50),
    rates: opts.rates ?? (opts.quick ? [50, 200, 800] : [50, 100, 200, 400, 800]),
    warmupMs: opts.warmupMs ?? (opts.quick ? 500 : 1_000),
    windowMs: opts.windowMs ?? (opts.quick ? 2_500 : 5_000),
  };
}

function verdict(w: StrokeWindow): string | undefined {
  if ((w.fanoutMs.p99 ?? Infinity) > P99_LIMIT_MS) return `p99 ${fmt.ms(w.fanoutMs.p99)} ms > ${P99_LIMIT_MS} ms`;
  if (w.ackedPerSec < w.targetRate * ACKED_SHARE) return `acked ${fmt.int(w.ackedPerSec)}/s of ${fmt.int(w.targetRate)}/s`;
  return undefined;
}

function stepsTable(cells: RampCell[], p: Params): Table {
  const rows = cells.flatMap((c) =>
    c.ok
      ? c.steps.map((s) => [
          c.kind,
          fmt.int(s.targetRate),
          fmt.int(s.sentPerSec),
          fmt.int(s.ackedPerSec),
          fmt.int(s.deliveredPerSec),
          fmt.ms(s.fanoutMs.p50),
          fmt.ms(s.fanoutMs.p99),
          fmt.ms(s.ackMs.p99),
          fmt.percent(s.server.cpuPercent),
          fmt.ms(s.serverCpuMsPer1000),
          fmt.ms(s.server.loopDelayP99Ms),
          fmt.percent(clientCpuMax(s)),
          verdict(s) ? `over: ${verdict(s)}` : "sustained",
          s.load.tags.join(", ") || "ok",
        ])
      : [[c.kind, ...Array<string>(12).fill("–"), `failed: ${c.error.split("\n")[0]}`]],
  );
  return {
    title: `Ramp: ${p.clients} clients on one board, total stroke rate raised step by step (warm-up ${p.warmupMs / 1000} s, window ${p.windowMs / 1000} s per step; stops at the first step with p99 fan-out over ${P99_LIMIT_MS} ms)`,
    columns: [
      { header: "server", align: "left" },
      { header: "target ops/s" },
      { header: "sent/s" },
      { header: "acked/s" },
      { header: "delivered/s" },
      { header: "fan-out p50 ms" },
      { header: "fan-out p99 ms" },
      { header: "ack p99 ms" },
      { header: "server CPU" },
      { header: "CPU ms per 1,000 delivered" },
      { header: "server lag p99 ms" },
      { header: "client CPU max" },
      { header: "step", align: "left" },
      { header: "limits", align: "left" },
    ],
    rows,
  };
}

function summaryTable(cells: RampCell[], p: Params): Table {
  const relay = cells.find((c) => c.kind === "relay");
  const relayRate = relay?.ok ? relay.sustainedRate : undefined;
  return {
    title: `Highest sustained rate (${p.clients} clients, steps ${p.rates.join(", ")} ops/s), and ÷ the relay baseline`,
    columns: [
      { header: "server", align: "left" },
      { header: "sustained ops/s" },
      { header: "deliveries/s at it" },
      { header: "stopped by", align: "left" },
      { header: "÷ relay" },
    ],
    rows: cells.map((c) => {
      if (!c.ok) return [c.kind, "–", "–", `failed: ${c.error.split("\n")[0]}`, "–"];
      const at = c.steps.find((s) => s.targetRate === c.sustainedRate);
      const above = c.sustainedRate !== undefined && c.sustainedRate === p.rates.at(-1) ? "≥ " : "";
      return [
        c.kind,
        c.sustainedRate === undefined ? `< ${p.rates[0]}` : `${above}${fmt.int(c.sustainedRate)}`,
        fmt.int(at?.deliveredPerSec),
        c.stoppedBy,
        fmt.ratio(ratioOf(c.sustainedRate, relayRate)),
      ];
    }),
  };
}

export const rampCase: BenchCase = {
  name: "ramp",
  summary: "highest sustained stroke rate before p99 fan-out passes 100 ms, Scribble (SQLite, memory store) vs the relay baseline",
  async run(opts): Promise<CaseResult> {
    const p = params(opts);
    const cells: RampCell[] = [];
    const notes: string[] = [];
    for (const kind of RAMP_SERVERS) {
      if (Date.now() > opts.deadline) {
        notes.push(`skipped ${kind}: the run's time budget was used up`);
        continue;
      }
      const { outcome, notes: quietNotes } = await quietCell({
        opts,
        label: `ramp ${kind}`,
        measure: async (scope): Promise<Ramp> => {
          const profileDir = opts.profileDir && join(opts.profileDir, `ramp-${kind}`);
          const server = scope.add(await startBenchServer({ ...rampServerOptions(kind), profileDir, ...lifetime(opts) }));
          const pool = scope.add(await startClientPool(workersFor(p.clients, opts), lifetime(opts)));
          await pool.join(server.url, "bench-ramp", botsFor(p.clients, "bench-ramp"));
          const steps: StrokeWindow[] = [];
          for (const rate of p.rates) {
            await pool.rejoin(`bench-ramp-${rate}`);
            const step = await measureStrokeWindow(server, pool, { clients: p.clients, rate, warmupMs: p.warmupMs, windowMs: p.windowMs, cores: opts.cores });
            opts.log(`  ${kind}: ${describeStrokeWindow(step)}`);
            steps.push(step);
            const over = verdict(step);
            // A step spoiled by other processes still ends the ramp (its cell is measured again),
            // but says so: it is not the server's limit.
            const disturbed = step.load.tags.includes("other-load") ? " (disturbed by other processes)" : "";
            if (over) return { kind, steps, sustainedRate: steps.at(-2)?.targetRate, stoppedBy: `${fmt.int(rate)} ops/s: ${over}${disturbed}` };
          }
          return { kind, steps, sustainedRate: steps.at(-1)?.targetRate, stoppedBy: "the last step passed" };
        },
        disturbed: (r) => r.steps.some((s) => s.load.tags.includes("other-load")),
        describe: (r) => `sustained ${r.sustainedRate ?? "none"} ops/s; stopped by ${r.stoppedBy}`,
      });
      const cell: RampCell = outcome.ok ? { ...outcome.value, ok: true } : { kind, ok: false, error: outcome.error };
      cells.push(cell);
      const stepNotes = cell.ok ? cell.steps.flatMap((s) => (s.load.notes.length ? [`${s.targetRate} ops/s: ${s.load.notes.join("; ")}`] : [])) : [];
      const cellNotes = [...quietNotes, ...stepNotes];
      if (cellNotes.length) notes.push(`${kind}: ${cellNotes.join("; ")}`);
    }
    return {
      name: this.name,
      params: { ...p, p99LimitMs: P99_LIMIT_MS, ackedShare: ACKED_SHARE, servers: RAMP_SERVERS },
      cells,
      tables: [stepsTable(cells, p), summaryTable(cells, p)],
      notes,
      failures: cells.filter((c) => !c.ok).length,
    };
  },
};
