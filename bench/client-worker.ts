/**
 * A client process: hosts a share of a case's bots, so that the clients of a cell are spread
 * over processes and measured apart from the server. Forked by bench/lib/client-pool.ts.
 */
import { performance } from "node:perf_hooks";
import { io } from "socket.io-client";
import type { ClientSocket } from "../lib/client/socket";
import { BEHAVIOURS } from "./behaviours";
import type { Behaviour, JoinedBot } from "./behaviours/types";
import type { Bot, WorkerApi, WorkerReady } from "./lib/contracts";
import { Meter } from "./lib/meter";
import { LoopDelay, sampleProcess, type ProcessSample } from "./lib/process-sample";
import { serve } from "./lib/rpc";

/** Joins in flight at once: enough to be quick, few enough not to time out on a busy server. */
const JOIN_CONCURRENCY = 20;
const CONNECT_TIMEOUT_MS = 10_000;

const sockets: ClientSocket[] = [];
const joined: JoinedBot[] = [];
const behaviours: Behaviour[] = [];
const meter = new Meter();
const loopDelay = new LoopDelay();
let windowStart: ProcessSample = sampleProcess();

async function joinBot(url: string, boardId: string, bot: Bot): Promise<number> {
  const started = performance.now();
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
  const res = await socket.timeout(CONNECT_TIMEOUT_MS).emitWithAck("board:join", { boardId, ...bot });
  if (!res.ok) throw new Error(`${bot.name} could not join: ${res.error.code} ${res.error.message}`);
  joined.push({ socket, userId: res.self.id });
  return performance.now() - started;
}

serve<WorkerApi, WorkerReady>(
  {
    async join({ url, boardId, bots }) {
      const joinMs: number[] = [];
      // A fixed number of lanes, each taking the next bot: bounded by the bot count.
      let nextBot = 0;
      const lane = async () => {
        while (nextBot < bots.length) {
          const bot = bots[nextBot++]!;
          joinMs.push(await joinBot(url, boardId, bot));
        }
      };
      await Promise.all(Array.from({ length: Math.min(JOIN_CONCURRENCY, bots.length) }, lane));
      return { joinMs };
    },
    start({ behaviour, options }) {
      const start = BEHAVIOURS[behaviour];
      if (!start) throw new Error(`unknown behaviour ${behaviour}`);
      behaviours.push(start(joined, options, meter));
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
    stop() {
      for (const b of behaviours.splice(0)) b.stop();
      joined.length = 0;
      for (const s of sockets.splice(0)) s.disconnect();
      return null;
    },
  },
  { pid: process.pid },
);
