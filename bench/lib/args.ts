import { parseArgs } from "node:util";

export interface Args {
  cases: string[];
  quick: boolean;
  clients?: number[];
  modes?: string[];
  audiences?: string[];
  stores?: string[];
  workers?: number;
  warmupMs?: number;
  windowMs?: number;
  hz?: number;
  rate?: number;
  rates?: number[];
  rampClients?: number;
  idleClients?: number;
  clusterParts?: string[];
  nodes?: number;
  fsync?: string[];
  boards?: number;
  boardClients?: number;
  boardRate?: number;
  failoverTabs?: number;
  browser: boolean;
  cellTimeoutMs: number;
  out?: string;
  save: boolean;
  profile: boolean;
  help: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]

  --case <name>         run only this case (repeat or comma-separate; default: all)
                        cases: cursors, storage, join, fanout, ramp, memory, browser, cluster
  --quick               fewer and shorter cells (a smoke run)
  --clients <list>      client counts of the cursors and fanout cases, e.g. 10,50,200
                        (cluster: the first is part (a)'s board, default 50)
  --modes <list>        cursor modes, e.g. coalesce,relay
  --audiences <list>    whose cursors the bots see: everyone, owners (an owner moves too; default both)
  --stores <list>       stores of the storage case: memory,sqlite,sqlite-full
  --workers <n>         client processes per cell (default: 1 per 25 clients, at most the cores)
  --hz <n>              cursor moves per second per client (default 30)
  --rate <n>            fanout, cluster (a): stroke commits per second over all clients (default 50)
  --rates <list>        ramp: the steps, ops per second over all clients (default 50,100,200,400,800)
  --ramp-clients <n>    ramp: clients on the board (default 50)
  --idle-clients <n>    memory: idle connections (default 1000)
  --cluster-parts <list> cluster: a (one board over the nodes), b (many boards), c (failover); default all
  --nodes <n>           cluster: nodes (default 3)
  --fsync <list>        cluster (a): Redis appendfsync modes, always,everysec (default both)
  --boards <n>          cluster (b): boards (default 30; --quick 12)
  --board-clients <n>   cluster (b): clients per board (default 20)
  --board-rate <n>      cluster (b): strokes per second per board (default 5)
  --failover-tabs <n>   cluster (c): tabs on the node that is killed (default 20)
  --no-browser          skip the browser case (it also skips itself when there is no Chromium)
  --warmup-ms <ms>      load before measuring (each case has its default, quick shorter)
  --window-ms <ms>      measuring window (each case has its default, quick shorter)
  --cell-timeout-ms <ms> hard limit per cell, processes included (default and max 60000)
  --profile             write a V8 CPU profile of each cell's server to bench/results/profiles/
                        (read one with: npx tsx bench/profile-summary.ts <file.cpuprofile>)
  --out <file>          results file (default bench/results/<date>.json)
  --no-save             print only
  --help
`;

const CELL_TIMEOUT_MAX_MS = 60_000;

export function parseBenchArgs(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    options: {
      case: { type: "string", multiple: true },
      quick: { type: "boolean", default: false },
      clients: { type: "string" },
      modes: { type: "string" },
      audiences: { type: "string" },
      stores: { type: "string" },
      workers: { type: "string" },
      hz: { type: "string" },
      rate: { type: "string" },
      rates: { type: "string" },
      "ramp-clients": { type: "string" },
      "idle-clients": { type: "string" },
      "cluster-parts": { type: "string" },
      nodes: { type: "string" },
      fsync: { type: "string" },
      boards: { type: "string" },
      "board-clients": { type: "string" },
      "board-rate": { type: "string" },
      "failover-tabs": { type: "string" },
      "no-browser": { type: "boolean", default: false },
      "warmup-ms": { type: "string" },
      "window-ms": { type: "string" },
      "cell-timeout-ms": { type: "string" },
      out: { type: "string" },
      "no-save": { type: "boolean", default: false },
      profile: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  return {
    cases: (values.case ?? []).flatMap(list),
    quick: values.quick,
    clients: values.clients === undefined ? undefined : list(values.clients).map((v) => count("--clients", v, 2, 2_000)),
    modes: values.modes === undefined ? undefined : list(values.modes),
    audiences: values.audiences === undefined ? undefined : list(values.audiences),
    stores: values.stores === undefined ? undefined : list(values.stores),
    workers: optional("--workers", values.workers, 1, 64),
    hz: optional("--hz", values.hz, 1, 240),
    rate: optional("--rate", values.rate, 1, 100_000),
    rates: values.rates === undefined ? undefined : list(values.rates).map((v) => count("--rates", v, 1, 100_000)),
    rampClients: optional("--ramp-clients", values["ramp-clients"], 2, 2_000),
    idleClients: optional("--idle-clients", values["idle-clients"], 1, 20_000),
    clusterParts: values["cluster-parts"] === undefined ? undefined : list(values["cluster-parts"]),
    nodes: optional("--nodes", values.nodes, 1, 8),
    fsync: values.fsync === undefined ? undefined : list(values.fsync),
    boards: optional("--boards", values.boards, 1, 500),
    boardClients: optional("--board-clients", values["board-clients"], 2, 500),
    boardRate: optional("--board-rate", values["board-rate"], 1, 10_000),
    failoverTabs: optional("--failover-tabs", values["failover-tabs"], 1, 500),
    browser: !values["no-browser"],
    warmupMs: optional("--warmup-ms", values["warmup-ms"], 0, 30_000),
    windowMs: optional("--window-ms", values["window-ms"], 500, 45_000),
    cellTimeoutMs: optional("--cell-timeout-ms", values["cell-timeout-ms"], 5_000, CELL_TIMEOUT_MAX_MS) ?? CELL_TIMEOUT_MAX_MS,
    out: values.out,
    save: !values["no-save"],
    profile: values.profile,
    help: values.help,
  };
}

const list = (v: string) => v.split(",").map((s) => s.trim()).filter(Boolean);

function optional(flag: string, raw: string | undefined, min: number, max: number): number | undefined {
  return raw === undefined ? undefined : count(flag, raw, min, max);
}

function count(flag: string, raw: string, min: number, max: number): number {
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${flag} must be an integer from ${min} to ${max}, not "${raw}"`);
  return v;
}
