import type { CursorMode } from "../../lib/server/config";
import type { ProcessSample } from "./process-sample";
import type { HistogramData } from "./stats";

/** The calls between the bench parent and its children; both sides import these types. */

/** `scribble`: bench/processes/server.ts, the real Socket.IO server; `relay`: bench/processes/baseline-relay.ts. */
export type ServerKind = "scribble" | "relay";

export interface ServerReady {
  url: string;
  port: number;
  kind: ServerKind;
  /** The board store: `memory` or `sqlite` (scribble), `none` (the relay keeps nothing). */
  store: string;
  /** What the server under test actually runs with, as loadConfig read it (relay: "relay", 0). */
  cursorMode: CursorMode;
  cursorTickMs: number;
}

export interface ServerCounters {
  process: ProcessSample;
  /** Socket.IO events the server emitted to a client, one per receiver, before volatile drops. */
  emitsAttempted: number;
  /** Engine.IO "message" packets created for any client: every Socket.IO event sent. */
  messagesSent: number;
  /** Characters of those packets (ASCII JSON here, so bytes). */
  bytesSent: number;
  messagesReceived: number;
  connections: number;
  /** p99 event-loop delay since the previous `counters` call, in ms: how late the server ran. */
  loopDelayP99Ms: number;
  /** The server's own counters (lib/server/metrics.ts): what it refused, dropped or failed at. */
  metrics: Record<string, number>;
}

/** process.memoryUsage() after a full garbage collection (when the server runs with --expose-gc). */
export interface ServerMemory {
  rssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  /** Memory outside the JS heap held by JS objects: socket buffers, Buffers (arrayBuffers included). */
  externalBytes: number;
  collected: boolean;
  connections: number;
}

export type ServerApi = {
  counters: { params: null; result: ServerCounters };
  memory: { params: null; result: ServerMemory };
  /** Graceful close: sockets first, then the store finishes its writes and closes. */
  close: { params: null; result: null };
};

/** Who one bench connection joins as (a client worker's bot: it sends what its behaviour says). */
export interface BotIdentity {
  name: string;
  clientId: string;
  /** The board this bot joins, when not the one the whole pool joins. */
  boardId?: string;
}

export interface WorkerReady {
  pid: number;
}

/** What one client process measured over one window. */
export interface WorkerWindow {
  process: ProcessSample;
  processStart: ProcessSample;
  loopDelayP99Ms: number;
  counters: Record<string, number>;
  histograms: Record<string, HistogramData>;
}

/** One timed join of a board by a fresh connection (bench/processes/client-worker.ts `open`). */
export interface OpenTiming {
  /** board:join emitted to its ack. */
  ackMs: number;
  /** board:join emitted to the `board:strokes` chunk marked done (or the ack, if nothing follows). */
  doneMs: number;
  strokeCount: number;
  strokesReceived: number;
  chunks: number;
  /** Characters of every packet received from the join to the last chunk. */
  bytes: number;
}

export interface SeedResult {
  ops: number;
  ms: number;
}

/** Options of tools/bots/simulated-person.ts that a case may set (the rest are the worker's). */
export interface BotPlan {
  url: string;
  board: string;
  count: number;
  seed: number;
  drawEvery: number;
  colorEvery: number;
  chatEvery: number;
  cursorHz: number;
}

export interface BotsReport {
  joined: number;
  acked: number;
  refused: number;
  lastError: string | null;
}

export type WorkerApi = {
  /** Connects the bots (WebSocket only, no reconnection) and joins each to its board. */
  join: { params: { url: string; boardId: string; bots: BotIdentity[] }; result: { joinMs: number[] } };
  /** Every joined bot joins `boardId` instead (a fresh board on the same connections). */
  rejoin: { params: { boardId: string }; result: { joinMs: number[] } };
  /** Starts a behaviour on every bot of this worker; see bench/behaviours. */
  start: { params: { behaviour: string; options: Record<string, number> }; result: null };
  /** Stops the behaviours (and the simulated people); the bots stay connected and joined. */
  stopBehaviours: { params: null; result: null };
  /** Zeroes the counters: the measuring window starts now. */
  measureStart: { params: null; result: null };
  measureStop: { params: null; result: WorkerWindow };
  /**
   * Fills a board through the protocol from one connection: `leadingOps` circle colour changes,
   * then `strokes` hand-drawn strokes, `window` ops in flight.
   */
  seed: { params: { url: string; boardId: string; strokes: number; leadingOps: number; window: number }; result: SeedResult };
  /** Joins a board `times` times, one fresh connection after another, and times each. */
  open: { params: { url: string; boardId: string; times: number }; result: OpenTiming[] };
  /** Starts simulated people (tools/bots/simulated-person.ts) on a board. */
  startBots: { params: BotPlan; result: null };
  botsReport: { params: null; result: BotsReport };
  stop: { params: null; result: null };
};

/** One soak worker's share (bench/processes/soak-worker.ts): `count` simulated people over `boards`. */
export interface SoakWorkerConfig {
  url: string;
  boards: string[];
  count: number;
  firstIndex: number;
  seed: number;
}

export interface SoakWorkerReport {
  joined: number;
  acked: number;
  refused: number;
  errors: string[];
  /** boardId → stroke ids the server acked there. */
  ackedStrokes: Record<string, string[]>;
}

export type SoakWorkerApi = {
  /** How many of the worker's people are on their boards now. */
  joined: { params: null; result: number };
  /** Every person leaves; what the server acked them. */
  stop: { params: null; result: SoakWorkerReport };
};
