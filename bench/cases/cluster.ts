import { performance } from "node:perf_hooks";
import { Redis } from "ioredis";
import { io } from "socket.io-client";
import type { ClientSocket } from "../../lib/client/socket";
import { PROTOCOL_VERSION, type AppliedOp, type JoinSnapshot, type OpAck } from "../../lib/protocol";
import { startProxy } from "../../tools/cluster/proxy";
import { CURSOR_METRICS } from "../behaviours/cursors";
import { STROKE_METRICS } from "../behaviours/strokes";
import { checkLoad, LIMITS, watchSurroundings, type LoadCheck } from "../lib/bottleneck";
import { lifetime, percentiles, quietCell, workersFor, type Percentiles } from "../lib/cell";
import { startClientPool, type ClientPool, type PoolWindow } from "../lib/client-pool";
import { FSYNC_MODES, nodeForBoard, startBenchCluster, type Fsync } from "../lib/cluster";
import type { BotIdentity } from "../lib/contracts";
import * as fmt from "../lib/format";
import { watchTrees } from "../lib/proc-tree";
import { sleep, type Scope } from "../lib/scope";
import { serverWindow, startBenchServer, type BenchServer, type ServerWindow } from "../lib/server-process";
import { Histogram, perSecond } from "../lib/stats";
import { strokeShapes } from "../lib/stroke-payload";
import type { Table } from "../lib/table";
import type { BenchCase, CaseResult, RunOptions } from "./types";

/**
 * Cluster mode (REDIS_URL) on this machine: what sharing boards through Redis costs, and that
 * load divides. On 2 cores a cluster cannot be faster than one node (its nodes, Redis and the
 * clients share the same cores); what is measured is the price of each hop and where CPU goes.
 *
 * (a) One board, N clients (default 50) on one node (SQLite, as deployed) vs the same board in
 *     cluster mode on one node and spread evenly over 3: stroke fan-out and ack, cursor latency,
 *     CPU per node and of Redis, per 1,000 deliveries; the 3-node cluster under each appendfsync
 *     (`always`, the launcher's default, and `everysec`) for the durability cost.
 * (b) Many boards (default 30 × 20 clients) on one node vs 3 nodes with board affinity (each
 *     board's people on the node the cluster's proxy would pick): CPU per node.
 * (c) Failover: tabs pinned to one node through the cluster's proxy, that node killed (SIGKILL)
 *     while another tab keeps drawing: time until each tab is connected again, rejoined, and
 *     holds every op; whether any op is missed or doubled; how the others' people list sees it.
 */

const BOARD_A = "bench-cluster";
const BOARD_C = "bench-failover";
export const CLUSTER_PARTS = ["a", "b", "c"] as const;
type Part = (typeof CLUSTER_PARTS)[number];

interface Params {
  parts: Part[];
  nodes: number;
  /** (a) */
  clients: number;
  rate: number;
  hz: number;
  fsync: Fsync[];
  /** (b) */
  boards: number;
  boardClients: number;
  boardRate: number;
  /** (c) */
  failoverTabs: number;
  writerRate: number;
  warmupMs: number;
  windowMs: number;
}

function params(opts: RunOptions): Params {
  const parts = (opts.clusterParts ?? [...CLUSTER_PARTS]).map((p) => {
    if (!(CLUSTER_PARTS as readonly string[]).includes(p)) throw new Error(`unknown cluster part "${p}" (${CLUSTER_PARTS.join(", ")})`);
    return p as Part;
  });
  const fsync = (opts.fsync ?? [...FSYNC_MODES]).map((f) => {
    if (!(FSYNC_MODES as readonly string[]).includes(f)) throw new Error(`unknown appendfsync "${f}" (${FSYNC_MODES.join(", ")})`);
    return f as Fsync;
  });
  return {
    parts,
    nodes: opts.nodes ?? 3,
    clients: opts.clients?.[0] ?? 50,
    rate: opts.rate ?? 50,
    hz: opts.hz ?? 30,
    fsync,
    boards: opts.boards ?? (opts.quick ? 12 : 30),
    boardClients: opts.boardClients ?? 20,
    boardRate: opts.boardRate ?? 5,
    failoverTabs: opts.failoverTabs ?? 20,
    writerRate: 20,
    warmupMs: opts.warmupMs ?? 1_000,
    windowMs: opts.windowMs ?? (opts.quick ? 2_000 : 3_000),
  };
}

// ---------------------------------------------------------------------------------------------
// Deployments: one node without Redis, or a cluster

type Topology = { kind: "single" } | { kind: "cluster"; nodes: number; fsync: Fsync };

const topologyLabel = (t: Topology) => (t.kind === "single" ? "1 node, SQLite (no Redis)" : `${t.nodes} node${t.nodes === 1 ? "" : "s"} + Redis (${t.fsync})`);

interface Deployment {
  nodes: { id: string; server: BenchServer }[];
  /** The Redis process tree's root, in cluster mode. */
  redisPid?: number;
  /** A connection of the bench's own to that Redis, for INFO. */
  redis?: Redis;
}

async function deploy(scope: Scope, t: Topology, opts: RunOptions): Promise<Deployment> {
  if (t.kind === "single") {
    const server = scope.add(await startBenchServer({ store: "sqlite", ...lifetime(opts) }));
    return { nodes: [{ id: "single", server }] };
  }
  const cluster = scope.add(await startBenchCluster({ nodes: t.nodes, fsync: t.fsync, ...lifetime(opts) }));
  const redis = new Redis({ path: new URL(cluster.redis.url).pathname, maxRetriesPerRequest: 1 });
  scope.add({ stop: async () => redis.disconnect() });
  return { nodes: cluster.nodes.map((n) => ({ id: n.id, server: n })), redisPid: cluster.redis.pid, redis };
}

