import type { CursorMode } from "../../lib/server/config";
import type { ProcessSample } from "./process-sample";
import type { HistogramData } from "./stats";

/** The calls between the bench parent and its children; both sides import these types. */

export interface ServerReady {
  url: string;
  port: number;
  /** What the server under test actually runs with, as loadConfig read it. */
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

export type ServerApi = {
  counters: { params: null; result: ServerCounters };
};

export interface Bot {
  name: string;
  clientId: string;
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

export type WorkerApi = {
  /** Connects the bots (WebSocket only, no reconnection) and joins each to the board. */
  join: { params: { url: string; boardId: string; bots: Bot[] }; result: { joinMs: number[] } };
  /** Starts a behaviour on every bot of this worker; see bench/behaviours. */
  start: { params: { behaviour: string; options: Record<string, number> }; result: null };
  /** Zeroes the counters: the measuring window starts now. */
  measureStart: { params: null; result: null };
  measureStop: { params: null; result: WorkerWindow };
  stop: { params: null; result: null };
};
