import { setImmediate as nextTurn } from "node:timers/promises";
import type { Stroke } from "../protocol";
import type { JoinFollow } from "./board-room";
import { drained } from "./outbound";
import type { ScribbleSocket } from "./rooms";

/** Strokes per `board:strokes` message: about 0.5 MB of JSON for hand-drawn strokes. */
export const STROKE_CHUNK_SIZE = 250;
/**
 * Points per `board:strokes` message, so that a chunk of the longest strokes is no bigger: at most
 * about 2 MB of JSON, well under OUTBOUND_MAX_BYTES.
 */
export const STROKE_CHUNK_POINTS = 30_000;
/** Ops sent between two turns of the event loop. */
const OPS_PER_TURN = 250;

/**
 * Sends a joining tab what follows its join ack: the board's strokes in chunks, or the ops it
 * missed while away. After each chunk it yields to the event loop, so that a big board stalls
 * nobody else's traffic, and waits until the connection has taken what it was sent, so that a
 * tab that reads slowly (or not at all) holds one chunk in the server's memory, not the board. It
 * stops when the socket leaves or joins again (`joinId` moves on).
 */
export async function streamJoin(socket: ScribbleSocket, follow: JoinFollow, joinId: number): Promise<void> {
  const current = () => socket.connected && socket.data.joinId === joinId;
  if (follow.kind === "strokes") {
    const chunks = strokeChunks(follow.strokes);
    for (const [i, strokes] of chunks.entries()) {
      if (!current()) return;
      socket.emit("board:strokes", { strokes, done: i === chunks.length - 1 });
      if (!(await taken(socket))) return;
    }
    return;
  }
  for (const [i, op] of follow.ops.entries()) {
    if (i > 0 && i % OPS_PER_TURN === 0) await nextTurn();
    if (!current()) return;
    socket.emit("op", op);
    if (!(await drained(socket.conn))) return;
  }
}

/** The strokes cut into messages of at most STROKE_CHUNK_SIZE strokes and STROKE_CHUNK_POINTS points; one (empty) for none. */
function strokeChunks(strokes: readonly Stroke[]): Stroke[][] {
  const chunks: Stroke[][] = [[]];
  let points = 0;
  for (const stroke of strokes) {
    const size = stroke.points.length / 3;
    const last = chunks[chunks.length - 1]!;
    if (last.length > 0 && (last.length >= STROKE_CHUNK_SIZE || points + size > STROKE_CHUNK_POINTS)) {
      chunks.push([stroke]);
      points = size;
    } else {
      last.push(stroke);
      points += size;
    }
  }
  return chunks;
}

/** After a turn of the event loop, whether the connection took what it was sent (false: it closed). */
async function taken(socket: ScribbleSocket): Promise<boolean> {
  await nextTurn();
  return drained(socket.conn);
}