/**
 * Redis's own counts, from INFO: commands by name (those scripts run included) and error replies
 * by code (SCRIBBLE_TAKEN: a node's compare-and-set lost to another's, which then reads what it
 * missed and decides again).
 */
async function redisCounts(redis: Redis): Promise<Record<string, number>> {
  const text = `${await redis.info("commandstats")}\n${await redis.info("errorstats")}`;
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) counts[`cmd.${m[1]}`] = Number(m[2]);
  for (const m of text.matchAll(/^errorstat_([^:]+):count=(\d+)/gm)) counts[`err.${m[1]}`] = Number(m[2]);
  return counts;
}

function countsBetween(from: Record<string, number>, to: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(to).map(([k, v]): [string, number] => [k, v - (from[k] ?? 0)]).filter(([, v]) => v > 0));
}

// ---------------------------------------------------------------------------------------------
// One measuring window over every node, Redis and the clients

interface NodeWindow {
  id: string;
  /** Clients connected to this node. */
  clients: number;
  boards?: number;
  window: ServerWindow;
}

interface ClusterWindow {
  nodes: NodeWindow[];
  /** Redis's CPU over the window, % of one core; undefined without Redis. */
  redisCpuPercent?: number;
  /** Redis's command and error counts over the window (INFO commandstats, errorstats). */
  redisCounts?: Record<string, number>;
  clients: PoolWindow;
  load: LoadCheck;
}

const nodesCpu = (w: ClusterWindow) => w.nodes.reduce((s, n) => s + n.window.cpuPercent, 0);

async function measureWindow(
  dep: Deployment,
  pool: ClientPool,
  placement: Map<string, { clients: number; boards?: number }>,
  p: { windowMs: number; cores: number; targetRate?: number; achieved?: (c: PoolWindow) => number },
): Promise<ClusterWindow> {
  const [before, , redisBefore] = await Promise.all([
    Promise.all(dep.nodes.map((n) => n.server.counters())),
    pool.measureStart(),
    dep.redis ? redisCounts(dep.redis) : undefined,
  ]);
  const redisCpu = dep.redisPid === undefined ? undefined : watchTrees({ redis: dep.redisPid });
  const surroundings = watchSurroundings(p.cores);
  await sleep(p.windowMs);
  const [after, clients, redisAfter] = await Promise.all([
    Promise.all(dep.nodes.map((n) => n.server.counters())),
    pool.measureStop(),
    dep.redis ? redisCounts(dep.redis) : undefined,
  ]);
  const redisCpuPercent = redisCpu?.().redis;
  const around = surroundings();
  const nodes: NodeWindow[] = dep.nodes.map((n, i) => ({ id: n.id, clients: 0, ...placement.get(n.id), window: serverWindow(before[i]!, after[i]!) }));

  // checkLoad knows one server: give it every process of the deployment (so that nothing of ours
  // counts as other load), then judge each node's own ceiling here.
  const merged: Record<string, number> = {};
  for (const n of nodes) for (const [k, v] of Object.entries(n.window.metrics)) merged[k] = (merged[k] ?? 0) + v;
  const all: ServerWindow = { ...nodes[0]!.window, cpuPercent: nodes.reduce((s, n) => s + n.window.cpuPercent, 0) + (redisCpuPercent ?? 0), metrics: merged };
  const load = checkLoad({
    server: all,
    clients,
    cores: p.cores,
    surroundings: around,
    targetRate: p.targetRate,
    achievedRate: p.achieved?.(clients),
  });
  const serverNote = load.notes.findIndex((n) => n.startsWith("the server ran at"));
  if (serverNote >= 0) load.notes.splice(serverNote, 1);
  load.tags = load.tags.filter((t) => t !== "server-cpu");
  const busy = nodes.filter((n) => n.window.cpuPercent >= LIMITS.processCpuPercent);
  if (busy.length > 0) {
    load.tags.push("server-cpu");
    load.notes.push(`${busy.map((n) => `${n.id} ran at ${n.window.cpuPercent.toFixed(0)}%`).join(", ")} of a core: at its ceiling`);
  }
  if ((redisCpuPercent ?? 0) >= LIMITS.processCpuPercent) load.notes.push(`Redis ran at ${redisCpuPercent!.toFixed(0)}% of a core: at its ceiling`);
  return { nodes, redisCpuPercent, redisCounts: redisBefore && redisAfter && countsBetween(redisBefore, redisAfter), clients, load };
}

const botsFor = (n: number, prefix: string, boardId?: string): BotIdentity[] =>
  Array.from({ length: n }, (_, i) => ({ name: `bot-${i + 1}`, clientId: `${prefix}-${i + 1}`, ...(boardId ? { boardId } : {}) }));

/** Joins each node's bots at that node's URL. */
async function joinSpread(dep: Deployment, pool: ClientPool, byNode: Map<string, BotIdentity[]>, boardId: string): Promise<void> {
  for (const node of dep.nodes) {
    const bots = byNode.get(node.id) ?? [];
    if (bots.length > 0) await pool.join(node.server.url, boardId, bots);
  }
}

// ---------------------------------------------------------------------------------------------
// (a) one board, N clients

interface StrokeFigures {
  sentPerSec: number;
  ackedPerSec: number;
  deliveredPerSec: number;
  deliveredShare: number;
  fanoutMs: Percentiles;
  ackMs: Percentiles;
  refused: number;
  lost: number;
}

