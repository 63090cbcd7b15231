import { PROTOCOL_VERSION, type OpAck } from "../../lib/protocol";
import { performance } from "node:perf_hooks";
import { strokeShapes } from "../lib/stroke-payload";
import type { Behaviour, JoinedBot, StartBehaviour } from "./types";

/** Counter and histogram names this behaviour reports (the storage case reads them). */
export const OPS_METRICS = {
  acked: "ops.acked",
  refused: "ops.refused",
  lost: "ops.lost",
  /** Emit to ack: the op validated, ordered, stored and answered. */
  ackMs: "ops.ackMs",
  /** Moves to a fresh board (a board holds at most 20,000 strokes). */
  rotations: "ops.rotations",
  /** Bots that stopped because their board was as full as allowed (`rotate: 0`). */
  capped: "ops.capped",
} as const;

const ACK_TIMEOUT_MS = 30_000;
const SHAPES = 64;

/**
 * Ops as fast as acks allow, closed loop: every bot keeps `window` stroke:add ops in flight and
 * sends the next one as each ack comes back, so the rate is what the server (and its store) can
 * take. A bot moves to a fresh board of its own once its board holds `boardStrokes` strokes (a
 * board takes at most 20,000, and the server's periodic snapshot costs grow with the board): it
 * lets its window drain, joins `<board>-r<k>` and goes on; or, with `rotate: 0`, it stops there
 * (to measure one big board, not fresh ones).
 */
export const startOps: StartBehaviour = (bots, options, meter) => {
  const window = options.window ?? 16;
  const boardStrokes = options.boardStrokes ?? 5_000;
  const shapes = strokeShapes(options.seed ?? 2, SHAPES);
  const acked = meter.counter(OPS_METRICS.acked);
  const refused = meter.counter(OPS_METRICS.refused);
  const lost = meter.counter(OPS_METRICS.lost);
  const rotations = meter.counter(OPS_METRICS.rotations);
  const capped = meter.counter(OPS_METRICS.capped);
  const rotate = (options.rotate ?? 1) !== 0;
  const ackMs = meter.histogram(OPS_METRICS.ackMs);
  let stopped = false;

  const run = (joined: JoinedBot) => {
    const { socket, bot } = joined;
    let inFlight = 0;
    let onBoard = 0;
    let total = 0;
    let rotation = 0;
    let rotating = false;

    const moveOn = () => {
      if (!rotate) {
        capped.n += 1;
        return;
      }
      rotating = false;
      rotation += 1;
      rotations.n += 1;
      const boardId = `${bot.boardId ?? joined.boardId}-r${rotation}`;
      socket.timeout(ACK_TIMEOUT_MS).emit("board:join", { protocol: PROTOCOL_VERSION, boardId, name: bot.name, clientId: bot.clientId }, (err, res) => {
        if (stopped) return;
        if (err || !res.ok) {
          lost.n += 1;
          return;
        }
        joined.boardId = boardId;
        onBoard = 0;
        fill();
      });
    };
    const sendOne = () => {
      const n = ++total;
      onBoard += 1;
      inFlight += 1;
      const strokeId = `${bot.clientId}-${n}`;
      const started = performance.now();
      socket.timeout(ACK_TIMEOUT_MS).emit("op", { type: "stroke:add", opId: `o-${strokeId}`, stroke: { id: strokeId, ...shapes[n % SHAPES]! } }, (err: Error | null, res: OpAck) => {
        inFlight -= 1;
        if (err) lost.n += 1;
        else if (res.ok) {
          acked.n += 1;
          ackMs.record(performance.now() - started);
        } else {
          refused.n += 1;
          meter.counter(`${OPS_METRICS.refused}.${res.error.code}`).n += 1;
        }
        if (!stopped) fill();
      });
    };
    const fill = () => {
      if (rotating) {
        if (inFlight === 0) moveOn();
        return;
      }
      while (inFlight < window) {
        if (onBoard >= boardStrokes) {
          rotating = true;
          if (inFlight === 0) moveOn();
          return;
        }
        sendOne();
      }
    };
    fill();
  };
  for (const b of bots) run(b);

  return {
    stop() {
      stopped = true;
    },
  } satisfies Behaviour;
};
