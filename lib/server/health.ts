import type { IncomingMessage, ServerResponse } from "node:http";
import type { SocketServer } from "./socket-server";

export const HEALTH_PATH = "/healthz";

/** `GET /healthz`: liveness plus the numbers worth watching (connections, boards, refusals). */
export function healthHandler(sockets: SocketServer, storage: string): (req: IncomingMessage, res: ServerResponse) => void {
  const startedAt = Date.now();
  return (_req, res) => {
    const body = {
      ok: true,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
      storage,
      connections: sockets.io.engine.clientsCount,
      activeBoards: sockets.boards.activeBoards().length,
      boardsInMemory: sockets.boards.loadedCount,
      memoryMb: Math.round(process.memoryUsage().rss / 1_048_576),
      counters: sockets.metrics.counters,
    };
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(body));
  };
}