interface CursorFigures {
  updatesPerSec: number;
  deliveredShare: number;
  latencyMs: Percentiles;
}

type OneBoardCell = { topology: Topology; label: string } & (
  | { ok: true; strokes: ClusterWindow & StrokeFigures; cursors: ClusterWindow & CursorFigures }
  | { ok: false; error: string }
);

function strokeFigures(w: ClusterWindow, clients: number): StrokeFigures {
  const count = (name: string) => w.clients.counters[name] ?? 0;
  const rate = (name: string) => perSecond(count(name), w.clients.elapsedMs);
  const acked = rate(STROKE_METRICS.acked);
  const delivered = rate(STROKE_METRICS.delivered);
  return {
    sentPerSec: rate(STROKE_METRICS.sent),
    ackedPerSec: acked,
    deliveredPerSec: delivered,
    deliveredShare: acked > 0 ? delivered / (acked * (clients - 1)) : 0,
    fanoutMs: percentiles(w.clients.histograms[STROKE_METRICS.fanoutMs]),
    ackMs: percentiles(w.clients.histograms[STROKE_METRICS.ackMs]),
    refused: count(STROKE_METRICS.refused),
    lost: count(STROKE_METRICS.lost),
  };
}

function cursorFigures(w: ClusterWindow, clients: number): CursorFigures {
  const count = (name: string) => w.clients.counters[name] ?? 0;
  const sent = count(CURSOR_METRICS.sent);
  const updates = count(CURSOR_METRICS.updates);
  return {
    updatesPerSec: perSecond(updates, w.clients.elapsedMs),
    deliveredShare: sent > 0 ? updates / (sent * (clients - 1)) : 0,
    latencyMs: percentiles(w.clients.histograms[CURSOR_METRICS.latency]),
  };
}

async function oneBoardCell(t: Topology, p: Params, opts: RunOptions): Promise<OneBoardCell & { notes: string[] }> {
  const label = topologyLabel(t);
  const { outcome, notes } = await quietCell({
    opts,
    label: `cluster (a) ${label}`,
    measure: async (scope) => {
      const dep = await deploy(scope, t, opts);
      const pool = scope.add(await startClientPool(workersFor(p.clients, opts), lifetime(opts)));
      const bots = botsFor(p.clients, "bench-cluster-a");
      // Spread evenly: bot i on node i mod the node count.
      const byNode = new Map(dep.nodes.map((n, k) => [n.id, bots.filter((_, i) => i % dep.nodes.length === k)]));
      const placement = new Map(dep.nodes.map((n) => [n.id, { clients: byNode.get(n.id)!.length }]));
      await joinSpread(dep, pool, byNode, BOARD_A);

      await pool.start("strokes", { hz: p.rate / p.clients });
      await sleep(p.warmupMs);
      const sw = await measureWindow(dep, pool, placement, {
        windowMs: p.windowMs,
        cores: opts.cores,
        targetRate: p.rate,
        achieved: (c) => perSecond(c.counters[STROKE_METRICS.sent] ?? 0, c.elapsedMs),
      });
      await pool.stopBehaviours();

      await pool.start("cursors", { hz: p.hz });
      await sleep(p.warmupMs);
      const cw = await measureWindow(dep, pool, placement, { windowMs: p.windowMs, cores: opts.cores });
      await pool.stopBehaviours();
      return { strokes: { ...sw, ...strokeFigures(sw, p.clients) }, cursors: { ...cw, ...cursorFigures(cw, p.clients) } };
    },
    disturbed: (v) => v.strokes.load.tags.includes("other-load") || v.cursors.load.tags.includes("other-load"),
    describe: (v) =>
      `fan-out p50 ${fmt.ms(v.strokes.fanoutMs.p50)} p99 ${fmt.ms(v.strokes.fanoutMs.p99)} ms, ack p99 ${fmt.ms(v.strokes.ackMs.p99)} ms, ` +
      `cursor p50 ${fmt.ms(v.cursors.latencyMs.p50)} ms, nodes ${fmt.percent(nodesCpu(v.strokes))} + Redis ${fmt.percent(v.strokes.redisCpuPercent)} CPU`,
  });
  const cell: OneBoardCell = outcome.ok ? { topology: t, label, ok: true, ...outcome.value } : { topology: t, label, ok: false, error: outcome.error };
  return Object.assign(cell, { notes });
}

// ---------------------------------------------------------------------------------------------
// (b) many boards

type ManyBoardsCell = { topology: Topology; label: string } & ({ ok: true; window: ClusterWindow & StrokeFigures } | { ok: false; error: string });

