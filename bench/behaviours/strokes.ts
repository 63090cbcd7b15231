import type { AppliedOp, OpAck } from "../../lib/protocol";
import type { Meter } from "../lib/meter";
import { opAge, stampedOpId, strokeShapes } from "../lib/stroke-payload";
import { nowMs } from "../lib/wall-clock";
import { Mover } from "./schedule";
import type { Behaviour, StartBehaviour } from "./types";

/** Counter and histogram names this behaviour reports (the fan-out and ramp cases read them). */
export const STROKE_METRICS = {
  /** stroke:add ops emitted. */
  sent: "strokes.sent",
  acked: "strokes.acked",
  /** Answered with an error (the code is in `strokes.refused.<code>`). */
  refused: "strokes.refused",
  /** No answer within the ack timeout. */
  lost: "strokes.lost",
  /** `op` events received for someone else's stroke: the deliveries. */
  delivered: "strokes.delivered",
  /** Commit (the author's emit) to receipt at each other client. */
  fanoutMs: "strokes.fanoutMs",
  /** Commit to the author's ack: stored and ordered. */
  ackMs: "strokes.ackMs",
} as const;

const ACK_TIMEOUT_MS = 30_000;
const SHAPES = 64;
/** Per process, never reset: a stroke id is not reused when the behaviour starts again. */
let counter = 0;

/**
 * Stroke fan-out, open loop: every bot commits a hand-drawn stroke (`stroke:add` with an ack,
 * as a tab does when the pen lifts) `hz` times a second (a fraction for many bots: the case sets
 * the total rate), at its own random phase, whatever the server's answers. Every op id carries its
 * send time; every bot times each `op` it receives. So the latency is commit to receipt at every
 * other client, and a server that falls behind shows as growing latency, not as a slower sender.
 */
export const startStrokes: StartBehaviour = (bots, options, meter) => {
  const hz = options.hz ?? 1;
  const shapes = strokeShapes(options.seed ?? 1, SHAPES);
  const sent = meter.counter(STROKE_METRICS.sent);
  const acked = meter.counter(STROKE_METRICS.acked);
  const refused = meter.counter(STROKE_METRICS.refused);
  const lost = meter.counter(STROKE_METRICS.lost);
  const delivered = meter.counter(STROKE_METRICS.delivered);
  const fanout = meter.histogram(STROKE_METRICS.fanoutMs);
  const ackMs = meter.histogram(STROKE_METRICS.ackMs);

  const onOp = (applied: AppliedOp) => {
    if (applied.op.type !== "stroke:add") return;
    const age = opAge(applied.op.opId);
    if (age === undefined) return;
    delivered.n += 1;
    fanout.record(age);
  };
  for (const { socket } of bots) socket.on("op", onOp);

  const movers = bots.map(
    ({ socket, bot }) =>
      new Mover(1000 / hz, () => {
        const n = ++counter;
        const strokeId = `${bot.clientId}-${n}`;
        const at = nowMs();
        const opId = stampedOpId(strokeId, at);
        sent.n += 1;
        socket.timeout(ACK_TIMEOUT_MS).emit("op", { type: "stroke:add", opId, stroke: { id: strokeId, ...shapes[n % SHAPES]! } }, (err: Error | null, res: OpAck) => {
          if (err) lost.n += 1;
          else if (res.ok) {
            acked.n += 1;
            ackMs.record(nowMs() - at);
          } else {
            refused.n += 1;
            meter.counter(`${STROKE_METRICS.refused}.${res.error.code}`).n += 1;
          }
        });
      }),
  );

  return {
    stop() {
      for (const m of movers) m.stop();
      for (const { socket } of bots) socket.off("op", onOp);
    },
  } satisfies Behaviour;
};
