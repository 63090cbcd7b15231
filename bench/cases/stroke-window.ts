import { STROKE_METRICS } from "../behaviours/strokes";
import { checkLoad, watchSurroundings, type LoadCheck } from "../lib/bottleneck";
import { percentiles, type Percentiles } from "../lib/cell";
import type { ClientPool, PoolWindow } from "../lib/client-pool";
import type { ServerKind } from "../lib/contracts";
import * as fmt from "../lib/format";
import { sleep } from "../lib/scope";
import { serverWindow, type BenchServer, type ServerWindow } from "../lib/server-process";
import { perSecond } from "../lib/stats";

/** What one window of stroke fan-out measured (the fanout cells and each ramp step). */
export interface StrokeWindow {
  kind: ServerKind;
  clients: number;
  /** Stroke commits per second over all clients, as asked. */
  targetRate: number;
  sentPerSec: number;
  ackedPerSec: number;
  deliveredPerSec: number;
  /** Deliveries ÷ (acked × (N−1)): 1 when every acked stroke reached every other client in the window. */
  deliveredShare: number;
  refused: number;
  lost: number;
  fanoutMs: Percentiles;
  ackMs: Percentiles;
  server: ServerWindow;
  /** Server CPU time per 1,000 strokes delivered to a client. */
  serverCpuMsPer1000: number;
  clientProcesses: PoolWindow["processes"];
  load: LoadCheck;
}

/**
 * With the bots joined on one board: every bot commits strokes at `rate / N` a second (the
 * `strokes` behaviour), warm-up, then one measuring window; the behaviour is stopped after.
 */
export async function measureStrokeWindow(
  server: BenchServer,
  pool: ClientPool,
  p: { clients: number; rate: number; warmupMs: number; windowMs: number; cores: number },
): Promise<StrokeWindow> {
  await pool.start("strokes", { hz: p.rate / p.clients });
  await sleep(p.warmupMs);
  const [before] = await Promise.all([server.counters(), pool.measureStart()]);
  const surroundings = watchSurroundings(p.cores);
  await sleep(p.windowMs);
  const [after, clients] = await Promise.all([server.counters(), pool.measureStop()]);
  const around = surroundings();
  await pool.stopBehaviours();

  const srv = serverWindow(before, after);
  const count = (name: string) => clients.counters[name] ?? 0;
  const rate = (name: string) => perSecond(count(name), clients.elapsedMs);
  const sentPerSec = rate(STROKE_METRICS.sent);
  const ackedPerSec = rate(STROKE_METRICS.acked);
  const deliveredPerSec = rate(STROKE_METRICS.delivered);
  const load = checkLoad({ server: srv, clients, cores: p.cores, surroundings: around, targetRate: p.rate, achievedRate: sentPerSec });
  const refused = count(STROKE_METRICS.refused);
  const lost = count(STROKE_METRICS.lost);
  if (refused > 0) {
    const codes = Object.entries(clients.counters).filter(([k, v]) => k.startsWith(`${STROKE_METRICS.refused}.`) && v > 0);
    load.notes.push(`${refused} strokes refused (${codes.map(([k, v]) => `${k.split(".").pop()} ${v}`).join(", ")})`);
  }
  if (lost > 0) load.notes.push(`${lost} strokes got no answer within 30 s`);
  return {
    kind: server.info.kind,
    clients: p.clients,
    targetRate: p.rate,
    sentPerSec,
    ackedPerSec,
    deliveredPerSec,
    deliveredShare: ackedPerSec > 0 ? deliveredPerSec / (ackedPerSec * (p.clients - 1)) : 0,
    refused,
    lost,
    fanoutMs: percentiles(clients.histograms[STROKE_METRICS.fanoutMs]),
    ackMs: percentiles(clients.histograms[STROKE_METRICS.ackMs]),
    server: srv,
    serverCpuMsPer1000: deliveredPerSec > 0 ? (srv.cpuPercent * 10) / (deliveredPerSec / 1000) : Number.NaN,
    clientProcesses: clients.processes,
    load,
  };
}

export function describeStrokeWindow(w: StrokeWindow): string {
  return (
    `${w.kind} ${w.clients} clients ${w.targetRate} ops/s: sent ${fmt.int(w.sentPerSec)}/s, delivered ${fmt.int(w.deliveredPerSec)}/s, ` +
    `fan-out p50 ${fmt.ms(w.fanoutMs.p50)} p99 ${fmt.ms(w.fanoutMs.p99)} ms, server ${fmt.percent(w.server.cpuPercent)} CPU` +
    (w.load.tags.length ? ` [${w.load.tags.join(", ")}]` : "")
  );
}

export const clientCpuMax = (w: { clientProcesses: PoolWindow["processes"] }) => Math.max(0, ...w.clientProcesses.map((c) => c.cpuPercent));