async function manyBoardsCell(t: Topology, p: Params, opts: RunOptions): Promise<ManyBoardsCell & { notes: string[] }> {
  const label = topologyLabel(t);
  const total = p.boards * p.boardClients;
  const { outcome, notes } = await quietCell({
    opts,
    label: `cluster (b) ${label}`,
    measure: async (scope) => {
      const dep = await deploy(scope, t, opts);
      const pool = scope.add(await startClientPool(workersFor(total, opts), lifetime(opts)));
      const ids = dep.nodes.map((n) => n.id);
      const byNode = new Map<string, BotIdentity[]>(ids.map((id) => [id, []]));
      const boardsOn = new Map<string, number>(ids.map((id) => [id, 0]));
      for (let b = 0; b < p.boards; b++) {
        const boardId = `bench-cluster-b-${b + 1}`;
        const node = nodeForBoard(boardId, ids);
        boardsOn.set(node, boardsOn.get(node)! + 1);
        byNode.get(node)!.push(...botsFor(p.boardClients, `bench-cluster-b${b + 1}`, boardId));
      }
      const placement = new Map(ids.map((id) => [id, { clients: byNode.get(id)!.length, boards: boardsOn.get(id)! }]));
      await joinSpread(dep, pool, byNode, "unused");
      await pool.start("strokes", { hz: p.boardRate / p.boardClients });
      await sleep(p.warmupMs);
      const w = await measureWindow(dep, pool, placement, {
        windowMs: p.windowMs,
        cores: opts.cores,
        targetRate: p.boardRate * p.boards,
        achieved: (c) => perSecond(c.counters[STROKE_METRICS.sent] ?? 0, c.elapsedMs),
      });
      await pool.stopBehaviours();
      return { ...w, ...strokeFigures(w, p.boardClients) };
    },
    disturbed: (w) => w.load.tags.includes("other-load"),
    describe: (w) =>
      `nodes ${w.nodes.map((n) => `${n.id} ${fmt.percent(n.window.cpuPercent)}`).join(", ")}, Redis ${fmt.percent(w.redisCpuPercent)}; ` +
      `fan-out p50 ${fmt.ms(w.fanoutMs.p50)} p99 ${fmt.ms(w.fanoutMs.p99)} ms`,
  });
  const cell: ManyBoardsCell = outcome.ok ? { topology: t, label, ok: true, window: outcome.value } : { topology: t, label, ok: false, error: outcome.error };
  return Object.assign(cell, { notes });
}

// ---------------------------------------------------------------------------------------------
// (c) failover

/**
 * A tab as lib/client does it, over socket.io-client in this process: the board, a tab id and
 * `node` in the handshake's query (the proxy's routing), polling then WebSocket, reconnection
 * within 3 s; after every reconnect it joins again with {epoch, seq} and applies the ops it missed
 * in seq order. Counts ops it got twice and notes when it is back.
 */
class BenchTab {
  readonly socket: ClientSocket;
  epoch: string | undefined;
  /** Every op up to this seq is applied. */
  lastSeq = 0;
  /** Ops received out of order (ahead of lastSeq + 1), by seq. */
  private readonly ahead = new Set<number>();
  /** The board's seq the latest join ack was taken at: caught up once lastSeq reaches it. */
  private target: number | undefined;
  duplicates = 0;
  joins = 0;
  /** How the latest join caught up: the ops missed (`delta`), or the whole board again (`full`). */
  lastSync: "full" | "delta" | undefined;
  users = new Map<string, string>();
  /** Set by the case: times after a kill. */
  killedAt: number | undefined;
  connectedAt: number | undefined;
  rejoinedAt: number | undefined;
  caughtUpAt: number | undefined;
  private joined!: (s: JoinSnapshot) => void;
  readonly firstJoin = new Promise<JoinSnapshot>((resolve) => (this.joined = resolve));

  constructor(
    url: string,
    readonly boardId: string,
    readonly name: string,
    readonly node: string,
  ) {
    const tab = Math.random().toString(36).slice(2, 10);
    this.socket = io(url, {
      forceNew: true,
      reconnectionDelayMax: 3_000,
      transports: ["polling", "websocket"],
      query: { board: boardId, tab, node },
    });
    this.socket.on("connect", () => {
      if (this.killedAt !== undefined && this.connectedAt === undefined) this.connectedAt = performance.now();
      this.join();
    });
    this.socket.on("op", (applied: AppliedOp) => this.apply(applied.seq));
    this.socket.on("presence:joined", (user) => this.users.set(user.id, user.name));
  }

  private join(): void {
    const resume = this.epoch === undefined ? undefined : { epoch: this.epoch, seq: this.lastSeq };
    this.socket
      .timeout(10_000)
      .emit("board:join", { protocol: PROTOCOL_VERSION, boardId: this.boardId, name: this.name, clientId: `bench-${this.name}`, ...(resume && { resume }) }, (err, res) => {
        if (err || !res.ok) return;
        this.joins += 1;
        this.lastSync = res.sync;
        for (const u of res.users) this.users.set(u.id, u.name);
        if (res.sync === "full" || res.epoch !== this.epoch) {
          this.epoch = res.epoch;
          this.lastSeq = res.seq;
          for (const s of this.ahead) if (s <= res.seq) this.ahead.delete(s);
          this.advance();
        }
        this.target = res.seq;
        if (this.killedAt !== undefined && this.rejoinedAt === undefined) this.rejoinedAt = performance.now();
        this.checkCaughtUp();
        this.joined(res);
      });
  }

  private apply(seq: number): void {
    if (seq <= this.lastSeq || this.ahead.has(seq)) {
      this.duplicates += 1;
      return;
    }
    this.ahead.add(seq);
    this.advance();
    this.checkCaughtUp();
  }

  private advance(): void {
    while (this.ahead.delete(this.lastSeq + 1)) this.lastSeq += 1;
  }

  private checkCaughtUp(): void {
    if (this.killedAt === undefined || this.rejoinedAt === undefined || this.caughtUpAt !== undefined) return;
    if (this.target !== undefined && this.lastSeq >= this.target) this.caughtUpAt = performance.now();
  }

  /** Ops received beyond a hole that never filled. */
  get gaps(): number {
    return this.ahead.size;
  }

  close(): void {
    this.socket.disconnect();
  }
}

