import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { io } from "socket.io-client";
import { Board } from "@/lib/board";
import { afterEach, beforeEach, expect } from "vitest";
import type { ClientSocket } from "@/lib/client/socket";
import { PROTOCOL_VERSION, type AppliedOp, type JoinSnapshot, type OpAck, type OpRequest, type ServerToClientEvents, type Stroke, type StrokeChunk } from "@/lib/protocol";
import { loadConfig, type Config } from "@/lib/server/config";
import { createLogger, type LogEntry } from "@/lib/server/log";
import { createSocketServer, type SocketServer } from "@/lib/server/socket-server";
import { MemoryStore, type BoardStore } from "@/lib/server/storage";
import { addOp, strokeInput } from "../unit/fixtures";

export { addOp, circleOp, clearOp, committedStroke, eraseOp, restoreOp, strokeInput } from "../unit/fixtures";

export interface TestServer {
  url: string;
  /** Every log entry the server wrote, to assert that refusals are logged. */
  logs: LogEntry[];
  sockets: SocketServer;
  /** Where the server keeps its boards: a test may put a board there before anyone opens it. */
  store: BoardStore;
  /** A client that the harness disconnects when the server closes. */
  connect(opts?: { transports?: ("polling" | "websocket")[] }): Promise<ClientSocket>;
  close(): Promise<void>;
}

/** A real Socket.IO server on an ephemeral port, the same one server.ts builds, minus Next. */
export async function startServer(overrides: Partial<Config> = {}, store: BoardStore = new MemoryStore()): Promise<TestServer> {
  const config: Config = { ...loadConfig({}, []), port: 0, lobbyThrottleMs: 10, ...overrides };
  const logs: LogEntry[] = [];
  const log = createLogger("debug", (entry) => logs.push(entry));
  const httpServer = createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  const sockets = createSocketServer(httpServer, config, log, store);
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  const clients: ClientSocket[] = [];

  return {
    url,
    logs,
    sockets,
    store,
    async connect(opts = {}) {
      const socket: ClientSocket = io(url, { forceNew: true, reconnection: false, transports: opts.transports ?? ["websocket"] });
      clients.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once("connect", resolve);
        socket.once("connect_error", reject);
      });
      return socket;
    },
    async close() {
      for (const c of clients) c.disconnect();
      await sockets.close();
    },
  };
}

/**
 * A fresh server for every test of the calling file, closed after it, so that no state leaks
 * between tests. Call at the top of a file; the getter gives the current test's server.
 */
export function useServer(overrides: Partial<Config> = {}): () => TestServer {
  let server: TestServer | undefined;
  beforeEach(async () => {
    server = await startServer(overrides);
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  return () => {
    if (!server) throw new Error("useServer(): no server outside a test");
    return server;
  };
}

let clientCounter = 0;
/** A client id like the browser's: one per simulated browser. */
export const newClientId = () => `test-client-${++clientCounter}-${Math.random().toString(36).slice(2, 10)}`;

export async function join(
  socket: ClientSocket,
  boardId: string,
  name: string,
  clientId = newClientId(),
): Promise<JoinSnapshot> {
  const res = await socket.emitWithAck("board:join", { protocol: PROTOCOL_VERSION, boardId, name, clientId });
  if (!res.ok) throw new Error(`join refused: ${res.error.code} ${res.error.message}`);
  return res;
}

/** Resolves with the first payload of `event` on `socket`. */
export function next<E extends keyof ServerToClientEvents>(
  socket: ClientSocket,
  event: E,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve) => {
    // The typed `once` cannot take a generic event name; the return type above is the contract.
    (socket.once as (ev: string, fn: (arg: unknown) => void) => void)(event, (arg) =>
      resolve(arg as Parameters<ServerToClientEvents[E]>[0]),
    );
  });
}

/**
 * Records every `event` the socket receives from now on. Pair it with `barrier` to assert that
 * something did *not* arrive without sleeping.
 */
export function record<E extends keyof ServerToClientEvents>(socket: ClientSocket, event: E): unknown[] {
  const seen: unknown[] = [];
  (socket.on as (ev: string, fn: (arg: unknown) => void) => void)(event, (arg) => seen.push(arg));
  return seen;
}

/**
 * A round trip through the server on this socket's connection. The server writes to one
 * connection in order, so once this resolves, everything the server had sent to this socket
 * before handling the ping has been received.
 */
export async function barrier(socket: ClientSocket): Promise<void> {
  const res = await socket.emitWithAck("ping");
  if (!res.ok) throw new Error("ping refused");
}

/**
 * Emits without the typed contract, for payloads a well-behaved client could never send. With no
 * ack callback, so refusals come back as an `error` event.
 */
export function emitRaw(socket: ClientSocket, event: string, ...args: unknown[]): void {
  (socket.emit as (ev: string, ...a: unknown[]) => void)(event, ...args);
}

/** As `emitRaw`, with an ack; the answer is whatever the server acked. */
export function emitRawWithAck(socket: ClientSocket, event: string, ...args: unknown[]): Promise<unknown> {
  return (socket.emitWithAck as (ev: string, ...a: unknown[]) => Promise<unknown>)(event, ...args);
}

