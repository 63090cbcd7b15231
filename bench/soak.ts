/**
 * Soak: many bots on many boards for a while, against the real server in its own process, then
 * checks that nothing broke. `npm run soak` (defaults: 500 bots, 20 boards, 60 s; loopback only;
 * `--bots`, `--boards`, `--seconds` to change). Exits non-zero if a check fails:
 *   - the server logged no error and no handler threw;
 *   - every stroke the server acked is on its board afterwards (read back from storage);
 *   - once everyone has left, idle boards have left memory and Socket.IO has swept its recovery
 *     buffer (once a minute), the server's heap is back near where it started.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { io } from "socket.io-client";
import type { ClientSocket } from "../lib/client/socket";
import { PROTOCOL_VERSION, type Stroke, type StrokeChunk } from "../lib/protocol";
import { installChildCleanup, startChild } from "./lib/child";
import type { SoakWorkerApi, SoakWorkerConfig, WorkerReady } from "./lib/contracts";
import { startBenchServer } from "./lib/server-process";

const { values } = parseArgs({
  options: {
    bots: { type: "string", default: "500" },
    boards: { type: "string", default: "20" },
    seconds: { type: "string", default: "60" },
    workers: { type: "string", default: "2" },
  },
});
const BOTS = Number(values.bots);
const BOARDS = Number(values.boards);
const SECONDS = Math.min(600, Number(values.seconds));
const WORKERS = Number(values.workers);
const IDLE_MS = 2_000;
/** Past the run itself: reading every board back and waiting for them to leave memory. */
const CHECKS_MS = 3 * 60_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number) => Math.round((bytes / 1_048_576) * 10) / 10;

installChildCleanup();

/** The real server (bench/processes/server.ts) on SQLite; it logs errors only, each one a failed check. */
function startServer() {
  return startBenchServer({
    store: "sqlite",
    exposeGc: true,
    realLimits: true,
    maxLifetimeMs: SECONDS * 1000 + CHECKS_MS,
    env: {
      LOG_LEVEL: "error",
      BOARD_IDLE_MS: String(IDLE_MS),
      // 500 people would come from many addresses; these all come from 127.0.0.1.
      MAX_CONNECTIONS_PER_IP: String(BOTS + 100),
      WRITE_BYTES_PER_SECOND: "1000000000",
      WRITE_BYTES_BURST: "1000000000",
    },
  });
}

/** Joins a board as an observer, reads every stroke, and leaves. */
async function readBoard(url: string, boardId: string): Promise<Stroke[]> {
  const socket: ClientSocket = io(url, { transports: ["websocket"], forceNew: true, reconnection: false });
  try {
    const strokes: Stroke[] = [];
    const done = new Promise<void>((resolve) =>
      socket.on("board:strokes", (chunk: StrokeChunk) => {
        strokes.push(...chunk.strokes);
        if (chunk.done) resolve();
      }),
    );
    const res = await socket.timeout(30_000).emitWithAck("board:join", { protocol: PROTOCOL_VERSION, boardId, name: "Verifier", clientId: "soak-verifier" });
    if (!res.ok) throw new Error(`verifier could not join ${boardId}: ${res.error.message}`);
    await done;
    return strokes;
  } finally {
    socket.disconnect();
  }
}

