/**
 * A client process: hosts a share of a case's bots, so that the clients of a cell are spread
 * over processes and measured apart from the server. Forked by bench/lib/client-pool.ts.
 */
import { performance } from "node:perf_hooks";
import { io } from "socket.io-client";
import type { ClientSocket } from "../lib/client/socket";
import { CIRCLE_PALETTE } from "../lib/client/palette";
import { PROTOCOL_VERSION, type OpAck } from "../lib/protocol";
import { BEHAVIOURS } from "./behaviours";
import type { Behaviour, JoinedBot } from "./behaviours/types";
import { Bot as PersonBot } from "./bots/bot";
import type { Bot, OpenTiming, WorkerApi, WorkerReady } from "./lib/contracts";
import { Meter } from "./lib/meter";
import { LoopDelay, sampleProcess, type ProcessSample } from "./lib/process-sample";
import { serve } from "./lib/rpc";
import { strokeShapes } from "./lib/stroke-payload";

/** Joins in flight at once: enough to be quick, few enough not to time out on a busy server. */
const JOIN_CONCURRENCY = 20;
const CONNECT_TIMEOUT_MS = 10_000;
const ACK_TIMEOUT_MS = 30_000;

const sockets: ClientSocket[] = [];
const joined: JoinedBot[] = [];
const behaviours: Behaviour[] = [];
const people: PersonBot[] = [];
const meter = new Meter();
const loopDelay = new LoopDelay();
let windowStart: ProcessSample = sampleProcess();

async function connect(url: string): Promise<ClientSocket> {
  const socket: ClientSocket = io(url, {
    forceNew: true,
    reconnection: false,
    transports: ["websocket"],
    timeout: CONNECT_TIMEOUT_MS,
  });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  });
  return socket;
}

async function joinBot(url: string, boardId: string, bot: Bot): Promise<number> {
  const started = performance.now();
  const socket = await connect(url);
  const res = await socket.timeout(CONNECT_TIMEOUT_MS).emitWithAck("board:join", { protocol: PROTOCOL_VERSION, boardId, name: bot.name, clientId: bot.clientId });
  if (!res.ok) throw new Error(`${bot.name} could not join: ${res.error.code} ${res.error.message}`);
  joined.push({ socket, userId: res.self.id, bot, boardId });
  return performance.now() - started;
}