interface FailoverFigures {
  nodes: number;
  tabs: number;
  nodeTimeoutMs: number;
  /** ms after the kill, over the tabs on the killed node. */
  reconnectedMs: Percentiles;
  rejoinedMs: Percentiles;
  caughtUpMs: Percentiles;
  /** Tabs that were not back within the wait. */
  notBack: number;
  /** Tabs whose rejoin resumed with the ops they missed (the rest got the whole board again). */
  deltaResumes: number;
  /** Ops the writer had acked by the end, and how many of them each tab holds (the least). */
  writerAcked: number;
  writerSeqMax: number;
  leastHeldSeq: number;
  duplicates: number;
  gaps: number;
  writerAckP99Ms?: number;
  /** When the dead node's tabs left the cluster's roster (Redis), ms after the kill. */
  ghostsGoneMs?: number;
  /** The observer's people list: killed tabs' people who left it, and the longest absence. */
  observerLeft: number;
  observerLongestAbsenceMs: number;
}

type FailoverCell = { ok: true; figures: FailoverFigures } | { ok: false; error: string };

/** Polls `done` every 50 ms until it holds or `ms` pass; resolves with whether it held. */
async function until(done: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (await done()) return true;
    await sleep(50);
  }
  return done();
}

const NODE_TIMEOUT_DEFAULT_MS = 9_000;

async function failoverCell(p: Params, opts: RunOptions): Promise<FailoverCell & { notes: string[] }> {
  const nodes = Math.max(2, p.nodes);
  const nodeTimeoutMs = Number(process.env.NODE_TIMEOUT_MS) || NODE_TIMEOUT_DEFAULT_MS;
  const { outcome, notes } = await quietCell({
    opts,
    label: `cluster (c) failover, ${nodes} nodes`,
    measure: async (scope): Promise<FailoverFigures> => {
      const cluster = scope.add(await startBenchCluster({ nodes, fsync: "always", ...lifetime(opts), env: { NODE_TIMEOUT_MS: String(nodeTimeoutMs) } }));
      const proxy = await startProxy({ nodes: cluster.nodes.map((n) => ({ id: n.id, url: n.url })) });
      scope.add({ stop: () => proxy.close() });
      const tabs: BenchTab[] = [];
      scope.add({ stop: async () => tabs.forEach((t) => t.close()) });
      const open = (name: string, node: string) => {
        const tab = new BenchTab(proxy.url, BOARD_C, name, node);
        tabs.push(tab);
        return tab;
      };
      const [victimNode, writerNode] = [cluster.nodes[0]!, cluster.nodes[1]!];
      const observerNode = cluster.nodes[2] ?? writerNode;
      const writer = open("writer", writerNode.id);
      await writer.firstJoin;
      const observer = open("observer", observerNode.id);
      const victims = Array.from({ length: p.failoverTabs }, (_, i) => open(`tab-${i + 1}`, victimNode.id));
      await Promise.all([observer, ...victims].map((t) => t.firstJoin));

      // The observer's view of the victims: when each left its list, and for how long.
      const victimNames = new Set(victims.map((v) => v.name));
      const leftAt = new Map<string, number>();
      const absences = new Map<string, number>();
      let observerLeft = 0;
      observer.socket.on("presence:left", (userId) => {
        const name = observer.users.get(userId);
        if (!name || !victimNames.has(name)) return;
        observerLeft += 1;
        leftAt.set(name, performance.now());
      });
      observer.socket.on("presence:joined", (user) => {
        const since = leftAt.get(user.name);
        if (since === undefined) return;
        leftAt.delete(user.name);
        absences.set(user.name, Math.max(absences.get(user.name) ?? 0, performance.now() - since));
      });

      // The writer draws throughout, on a node that stays.
      const shapes = strokeShapes(3, 32);
      let writerAcked = 0;
      let writerSeqMax = 0;
      const writerAck = new Histogram();
      let n = 0;
      const timer = setInterval(() => {
        const started = performance.now();
        const id = `failover-${++n}`;
        writer.socket.timeout(30_000).emit("op", { type: "stroke:add", opId: `o-${id}`, stroke: { id, ...shapes[n % shapes.length]! } }, (err: Error | null, res: OpAck) => {
          if (err || !res.ok) return;
          writerAcked += 1;
          writerSeqMax = Math.max(writerSeqMax, res.seq);
          writerAck.record(performance.now() - started);
        });
      }, 1000 / p.writerRate);
      scope.add({ stop: async () => clearInterval(timer) });
      await sleep(1_000);

      const killedAt = performance.now();
      for (const v of victims) v.killedAt = killedAt;
      await victimNode.kill();

      // The dead node's tabs leave the cluster's roster once its heartbeat runs out (NODE_TIMEOUT_MS).
      const redis = new Redis({ path: new URL(cluster.redis.url).pathname, maxRetriesPerRequest: 1 });
      scope.add({ stop: async () => redis.disconnect() });
      let ghostsGoneMs: number | undefined;
      const ghostsGone = until(async () => {
        const keys = await redis.keys(`*:{${BOARD_C}}:tabs`);
        const records = keys.length ? await redis.hvals(keys[0]!) : [];
        const gone = records.every((r) => !String((JSON.parse(r) as { node: string }).node).startsWith(`${victimNode.id}~`));
        if (gone && ghostsGoneMs === undefined) ghostsGoneMs = performance.now() - killedAt;
        return gone;
      }, nodeTimeoutMs + 15_000);

      const back = await until(() => victims.every((v) => v.caughtUpAt !== undefined), 30_000);
      await ghostsGone;
      clearInterval(timer);
      // Every acked op reaches every tab (the last acks may still be on their way).
      await until(() => [...victims, observer].every((t) => t.lastSeq >= writerSeqMax), 10_000);

      const since = (at: number | undefined) => (at === undefined ? [] : [at - killedAt]);
      const dist = (values: number[]): Percentiles => {
        const h = new Histogram();
        for (const v of values) h.record(v);
        return percentiles(h);
      };
      const now = performance.now();
      for (const [name, at] of leftAt) absences.set(name, Math.max(absences.get(name) ?? 0, now - at));
      return {
        nodes,
        tabs: victims.length,
        nodeTimeoutMs,
        reconnectedMs: dist(victims.flatMap((v) => since(v.connectedAt))),
        rejoinedMs: dist(victims.flatMap((v) => since(v.rejoinedAt))),
        caughtUpMs: dist(victims.flatMap((v) => since(v.caughtUpAt))),
        notBack: back ? 0 : victims.filter((v) => v.caughtUpAt === undefined).length,
        deltaResumes: victims.filter((v) => v.joins > 1 && v.lastSync === "delta").length,
        writerAcked,
        writerSeqMax,
        leastHeldSeq: Math.min(...victims.map((v) => v.lastSeq)),
        duplicates: victims.reduce((s, v) => s + v.duplicates, 0),
        gaps: victims.reduce((s, v) => s + v.gaps, 0),
        writerAckP99Ms: writerAck.percentile(99),
        ghostsGoneMs,
        observerLeft,
        observerLongestAbsenceMs: Math.max(0, ...absences.values()),
      };
    },
    disturbed: () => false,
    describe: (f) =>
      `${f.tabs} tabs back (rejoined) p50 ${fmt.ms(f.rejoinedMs.p50)} max ${fmt.ms(f.rejoinedMs.max)} ms, caught up max ${fmt.ms(f.caughtUpMs.max)} ms; ` +
      `${f.duplicates} duplicates, ${f.gaps} gaps, least held seq ${f.leastHeldSeq} of ${f.writerSeqMax}`,
  });
  return outcome.ok ? { ok: true, figures: outcome.value, notes } : { ok: false, error: outcome.error, notes };
}