async function main(): Promise<void> {
  const server = await startServer();
  const boards = Array.from({ length: BOARDS }, (_, i) => `soak-${i}`);
  const heapBefore = await server.memory();
  const cpuBefore = process.hrtime.bigint();
  console.log(`server on ${server.url}, heap ${mb(heapBefore.heapUsedBytes)} MB; starting ${BOTS} bots on ${BOARDS} boards for ${SECONDS} s`);

  const perWorker = Math.ceil(BOTS / WORKERS);
  const workers = await Promise.all(
    Array.from({ length: WORKERS }, (_, w) => {
      const config: SoakWorkerConfig = {
        url: server.url,
        boards,
        count: Math.min(perWorker, BOTS - w * perWorker),
        firstIndex: w * perWorker,
        seed: Date.now() % 100_000,
      };
      return startChild<SoakWorkerApi, WorkerReady>({
        script: "bench/processes/soak-worker.ts",
        name: `soak-${w + 1}`,
        env: { SOAK_WORKER: JSON.stringify(config) },
        maxLifetimeMs: SECONDS * 1000 + CHECKS_MS,
      });
    }),
  );

  const samples: { t: number; heapMb: number; rssMb: number }[] = [];
  const started = Date.now();
  while (Date.now() - started < SECONDS * 1000) {
    await sleep(5_000);
    const memory = await server.memory();
    const joined = (await Promise.all(workers.map((w) => w.rpc.call("joined", null)))).reduce((n, j) => n + j, 0);
    samples.push({ t: Math.round((Date.now() - started) / 1000), heapMb: mb(memory.heapUsedBytes), rssMb: mb(memory.rssBytes) });
    console.log(`  ${samples.at(-1)!.t}s: ${joined}/${BOTS} bots on their boards, server heap ${mb(memory.heapUsedBytes)} MB, rss ${mb(memory.rssBytes)} MB`);
  }

  const reports = await Promise.all(workers.map((w) => w.rpc.call("stop", null)));
  await Promise.all(workers.map((w) => w.stop()));

  // Every acked stroke must be on its board, read back after the boards left memory.
  await sleep(IDLE_MS * 2);
  let lost = 0;
  let checked = 0;
  for (const board of boards) {
    const stored = new Set((await readBoard(server.url, board)).map((s) => s.id));
    const acked = reports.flatMap((r) => r.ackedStrokes[board] ?? []);
    checked += acked.length;
    lost += acked.filter((id) => !stored.has(id)).length;
  }

  // Reading them back loaded the boards again: judge the heap once they have left memory (at
  // most a minute's wait, checked every half second).
  type Health = { counters: Record<string, number>; boardsInMemory: number };
  const healthNow = async () => (await (await fetch(`${server.url}/healthz`)).json()) as Health;
  let health = await healthNow();
  for (let waited = 0; waited < 60_000 && health.boardsInMemory > 0; waited += 500) {
    await sleep(500);
    health = await healthNow();
  }
  const after = await server.memory();
  const errors = server.output().split("\n").filter((line) => / error /.test(line));
  // Graceful: the sockets close, the store finishes its writes.
  await server.close();
  await server.stop();

  const acked = reports.reduce((n, r) => n + r.acked, 0);
  const refused = reports.reduce((n, r) => n + r.refused, 0);
  const heapGrowthMb = mb(after.heapUsedBytes - heapBefore.heapUsedBytes);
  const checks = {
    "no server errors": errors.length === 0 && health.counters.handlerErrors === 0,
    "no acked stroke lost": lost === 0 && checked > 0,
    "heap back near its baseline (+10 MB)": heapGrowthMb <= 10,
    "no board left in memory": health.boardsInMemory === 0,
  };
  const result = {
    command: `npm run soak -- --bots ${BOTS} --boards ${BOARDS} --seconds ${SECONDS}`,
    date: new Date().toISOString(),
    machine: `${cpus()[0]?.model ?? "?"} × ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
    bots: BOTS,
    boards: BOARDS,
    seconds: SECONDS,
    wallSeconds: Number((process.hrtime.bigint() - cpuBefore) / 1_000_000_000n),
    ackedOps: acked,
    refusedOps: refused,
    ackedStrokesChecked: checked,
    lostStrokes: lost,
    serverErrors: errors.length,
    counters: health.counters,
    heapBeforeMb: mb(heapBefore.heapUsedBytes),
    heapPeakMb: Math.max(...samples.map((s) => s.heapMb)),
    heapAfterMb: mb(after.heapUsedBytes),
    samples,
    checks,
  };
  mkdirSync("bench/results", { recursive: true });
  const file = `bench/results/soak-${result.date.replace(/[:.]/g, "-")}.json`;
  writeFileSync(file, JSON.stringify(result, null, 2));
  console.log(JSON.stringify({ ...result, samples: undefined }, null, 2));
  console.log(`written to ${file}`);
  for (const [name, ok] of Object.entries(checks)) console.log(`${ok ? "PASS" : "FAIL"}  ${name}`);
  process.exit(Object.values(checks).every(Boolean) ? 0 : 1);
}

await main();