/** Runs `task` over `items` with at most `lanes` at once; resolves with each result in order of completion. */
async function inLanes<T, R>(items: readonly T[], lanes: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  let next = 0;
  const lane = async () => {
    while (next < items.length) out.push(await task(items[next++]!));
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
  return out;
}

/** Times one join of a board by a fresh connection: ack, then every `board:strokes` chunk. */
async function openOnce(url: string, boardId: string, k: number): Promise<OpenTiming> {
  const socket = await connect(url);
  try {
    let bytes = 0;
    const onPacket = (packet: { type: string; data?: unknown }) => {
      if (typeof packet.data === "string") bytes += packet.data.length;
    };
    socket.io.engine.on("packet", onPacket);
    let strokesReceived = 0;
    let chunks = 0;
    const started = performance.now();
    let ackMs = 0;
    const done = new Promise<number>((resolve) => {
      socket.on("board:strokes", (chunk) => {
        chunks += 1;
        strokesReceived += chunk.strokes.length;
        if (chunk.done) resolve(performance.now() - started);
      });
    });
    const res = await socket
      .timeout(ACK_TIMEOUT_MS)
      .emitWithAck("board:join", { protocol: PROTOCOL_VERSION, boardId, name: `opener-${process.pid}-${k}`, clientId: `opener-${process.pid}-${k}` });
    ackMs = performance.now() - started;
    if (!res.ok) throw new Error(`opening ${boardId}: ${res.error.code} ${res.error.message}`);
    const doneMs = res.sync === "full" && res.strokeCount > 0 ? await withTimeout(done, ACK_TIMEOUT_MS, `strokes of ${boardId}`) : ackMs;
    socket.io.engine.off("packet", onPacket);
    return { ackMs, doneMs, strokeCount: res.strokeCount, strokesReceived, chunks, bytes };
  } finally {
    socket.disconnect();
    sockets.splice(sockets.indexOf(socket), 1);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

serve<WorkerApi, WorkerReady>(
  {
    async join({ url, boardId, bots }) {
      const joinMs = await inLanes(bots, JOIN_CONCURRENCY, (bot) => joinBot(url, bot.boardId ?? boardId, bot));
      return { joinMs };
    },
    async rejoin({ boardId }) {
      const joinMs = await inLanes(joined, JOIN_CONCURRENCY, async (b) => {
        const started = performance.now();
        const res = await b.socket
          .timeout(ACK_TIMEOUT_MS)
          .emitWithAck("board:join", { protocol: PROTOCOL_VERSION, boardId, name: b.bot.name, clientId: b.bot.clientId });
        if (!res.ok) throw new Error(`${b.bot.name} could not join ${boardId}: ${res.error.code} ${res.error.message}`);
        b.boardId = boardId;
        b.userId = res.self.id;
        return performance.now() - started;
      });
      return { joinMs };
    },
    start({ behaviour, options }) {
      const start = BEHAVIOURS[behaviour];
      if (!start) throw new Error(`unknown behaviour ${behaviour}`);
      behaviours.push(start(joined, options, meter));
      return null;
    },
    stopBehaviours() {
      for (const b of behaviours.splice(0)) b.stop();
      for (const p of people.splice(0)) p.stop();
      return null;
    },
    measureStart() {
      meter.reset();
      loopDelay.reset();
      windowStart = sampleProcess();
      return null;
    },
    measureStop() {
      return { process: sampleProcess(), processStart: windowStart, loopDelayP99Ms: loopDelay.p99Ms(), ...meter.snapshot() };
    },
    async seed({ url, boardId, strokes, leadingOps, window }) {
      const socket = await connect(url);
      try {
        const started = performance.now();
        const res = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck("board:join", { protocol: PROTOCOL_VERSION, boardId, name: "Seeder", clientId: `seeder-${process.pid}` });
        if (!res.ok) throw new Error(`seeder could not join ${boardId}: ${res.error.message}`);
        const shapes = strokeShapes(7, 256);
        const total = leadingOps + strokes;
        const opFor = (i: number) =>
          i < leadingOps
            ? { type: "circle:set" as const, opId: `seed-c${i}`, color: CIRCLE_PALETTE[i % CIRCLE_PALETTE.length]!.color }
            : { type: "stroke:add" as const, opId: `seed-s${i}`, stroke: { id: `seed-${i}`, ...shapes[i % shapes.length]! } };
        let next = 0;
        await inLanes(Array.from({ length: window }), window, async () => {
          while (next < total) {
            const res: OpAck = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck("op", opFor(next++));
            if (!res.ok) throw new Error(`seeding ${boardId} refused: ${res.error.code} ${res.error.message}`);
          }
        });
        return { ops: total, ms: performance.now() - started };
      } finally {
        socket.disconnect();
        sockets.splice(sockets.indexOf(socket), 1);
      }
    },
    async open({ url, boardId, times }) {
      const timings: OpenTiming[] = [];
      for (let k = 0; k < times; k++) timings.push(await openOnce(url, boardId, k));
      return timings;
    },
    startBots(plan) {
      for (let i = 0; i < plan.count; i++) {
        const bot = new PersonBot({
          url: plan.url,
          board: plan.board,
          name: `Bot ${i + 1}`,
          clientId: `bench-person-${process.pid}-${i + 1}`,
          seed: plan.seed + i,
          drawEvery: plan.drawEvery,
          colorEvery: plan.colorEvery,
          chatEvery: plan.chatEvery,
          cursorHz: plan.cursorHz,
        });
        bot.start();
        people.push(bot);
      }
      return null;
    },
    botsReport() {
      return {
        joined: people.filter((p) => p.stats.joined).length,
        acked: people.reduce((n, p) => n + p.stats.acked, 0),
        refused: people.reduce((n, p) => n + p.stats.refused, 0),
        lastError: people.map((p) => p.stats.lastError).find((e) => e !== null) ?? null,
      };
    },
    stop() {
      for (const b of behaviours.splice(0)) b.stop();
      for (const p of people.splice(0)) p.stop();
      joined.length = 0;
      for (const s of sockets.splice(0)) s.disconnect();
      return null;
    },
  },
  { pid: process.pid },
);
