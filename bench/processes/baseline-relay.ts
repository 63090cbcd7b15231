/**
 * The baseline: the classic Socket.IO whiteboard, a relay. Whatever one client sends goes to every
 * other connected client with `socket.broadcast.emit`: no rooms, no board state, no validation, no
 * storage, no rate limits, default Socket.IO options (no connection state recovery). It answers
 * the same event names as the real server, so the same bench clients drive both: `board:join` is
 * acked with an empty board, `op` is acked at once, `cursor` and `stroke:preview` are relayed.
 *
 * What the real server costs over this is what it does for its features: ordering, validation,
 * storage before the ack, rooms, presence. Forked by bench/lib/server-process.ts like
 * bench/processes/server.ts, with the same IPC calls, so every figure has a ratio against it.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import { serveServerApi } from "../lib/server-instrument";

type Ack = (res: unknown) => void;

const httpServer = createServer((_req, res) => {
  res.statusCode = 404;
  res.end();
});
const io = new Server(httpServer, { serveClient: false });
let seq = 0;

io.on("connection", (socket) => {
  socket.on("board:join", (req: { name?: string }, ack?: Ack) => {
    const self = { id: socket.id, name: String(req?.name ?? "?"), color: "#3b82f6", state: "active" };
    ack?.({
      ok: true,
      self,
      users: [self],
      chat: [],
      circle: { color: "#6366f1", version: 0 },
      seq,
      epoch: "relay",
      sync: "full",
      strokeCount: 0,
    });
  });
  socket.on("op", (req: { opId?: string }, ack?: Ack) => {
    seq += 1;
    socket.broadcast.emit("op", { seq, author: socket.id, op: req });
    ack?.({ ok: true, seq });
  });
  socket.on("cursor", (position: { x: number; y: number }) => {
    socket.volatile.broadcast.emit("cursors", [{ id: socket.id, x: position?.x, y: position?.y }]);
  });
  socket.on("stroke:preview", (preview: object) => {
    socket.volatile.broadcast.emit("stroke:preview", { ...preview, userId: socket.id });
  });
  socket.on("ping", (ack?: Ack) => ack?.({ ok: true, now: Date.now() }));
});

await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
const port = (httpServer.address() as AddressInfo).port;
const url = `http://127.0.0.1:${port}`;
console.log(`baseline relay on ${url}`);

serveServerApi(io, {
  ready: { url, port, kind: "relay", store: "none", cursorMode: "relay", cursorTickMs: 0 },
  metrics: () => ({}),
  close: () => io.close(),
});
