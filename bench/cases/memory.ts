import { join } from "node:path";
import { checkLoad, watchSurroundings, type LoadCheck } from "../lib/bottleneck";
import { lifetime, quietCell, ratioOf, workersFor } from "../lib/cell";
import { startClientPool } from "../lib/client-pool";
import type { BotIdentity, ServerKind, ServerMemory } from "../lib/contracts";
import * as fmt from "../lib/format";
import { sleep } from "../lib/scope";
import { serverWindow, startBenchServer } from "../lib/server-process";
import type { Table } from "../lib/table";
import { SERVER_KINDS, serverOptionsFor } from "./fanout";
import type { BenchCase, CaseResult, RunOptions } from "./types";

/**
 * Memory per idle connection: the server's memory after a full garbage collection, before and
 * after N clients connect and join boards (20 to a board, as people spread over boards), then
 * sit idle; the difference divided by N. Real server and relay baseline in the same run.
 */

interface Params {
  clients: number;
  perBoard: number;
  settleMs: number;
  idleWindowMs: number;
}

interface Measured {
  kind: ServerKind;
  clients: number;
  connected: number;
  before: ServerMemory;
  after: ServerMemory;
  perConnection: { heapBytes: number; rssBytes: number; externalBytes: number };
  joinSeconds: number;
  /** The server's CPU while the N connections sat idle (heartbeats only). */
  idleCpuPercent: number;
  load: LoadCheck;
}

export type MemoryCell = { kind: ServerKind } & ({ ok: true } & Measured | { ok: false; error: string });

function params(opts: RunOptions): Params {
  return {
    clients: opts.idleClients ?? (opts.quick ? 300 : 1_000),
    perBoard: 20,
    settleMs: opts.quick ? 1_000 : 2_000,
    idleWindowMs: opts.windowMs ?? (opts.quick ? 2_000 : 4_000),
  };
}

async function measure(kind: ServerKind, p: Params, opts: RunOptions) {
  return quietCell({
    opts,
    label: `memory ${kind} ${p.clients} idle`,
    measure: async (scope): Promise<Measured> => {
      const profileDir = opts.profileDir && join(opts.profileDir, `memory-${kind}`);
      const server = scope.add(await startBenchServer({ ...serverOptionsFor(kind), exposeGc: true, profileDir, ...lifetime(opts) }));
      // Client processes as many as the cores: a thousand idle sockets are no load, their joins are.
      const pool = scope.add(await startClientPool(workersFor(p.clients, opts, 500), lifetime(opts)));
      const before = await server.memory();
      if (!before.collected) throw new Error("the server has no global.gc: run with --expose-gc");
      const bots: BotIdentity[] = Array.from({ length: p.clients }, (_, i) => ({
        name: `idle-${i + 1}`,
        clientId: `bench-idle-${i + 1}`,
        boardId: `bench-idle-${Math.floor(i / p.perBoard)}`,
      }));
      const joinStarted = Date.now();
      await pool.join(server.url, "unused", bots);
      const joinSeconds = (Date.now() - joinStarted) / 1000;
      await sleep(p.settleMs);
      const [from] = await Promise.all([server.counters(), pool.measureStart()]);
      const surroundings = watchSurroundings(opts.cores);
      await sleep(p.idleWindowMs);
      const [to, clients] = await Promise.all([server.counters(), pool.measureStop()]);
      const around = surroundings();
      const after = await server.memory();
      const srv = serverWindow(from, to);
      const per = (a: number, b: number) => (a - b) / p.clients;
      return {
        kind,
        clients: p.clients,
        connected: after.connections,
        before,
        after,
        perConnection: {
          heapBytes: per(after.heapUsedBytes, before.heapUsedBytes),
          rssBytes: per(after.rssBytes, before.rssBytes),
          externalBytes: per(after.externalBytes, before.externalBytes),
        },
        joinSeconds,
        idleCpuPercent: srv.cpuPercent,
        load: checkLoad({ server: srv, clients, cores: opts.cores, surroundings: around }),
      };
    },
    disturbed: () => false,
    describe: (m) =>
      `${m.connected} connections: heap +${kb(m.perConnection.heapBytes)} KB, RSS +${kb(m.perConnection.rssBytes)} KB per connection`,
  });
}

const kb = (bytes: number | undefined) => (bytes === undefined ? "–" : (bytes / 1024).toFixed(1));
const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

function resultsTable(cells: MemoryCell[], p: Params): Table {
  const relay = cells.find((c) => c.kind === "relay");
  const r = relay?.ok ? relay : undefined;
  return {
    title: `Memory per idle connection: ${fmt.int(p.clients)} clients connected and joined (${p.perBoard} to a board), idle; server memory after a full GC, after minus before, ÷ ${fmt.int(p.clients)}`,
    columns: [
      { header: "server", align: "left" },
      { header: "connections" },
      { header: "heap KB per connection" },
      { header: "RSS KB per connection" },
      { header: "external KB per connection" },
      { header: "heap MB before → after" },
      { header: "RSS MB before → after" },
      { header: "idle server CPU" },
      { header: "heap ÷ relay" },
      { header: "RSS ÷ relay" },
    ],
    rows: cells.map((c) =>
      c.ok
        ? [
            c.kind,
            fmt.int(c.connected),
            kb(c.perConnection.heapBytes),
            kb(c.perConnection.rssBytes),
            kb(c.perConnection.externalBytes),
            `${mb(c.before.heapUsedBytes)} → ${mb(c.after.heapUsedBytes)}`,
            `${mb(c.before.rssBytes)} → ${mb(c.after.rssBytes)}`,
            fmt.percent(c.idleCpuPercent),
            fmt.ratio(ratioOf(c.perConnection.heapBytes, r?.perConnection.heapBytes)),
            fmt.ratio(ratioOf(c.perConnection.rssBytes, r?.perConnection.rssBytes)),
          ]
        : [c.kind, ...Array<string>(8).fill("–"), `failed: ${c.error.split("\n")[0]}`],
    ),
  };
}

export const memoryCase: BenchCase = {
  name: "memory",
  summary: "server memory per idle connection (1,000 clients), Scribble vs the relay baseline",
  async run(opts): Promise<CaseResult> {
    const p = params(opts);
    const cells: MemoryCell[] = [];
    const notes: string[] = [];
    for (const kind of SERVER_KINDS) {
      if (Date.now() > opts.deadline) {
        notes.push(`skipped ${kind}: the run's time budget was used up`);
        continue;
      }
      const { outcome, notes: quietNotes } = await measure(kind, p, opts);
      const cell: MemoryCell = outcome.ok ? { ...outcome.value, ok: true } : { kind, ok: false, error: outcome.error };
      cells.push(cell);
      const cellNotes = [...quietNotes, ...(cell.ok ? cell.load.notes : [])];
      if (cell.ok) cellNotes.push(`${fmt.int(cell.clients)} connected and joined in ${cell.joinSeconds.toFixed(1)} s`);
      if (cellNotes.length) notes.push(`${kind}: ${cellNotes.join("; ")}`);
    }
    return {
      name: this.name,
      params: { ...p, store: "sqlite (scribble)" },
      cells,
      tables: [resultsTable(cells, p)],
      notes,
      failures: cells.filter((c) => !c.ok).length,
    };
  },
};