// ---------------------------------------------------------------------------------------------
// Tables

/** Redis commands per acked stroke (scripts and what they call; INFO counts both), and lost compare-and-sets. */
function redisPerStroke(w: ClusterWindow & StrokeFigures): [string, string] {
  if (!w.redisCounts) return ["–", "–"];
  const strokes = (w.ackedPerSec * w.clients.elapsedMs) / 1000;
  const calls = Object.entries(w.redisCounts).filter(([k]) => k.startsWith("cmd.") && k !== "cmd.info").reduce((s, [, v]) => s + v, 0);
  const scripts = (w.redisCounts["cmd.evalsha"] ?? 0) + (w.redisCounts["cmd.eval"] ?? 0);
  return [strokes > 0 ? `${(calls / strokes).toFixed(1)} (${(scripts / strokes).toFixed(2)} scripts)` : "–", fmt.int(w.redisCounts["err.SCRIBBLE_TAKEN"] ?? 0)];
}

const cpuList = (w: ClusterWindow) => w.nodes.map((n) => fmt.percent(n.window.cpuPercent)).join(" / ");
const perThousand = (cpuPercent: number | undefined, perSec: number) => (cpuPercent === undefined || perSec <= 0 ? undefined : (cpuPercent * 10) / (perSec / 1000));
const tags = (...loads: LoadCheck[]) => [...new Set(loads.flatMap((l) => l.tags))].join(", ") || "ok";
const failedRow = (label: string, width: number, error: string) => [label, ...Array<string>(width - 2).fill("–"), `failed: ${error.split("\n")[0]}`];

