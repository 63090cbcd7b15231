import { io } from "socket.io-client";
import type { ClientSocket } from "@/lib/client/socket";
import { PAGE, PROTOCOL_VERSION, type StrokeInput } from "@/lib/protocol";

/** A wavy stroke of `n` points somewhere on the page, deterministic for a given index. */
export function wavyStroke(i: number, n = 40): StrokeInput {
  const x0 = 50 + ((i * 97) % (PAGE.width - 400));
  const y0 = 50 + ((i * 61) % (PAGE.height - 100));
  const points: number[] = [];
  for (let k = 0; k < n; k++) points.push(x0 + k * 8, Math.round((y0 + Math.sin(k / 4 + i) * 20) * 10) / 10, 0.5);
  return { id: `seed-${i}`, color: "#3b82f6", width: 3, tool: "pen", simulatePressure: true, points };
}

/**
 * Fills a board with `count` strokes through the real protocol, as a person named "Seeder" who
 * then leaves. Sends in windows of 200 unacked ops so that it is quick without flooding.
 */
export async function seedBoard(url: string, boardId: string, count: number): Promise<void> {
  const socket: ClientSocket = io(url, { transports: ["websocket"], forceNew: true, reconnection: false });
  try {
    const joined = await socket.timeout(10_000).emitWithAck("board:join", { protocol: PROTOCOL_VERSION, boardId, name: "Seeder", clientId: "seeder-client" });
    if (!joined.ok) throw new Error(`seeder could not join: ${joined.error.message}`);
    for (let start = 0; start < count; start += 200) {
      const batch = Array.from({ length: Math.min(200, count - start) }, (_, k) => wavyStroke(start + k));
      const acks = await Promise.all(
        batch.map((stroke) => socket.timeout(10_000).emitWithAck("op", { type: "stroke:add", opId: `op-${stroke.id}`, stroke })),
      );
      const refused = acks.find((a) => !a.ok);
      if (refused && !refused.ok) throw new Error(`seeding refused: ${refused.error.message}`);
    }
  } finally {
    socket.disconnect();
  }
}
