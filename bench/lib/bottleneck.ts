import type { PoolWindow } from "./client-pool";
import { machineBusyPercent, sampleMachineCpu } from "./machine";
import { processWindow, sampleProcess } from "./process-sample";
import type { ServerWindow } from "./server-process";

/**
 * Where a cell's figures stop describing the server. With clients and server on one small
 * machine, the clients can be what limits a cell; its numbers are then kept but flagged, never
 * passed off as the server's capacity.
 */
export const LIMITS = {
  /** A process busier than this (% of one core) is at its ceiling: Node runs JS on one core. */
  processCpuPercent: 90,
  /** Clients sending below this share of their target rate did not produce the intended load. */
  sendRateShare: 0.9,
  /** A client loop this late (p99, ms) adds its lag to every latency it measures. */
  clientLoopDelayMs: 50,
  /** Server + clients above this share of all cores compete for CPU. */
  machineShare: 0.9,
  /** Processes outside the bench (a build, a test run) busier than this (% of a core) disturb it. */
  otherCpuPercent: 25,
} as const;

/** Server metrics that count load the server turned away: a cell with any did not run as meant. */
const REFUSALS = ["rateLimited", "invalidPayloads", "handlerErrors", "refusedConnections", "unknownEvents"];

export type LimitTag = "client-cpu" | "send-rate" | "client-lag" | "machine-cpu" | "server-cpu" | "other-load" | "server-refused";

/** The CPU of the whole machine and of the bench's own coordinating process over a window. */
export interface Surroundings {
  machinePercent: number;
  /** Part of machinePercent: kernel interrupt work, counted as the bench's (its loopback traffic). */
  softirqPercent: number;
  coordinatorPercent: number;
}

/** Starts watching; the returned function ends the window. */
export function watchSurroundings(cores: number): () => Surroundings {
  const machine = sampleMachineCpu();
  const self = sampleProcess();
  return () => {
    const { busy, softirq } = machineBusyPercent(machine, sampleMachineCpu(), cores);
    return { machinePercent: busy, softirqPercent: softirq, coordinatorPercent: processWindow(self, sampleProcess()).cpuPercent };
  };
}

export interface LoadCheck {
  /** True when the clients, not the server, limited the cell. */
  clientBound: boolean;
  /** Busy CPU over the window in % of one core: whole machine, and the part not the bench's. */
  machinePercent: number;
  /** Kernel interrupt time (loopback traffic), part of machinePercent. */
  softirqPercent: number;
  otherPercent: number;
  tags: LimitTag[];
  notes: string[];
}

export function checkLoad(input: {
  server: ServerWindow;
  clients: PoolWindow;
  cores: number;
  surroundings?: Surroundings;
  /** Sends per second the clients meant to make, and made. */
  targetRate?: number;
  achievedRate?: number;
}): LoadCheck {
  const { server, clients, cores } = input;
  const tags: LimitTag[] = [];
  const notes: string[] = [];
  const busiest = Math.max(0, ...clients.processes.map((p) => p.cpuPercent));
  const lag = Math.max(0, ...clients.processes.map((p) => p.loopDelayP99Ms));
  const ours = server.cpuPercent + clients.processes.reduce((a, p) => a + p.cpuPercent, 0);
  const total = input.surroundings?.machinePercent ?? ours;
  const s = input.surroundings;
  const others = s ? Math.max(0, total - ours - s.coordinatorPercent - s.softirqPercent) : 0;

  if (busiest >= LIMITS.processCpuPercent) {
    tags.push("client-cpu");
    notes.push(`a client process ran at ${busiest.toFixed(0)}% of a core`);
  }
  if (input.targetRate && input.achievedRate !== undefined && input.achievedRate < input.targetRate * LIMITS.sendRateShare) {
    tags.push("send-rate");
    notes.push(`clients sent ${input.achievedRate.toFixed(0)}/s of ${input.targetRate.toFixed(0)}/s intended`);
  }
  if (lag > LIMITS.clientLoopDelayMs) {
    tags.push("client-lag");
    notes.push(`client event-loop delay p99 ${lag.toFixed(0)} ms: latencies include client queuing`);
  }
  const clientBound = tags.length > 0;
  if (total >= cores * 100 * LIMITS.machineShare) {
    tags.push("machine-cpu");
    notes.push(`the machine was ${total.toFixed(0)}% busy of ${cores * 100}%: server and clients compete for cores`);
  }
  if (others >= LIMITS.otherCpuPercent) {
    tags.push("other-load");
    notes.push(`other processes used ${others.toFixed(0)}% of a core during the window: figures are disturbed`);
  }
  const refused = REFUSALS.flatMap((name) => (server.metrics[name] ? [[name, server.metrics[name]] as const] : []));
  if (refused.length > 0) {
    tags.push("server-refused");
    notes.push(`the server refused or dropped during the window: ${refused.map(([k, n]) => `${k} ${n}`).join(", ")}`);
  }
  if (server.cpuPercent >= LIMITS.processCpuPercent) {
    tags.push("server-cpu");
    notes.push(`the server ran at ${server.cpuPercent.toFixed(0)}% of a core: at its ceiling`);
  }
  return { clientBound, machinePercent: total, softirqPercent: s?.softirqPercent ?? 0, otherPercent: others, tags, notes };
}
