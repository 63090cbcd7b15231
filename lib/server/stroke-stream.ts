import { setImmediate as nextTurn } from "node:timers/promises";
import type { Stroke } from "../protocol";
import type { ScribbleSocket } from "./types";

/** Strokes per `board:strokes` message: about 0.5 MB of JSON for hand-drawn strokes. */
export const STROKE_CHUNK_SIZE = 250;

/**
 * Sends a joining tab the board's strokes in chunks, yielding to the event loop between them,
 * so that a board of 10,000 strokes neither goes out as one blocking multi-megabyte message nor
 * stalls everyone else's traffic. Stops when the socket leaves or joins again (`joinId` moves on).
 */
export async function streamStrokes(socket: ScribbleSocket, strokes: readonly Stroke[], joinId: number): Promise<void> {
  let sent = 0;
  do {
    if (!socket.connected || socket.data.joinId !== joinId) return;
    const chunk = strokes.slice(sent, sent + STROKE_CHUNK_SIZE);
    sent += chunk.length;
    socket.emit("board:strokes", { strokes: chunk, done: sent >= strokes.length });
    await nextTurn();
  } while (sent < strokes.length);
}