function oneBoardTables(cells: OneBoardCell[], p: Params): Table[] {
  const latency: Table = {
    title: `(a) One board, ${p.clients} clients spread evenly over the nodes: ${p.rate} strokes/s in all, then cursors at ${p.hz} Hz each (warm-up ${p.warmupMs / 1000} s, windows ${p.windowMs / 1000} s)`,
    columns: [
      { header: "setup", align: "left" },
      { header: "clients per node" },
      { header: "fan-out p50 ms" },
      { header: "fan-out p99 ms" },
      { header: "ack p50 ms" },
      { header: "ack p99 ms" },
      { header: "strokes delivered" },
      { header: "cursor p50 ms" },
      { header: "cursor p99 ms" },
      { header: "cursors delivered" },
      { header: "limits", align: "left" },
    ],
    rows: cells.map((c) =>
      c.ok
        ? [
            c.label,
            c.strokes.nodes.map((n) => n.clients).join(" / "),
            fmt.ms(c.strokes.fanoutMs.p50),
            fmt.ms(c.strokes.fanoutMs.p99),
            fmt.ms(c.strokes.ackMs.p50),
            fmt.ms(c.strokes.ackMs.p99),
            fmt.percent(c.strokes.deliveredShare * 100),
            fmt.ms(c.cursors.latencyMs.p50),
            fmt.ms(c.cursors.latencyMs.p99),
            fmt.percent(c.cursors.deliveredShare * 100),
            tags(c.strokes.load, c.cursors.load),
          ]
        : failedRow(c.label, 11, c.error),
    ),
  };
  const cpu: Table = {
    title: "(a) CPU (% of one core) while the strokes flow, and per 1,000 strokes delivered to a client",
    columns: [
      { header: "setup", align: "left" },
      { header: "node CPU, each" },
      { header: "nodes in all" },
      { header: "Redis" },
      { header: "delivered/s" },
      { header: "ms per 1,000: each node (its own clients' deliveries)" },
      { header: "ms per 1,000: nodes in all" },
      { header: "ms per 1,000: Redis" },
      { header: "MB out/s, nodes in all" },
      { header: "Redis commands per stroke" },
      { header: "seq taken (CAS lost)" },
    ],
    rows: cells.map((c) => {
      if (!c.ok) return failedRow(c.label, 11, c.error);
      const w = c.strokes;
      const total = nodesCpu(w);
      const clients = w.nodes.reduce((s, n) => s + n.clients, 0);
      return [
        c.label,
        cpuList(w),
        fmt.percent(total),
        fmt.percent(w.redisCpuPercent),
        fmt.int(w.deliveredPerSec),
        w.nodes.map((n) => fmt.ms(perThousand(n.window.cpuPercent, (w.deliveredPerSec * n.clients) / clients))).join(" / "),
        fmt.ms(perThousand(total, w.deliveredPerSec)),
        fmt.ms(perThousand(w.redisCpuPercent, w.deliveredPerSec)),
        fmt.megabytes(w.nodes.reduce((s, n) => s + n.window.bytesSentPerSec, 0)),
        ...redisPerStroke(w),
      ];
    }),
  };
  const cursors: Table = {
    title: `(a) CPU while ${p.clients} cursors move at ${p.hz} Hz (no strokes)`,
    columns: [
      { header: "setup", align: "left" },
      { header: "node CPU, each" },
      { header: "nodes in all" },
      { header: "Redis" },
      { header: "msgs out/s, nodes in all" },
      { header: "positions delivered/s" },
      { header: "node ms per 1,000 positions delivered" },
    ],
    rows: cells.map((c) => {
      if (!c.ok) return failedRow(c.label, 7, c.error);
      const w = c.cursors;
      return [
        c.label,
        cpuList(w),
        fmt.percent(nodesCpu(w)),
        fmt.percent(w.redisCpuPercent),
        fmt.int(w.nodes.reduce((s, n) => s + n.window.messagesSentPerSec, 0)),
        fmt.int(w.updatesPerSec),
        fmt.ms(perThousand(nodesCpu(w), w.updatesPerSec)),
      ];
    }),
  };
  const clustered = cells.filter((c) => c.topology.kind === "cluster" && c.topology.nodes === p.nodes);
  const tables = [latency, cpu, cursors];
  if (clustered.length > 1) {
    const always = clustered.find((c) => c.topology.kind === "cluster" && c.topology.fsync === "always");
    tables.push({
      title: `Durability: the ${p.nodes}-node run of (a) under each Redis appendfsync (ack = the author's emit to its ack: ordered in Redis, on its AOF, then answered)`,
      columns: [
        { header: "appendfsync", align: "left" },
        { header: "ack p50 ms" },
        { header: "ack p99 ms" },
        { header: "ack max ms" },
        { header: "fan-out p50 ms" },
        { header: "fan-out p99 ms" },
        { header: "Redis CPU" },
        { header: "ack p50 ÷ always" },
        { header: "ack p99 ÷ always" },
      ],
      rows: clustered.map((c) => {
        if (!c.ok || c.topology.kind !== "cluster") return failedRow(c.label, 9, c.ok ? "" : c.error);
        const base = always?.ok ? always.strokes.ackMs : undefined;
        const x = (a?: number, b?: number) => fmt.ratio(a === undefined || !b ? undefined : a / b);
        return [
          c.topology.fsync,
          fmt.ms(c.strokes.ackMs.p50),
          fmt.ms(c.strokes.ackMs.p99),
          fmt.ms(c.strokes.ackMs.max),
          fmt.ms(c.strokes.fanoutMs.p50),
          fmt.ms(c.strokes.fanoutMs.p99),
          fmt.percent(c.strokes.redisCpuPercent),
          x(c.strokes.ackMs.p50, base?.p50),
          x(c.strokes.ackMs.p99, base?.p99),
        ];
      }),
    });
  }
  return tables;
}

function manyBoardsTable(cells: ManyBoardsCell[], p: Params): Table {
  return {
    title: `(b) ${p.boards} boards × ${p.boardClients} clients, ${p.boardRate} strokes/s per board; in the cluster each board on the node the proxy's rendezvous hash picks (warm-up ${p.warmupMs / 1000} s, window ${p.windowMs / 1000} s)`,
    columns: [
      { header: "setup", align: "left" },
      { header: "boards per node" },
      { header: "clients per node" },
      { header: "node CPU, each" },
      { header: "busiest node" },
      { header: "nodes in all" },
      { header: "Redis" },
      { header: "delivered/s" },
      { header: "ms per 1,000 delivered: nodes + Redis" },
      { header: "fan-out p50 ms" },
      { header: "fan-out p99 ms" },
      { header: "ack p99 ms" },
      { header: "Redis commands per stroke" },
      { header: "limits", align: "left" },
    ],
    rows: cells.map((c) => {
      if (!c.ok) return failedRow(c.label, 14, c.error);
      const w = c.window;
      const total = nodesCpu(w);
      return [
        c.label,
        w.nodes.map((n) => String(n.boards ?? "–")).join(" / "),
        w.nodes.map((n) => String(n.clients)).join(" / "),
        cpuList(w),
        fmt.percent(Math.max(...w.nodes.map((n) => n.window.cpuPercent))),
        fmt.percent(total),
        fmt.percent(w.redisCpuPercent),
        fmt.int(w.deliveredPerSec),
        fmt.ms(perThousand(total + (w.redisCpuPercent ?? 0), w.deliveredPerSec)),
        fmt.ms(w.fanoutMs.p50),
        fmt.ms(w.fanoutMs.p99),
        fmt.ms(w.ackMs.p99),
        redisPerStroke(w)[0],
        tags(w.load),
      ];
    }),
  };
}

