import { setImmediate as nextTurn } from "node:timers/promises";
import type { Joined } from "./board-service";
import type { ScribbleSocket } from "./types";

/** Strokes per `board:strokes` message: about 0.5 MB of JSON for hand-drawn strokes. */
export const STROKE_CHUNK_SIZE = 250;

/**
 * Sends a joining tab what follows its join ack: the board's strokes in chunks, or the ops it
 * missed while away. It yields to the event loop after every chunk, so that a board of 10,000
 * strokes neither goes out as one blocking multi-megabyte message nor stalls everyone else's
 * traffic, and stops when the socket leaves or joins again (`joinId` moves on).
 */
export async function streamJoin(socket: ScribbleSocket, follow: Joined["follow"], joinId: number): Promise<void> {
  const items = follow.kind === "strokes" ? follow.strokes : follow.ops;
  let sent = 0;
  do {
    if (!socket.connected || socket.data.joinId !== joinId) return;
    const chunk = items.slice(sent, sent + STROKE_CHUNK_SIZE);
    sent += chunk.length;
    if (follow.kind === "strokes") {
      socket.emit("board:strokes", { strokes: chunk as typeof follow.strokes, done: sent >= items.length });
    } else {
      for (const op of chunk as typeof follow.ops) socket.emit("op", op);
    }
    await nextTurn();
  } while (sent < items.length);
}