/** Sends an op and resolves with whatever the server acked. */
export function sendOp(socket: ClientSocket, req: OpRequest): Promise<OpAck> {
  return socket.emitWithAck("op", req);
}

/** Sends an op that must be applied as new (not refused, not a resend) and hands back its AppliedOp. */
export async function commit(socket: ClientSocket, req: OpRequest): Promise<AppliedOp> {
  const res = await sendOp(socket, req);
  if (!res.ok || !res.applied) throw new Error(`op ${req.opId} was not applied: ${JSON.stringify(res)}`);
  expect(res.seq).toBe(res.applied.seq);
  return res.applied;
}

/** Commits `count` strokes with ids `${prefix}-0`, `${prefix}-1`, ..., in that order. */
export function drawStrokes(socket: ClientSocket, prefix: string, count: number): Promise<AppliedOp[]> {
  // Sent together: one connection delivers them in order, and the server commits them in order.
  return Promise.all(strokeAdds(prefix, count).map((req) => commit(socket, req)));
}

/**
 * Collects `board:strokes` chunks until the one marked done. Call it before the join: the first
 * chunk can follow the ack in the same frame.
 */
export function loadStrokes(socket: ClientSocket): Promise<StrokeChunk[]> {
  return new Promise((resolve) => {
    const chunks: StrokeChunk[] = [];
    const onChunk = (chunk: StrokeChunk) => {
      chunks.push(chunk);
      if (!chunk.done) return;
      socket.off("board:strokes", onChunk);
      resolve(chunks);
    };
    socket.on("board:strokes", onChunk);
  });
}

export interface Loaded {
  snapshot: JoinSnapshot;
  chunks: StrokeChunk[];
  /** Every stroke of every chunk, in the order they came. */
  strokes: Stroke[];
}

/** Joins and waits until the board's strokes are all in. */
export async function joinLoaded(socket: ClientSocket, boardId: string, name: string, clientId = newClientId()): Promise<Loaded> {
  const loaded = loadStrokes(socket);
  const snapshot = await join(socket, boardId, name, clientId);
  const chunks = await loaded;
  return { snapshot, chunks, strokes: chunks.flatMap((c) => c.strokes) };
}

/**
 * What a newcomer sees of a board: a fresh client joins under a fresh name and hands back its
 * snapshot and the strokes that followed it. The way to check the server's state through the
 * protocol rather than its internals.
 */
export async function lateJoiner(server: TestServer, boardId: string): Promise<JoinSnapshot & { strokes: Stroke[] }> {
  const socket = await server.connect();
  const { snapshot, strokes } = await joinLoaded(socket, boardId, `Late ${++clientCounter}`);
  return { ...snapshot, strokes };
}

/** The committed stroke a stroke:add carries. */
export function strokeOf(applied: AppliedOp): Stroke {
  if (applied.op.type !== "stroke:add") throw new Error(`op ${applied.seq} is a ${applied.op.type}, not a stroke:add`);
  return applied.op.stroke;
}

/** The ids of strokes, in order. */
export const idsOf = (strokes: readonly { id: string }[]) => strokes.map((s) => s.id);

/**
 * A client's copy of the board, built as a tab builds it: the join snapshot and its strokes, then
 * every op it heard of (others' broadcasts, its own acks) in seq order. Throws if an op is missing.
 */
export function replay(loaded: Loaded, ops: readonly AppliedOp[]): Board {
  const { seq, circle } = loaded.snapshot;
  const board = new Board("replay", { seq, circle, strokes: loaded.strokes });
  for (const op of [...ops].sort((x, y) => x.seq - y.seq)) board.applyCommitted(op);
  return board;
}

/**
 * Puts a board into a store as if these ops had been committed on it, for a server to open on
 * first join: big boards without sending thousands of ops (which rate limits would slow down).
 */
export async function seedBoard(store: BoardStore, boardId: string, reqs: readonly OpRequest[], author = "seed-author"): Promise<AppliedOp[]> {
  const board = new Board(boardId);
  await store.create(boardId, `epoch-${boardId}`);
  const applied: AppliedOp[] = [];
  for (const req of reqs) {
    const res = board.commit(req, author);
    if (!res.ok || res.duplicate) throw new Error(`seed op ${req.opId} was not applied: ${JSON.stringify(res)}`);
    await store.append(boardId, res.applied);
    applied.push(res.applied);
  }
  return applied;
}

/** `count` stroke:add requests for strokes `${prefix}-0` .. `${prefix}-${count - 1}`. */
export const strokeAdds = (prefix: string, count: number): OpRequest[] =>
  Array.from({ length: count }, (_, i) => addOp(`add-${prefix}-${i}`, strokeInput(`${prefix}-${i}`)));

/** A store whose op writes wait while held, as on a busy disk, to open the window between ordering and storing. */
export class SlowStore extends MemoryStore {
  private gate: Promise<void> = Promise.resolve();
  private open: () => void = () => {};

  hold(): void {
    this.gate = new Promise((resolve) => (this.open = resolve));
  }

  release(): void {
    this.open();
  }

  override async append(...args: Parameters<MemoryStore["append"]>): Promise<void> {
    await this.gate;
    return super.append(...args);
  }
}