function failoverTable(cell: FailoverCell, p: Params): Table {
  const columns = [
    { header: "nodes" },
    { header: "tabs on the killed node" },
    { header: "connected again p50 / max ms" },
    { header: "rejoined p50 / max ms" },
    { header: "caught up p50 / max ms" },
    { header: "resumed with the missed ops only" },
    { header: "ops held / acked (least of the tabs)" },
    { header: "doubled / missing ops" },
    { header: "writer's ack p99 ms" },
    { header: "dead node's tabs off the roster after ms" },
    { header: "people who left the others' list, longest ms" },
  ];
  const title =
    `(c) Failover: tabs pinned to n1 through the cluster's proxy (polling then WebSocket, reconnection as in the browser), n1 killed with SIGKILL ` +
    `while a tab on n2 draws ${p.writerRate} strokes/s; times from the kill; NODE_TIMEOUT_MS ${cell.ok ? cell.figures.nodeTimeoutMs : "–"}`;
  if (!cell.ok) return { title, columns, rows: [["–", ...Array<string>(columns.length - 2).fill("–"), `failed: ${cell.error.split("\n")[0]}`]] };
  const f = cell.figures;
  const pm = (q: Percentiles) => `${fmt.ms(q.p50)} / ${fmt.ms(q.max)}`;
  return {
    title,
    columns,
    rows: [
      [
        String(f.nodes),
        `${f.tabs}${f.notBack ? ` (${f.notBack} not back)` : ""}`,
        pm(f.reconnectedMs),
        pm(f.rejoinedMs),
        pm(f.caughtUpMs),
        `${f.deltaResumes} of ${f.tabs}`,
        `${f.leastHeldSeq} / ${f.writerSeqMax}`,
        `${f.duplicates} / ${f.gaps + Math.max(0, f.writerSeqMax - f.leastHeldSeq)}`,
        fmt.ms(f.writerAckP99Ms),
        fmt.int(f.ghostsGoneMs),
        `${f.observerLeft}, ${fmt.int(f.observerLongestAbsenceMs)}`,
      ],
    ],
  };
}

// ---------------------------------------------------------------------------------------------

export const clusterCase: BenchCase = {
  name: "cluster",
  summary: "cluster mode (Redis): one board over 3 nodes vs one node, 30 boards with affinity, appendfsync always vs everysec, failover",
  async run(opts): Promise<CaseResult> {
    const p = params(opts);
    const notes: string[] = [];
    const tables: Table[] = [];
    let failures = 0;
    const cells: unknown[] = [];
    const inTime = (what: string) => {
      if (Date.now() <= opts.deadline) return true;
      notes.push(`skipped ${what}: the run's time budget was used up`);
      return false;
    };

    if (p.parts.includes("a")) {
      const topologies: Topology[] = [
        { kind: "single" },
        { kind: "cluster", nodes: 1, fsync: p.fsync[0]! },
        ...p.fsync.map((fsync): Topology => ({ kind: "cluster", nodes: p.nodes, fsync })),
      ];
      const results: OneBoardCell[] = [];
      for (const t of topologies) {
        if (!inTime(`(a) ${topologyLabel(t)}`)) continue;
        const cell = await oneBoardCell(t, p, opts);
        results.push(cell);
        const cellNotes = [...cell.notes, ...(cell.ok ? [...cell.strokes.load.notes, ...cell.cursors.load.notes] : [])];
        if (cell.ok && (cell.strokes.refused || cell.strokes.lost)) cellNotes.push(`${cell.strokes.refused} strokes refused, ${cell.strokes.lost} unanswered`);
        if (cellNotes.length) notes.push(`(a) ${cell.label}: ${[...new Set(cellNotes)].join("; ")}`);
        if (!cell.ok) failures += 1;
      }
      cells.push(...results.map((c) => ({ part: "a", ...c })));
      tables.push(...oneBoardTables(results, p));
    }

    if (p.parts.includes("b")) {
      const topologies: Topology[] = [{ kind: "single" }, { kind: "cluster", nodes: p.nodes, fsync: p.fsync[0]! }];
      const results: ManyBoardsCell[] = [];
      for (const t of topologies) {
        if (!inTime(`(b) ${topologyLabel(t)}`)) continue;
        const cell = await manyBoardsCell(t, p, opts);
        results.push(cell);
        const cellNotes = [...cell.notes, ...(cell.ok ? cell.window.load.notes : [])];
        if (cellNotes.length) notes.push(`(b) ${cell.label}: ${[...new Set(cellNotes)].join("; ")}`);
        if (!cell.ok) failures += 1;
      }
      cells.push(...results.map((c) => ({ part: "b", ...c })));
      tables.push(manyBoardsTable(results, p));
    }

    if (p.parts.includes("c") && inTime("(c) failover")) {
      const cell = await failoverCell(p, opts);
      cells.push({ part: "c", ...cell });
      tables.push(failoverTable(cell, p));
      if (cell.notes.length) notes.push(`(c): ${cell.notes.join("; ")}`);
      if (!cell.ok) failures += 1;
      else if (cell.figures.notBack || cell.figures.duplicates || cell.figures.gaps || cell.figures.leastHeldSeq < cell.figures.writerSeqMax) {
        notes.push("(c): some tab was not back, or missed or doubled ops: see the table");
        failures += 1;
      }
    }

    return {
      name: this.name,
      params: { ...p },
      cells,
      tables,
      notes,
      failures,
    };
  },
};
