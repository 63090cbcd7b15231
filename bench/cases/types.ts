import type { Table } from "../lib/table";

/** What the command line asked for; a case takes what applies to it and defaults the rest. */
export interface RunOptions {
  quick: boolean;
  /** Client counts, e.g. [10, 50, 200]. */
  clients?: number[];
  /** Server modes to compare, e.g. ["coalesce", "relay"]. */
  modes?: string[];
  /** Cursor audiences to compare (cursors case): "everyone", or "owners" (a board showing only its owner's cursor to the bots). */
  audiences?: string[];
  /** Client processes per cell (default: by client count, at most the core count). */
  workers?: number;
  warmupMs?: number;
  windowMs?: number;
  /** Event rate per client (cursor moves per second). */
  hz?: number;
  /** Stores to compare (storage case): memory, sqlite, sqlite-full. */
  stores?: string[];
  /** Stroke commits per second over all clients (fanout case). */
  rate?: number;
  /** The ramp's steps, ops per second over all clients. */
  rates?: number[];
  rampClients?: number;
  idleClients?: number;
  /** cluster: which parts to run (a: one board over the nodes, b: many boards with affinity, c: failover). */
  clusterParts?: string[];
  /** cluster: nodes of the cluster (default 3). */
  nodes?: number;
  /** cluster: Redis appendfsync modes to compare in part (a): always, everysec. */
  fsync?: string[];
  /** cluster (b): boards, clients per board, strokes per second per board. */
  boards?: number;
  boardClients?: number;
  boardRate?: number;
  /** cluster (c): tabs on the node that is killed. */
  failoverTabs?: number;
  /** False: the browser case reports itself skipped. */
  browser: boolean;
  /** Hard limit for one cell, processes included. */
  cellTimeoutMs: number;
  /** Date.now() after which no further cell starts: the whole run stays bounded. */
  deadline: number;
  cores: number;
  /** When set, each cell's server writes a CPU profile under this directory. */
  profileDir?: string;
  log(line: string): void;
}

export interface CaseResult {
  name: string;
  /** The parameters the case actually used, after defaults. */
  params: Record<string, unknown>;
  /** Raw per-cell figures, for the results file and later comparison. */
  cells: unknown[];
  tables: Table[];
  notes: string[];
  /** Cells that failed or timed out. */
  failures: number;
}

/** One benchmark: cursors, storage, join, fanout, ramp, memory, browser, cluster. */
export interface BenchCase {
  name: string;
  summary: string;
  run(opts: RunOptions): Promise<CaseResult>;
}
