/**
 * Soak: many bots on many boards for a while, against the real server in its own process, then
 * checks that nothing broke. `npm run soak` (defaults: 500 bots, 20 boards, 60 s; loopback only;
 * `--bots`, `--boards`, `--seconds` to change). Exits non-zero if a check fails:
 *   - the server logged no error and no handler threw;
 *   - every stroke the server acked is on its board afterwards (read back from storage);
 *   - once everyone has left, idle boards have left memory and Socket.IO has swept its recovery
 *     buffer (once a minute), the server's heap is back near where it started.
 */
import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { io } from "socket.io-client";
import type { ClientSocket } from "../lib/client/socket";
import { PROTOCOL_VERSION, type Stroke, type StrokeChunk } from "../lib/protocol";
import type { SoakWorkerConfig, SoakWorkerReport } from "./soak-worker";

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
const TSX = ["--import", "tsx"];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number) => Math.round((bytes / 1_048_576) * 10) / 10;

interface MemoryReply {
  memory: NodeJS.MemoryUsage;
  cpu: NodeJS.CpuUsage;
}

function ask<T>(child: ChildProcess, message: string, key: keyof T): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (reply: T) => {
      if (reply && typeof reply === "object" && key in reply) {
        child.off("message", onMessage);
        resolve(reply);
      }
    };
    child.on("message", onMessage);
    child.send(message);
  });
}

async function startServer(): Promise<{ child: ChildProcess; url: string; errors: string[] }> {
  const child = fork("scripts/socket-server.ts", [], {
    execArgv: [...TSX, "--expose-gc"],
    env: {
      ...process.env,
      PORT: "0",
      DATA_DIR: mkdtempSync(join(tmpdir(), "scribble-soak-")),
      LOG_LEVEL: "warn",
      MAX_CONNECTIONS_PER_IP: String(BOTS + 100),
      BOARD_IDLE_MS: String(IDLE_MS),
      // 500 people would come from many addresses; these all come from 127.0.0.1.
      WRITE_BYTES_PER_SECOND: "1000000000",
      WRITE_BYTES_BURST: "1000000000",
    },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  const errors: string[] = [];
  child.stderr!.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n")) if (/\berror\b/.test(line)) errors.push(line);
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const m = /ready (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}`, errors };
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
  const heapBefore = (await ask<MemoryReply>(server.child, "memory", "memory")).memory;
  const cpuBefore = process.hrtime.bigint();
  console.log(`server on ${server.url}, heap ${mb(heapBefore.heapUsed)} MB; starting ${BOTS} bots on ${BOARDS} boards for ${SECONDS} s`);

  const perWorker = Math.ceil(BOTS / WORKERS);
  const workers = Array.from({ length: WORKERS }, (_, w) => {
    const config: SoakWorkerConfig = {
      url: server.url,
      boards,
      count: Math.min(perWorker, BOTS - w * perWorker),
      firstIndex: w * perWorker,
      seed: Date.now() % 100_000,
    };
    return fork("bench/soak-worker.ts", [JSON.stringify(config)], { execArgv: TSX, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  });

  const samples: { t: number; heapMb: number; rssMb: number }[] = [];
  const started = Date.now();
  while (Date.now() - started < SECONDS * 1000) {
    await sleep(5_000);
    const { memory } = await ask<MemoryReply>(server.child, "memory", "memory");
    const joined = (await Promise.all(workers.map((w) => ask<{ joined: number }>(w, "joined?", "joined")))).reduce((n, r) => n + r.joined, 0);
    samples.push({ t: Math.round((Date.now() - started) / 1000), heapMb: mb(memory.heapUsed), rssMb: mb(memory.rss) });
    console.log(`  ${samples.at(-1)!.t}s: ${joined}/${BOTS} bots on their boards, server heap ${mb(memory.heapUsed)} MB, rss ${mb(memory.rss)} MB`);
  }

  const reports = await Promise.all(workers.map((w) => ask<{ report: SoakWorkerReport }>(w, "stop", "report").then((r) => r.report)));
  await Promise.all(workers.map((w) => once(w, "exit")));

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
  const after = await ask<MemoryReply>(server.child, "memory", "memory");
  server.child.kill("SIGTERM");
  await once(server.child, "exit");

  const acked = reports.reduce((n, r) => n + r.acked, 0);
  const refused = reports.reduce((n, r) => n + r.refused, 0);
  const heapGrowthMb = mb(after.memory.heapUsed - heapBefore.heapUsed);
  const checks = {
    "no server errors": server.errors.length === 0 && health.counters.handlerErrors === 0,
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
    serverErrors: server.errors.length,
    counters: health.counters,
    heapBeforeMb: mb(heapBefore.heapUsed),
    heapPeakMb: Math.max(...samples.map((s) => s.heapMb)),
    heapAfterMb: mb(after.memory.heapUsed),
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
