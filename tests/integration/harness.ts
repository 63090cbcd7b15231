import { io } from "socket.io-client";
import { Board } from "@/lib/board";
import { afterEach, beforeEach, expect } from "vitest";
import type { ClientSocket } from "@/lib/client/socket";
import { PROTOCOL_VERSION, type Ack, type AppliedOp, type ErrorCode, type JoinSnapshot, type ManageRequest, type OpAck, type OpRequest, type ServerToClientEvents, type Stroke, type StrokeChunk } from "@/lib/protocol";
import { loadConfig, type Config } from "@/lib/server/config";
import { createLogger, type LogEntry } from "@/lib/server/log";
import type { SocketServer } from "@/lib/server/socket-server";
import { startServer as startSocketServer } from "@/lib/server/start-server";
import { MemoryStore, RedisStore, type BoardStore } from "@/lib/server/storage";
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

/** A real Socket.IO server on an ephemeral port, the one server.ts builds, minus Next. */
export async function startServer(overrides: Partial<Config> = {}, store: BoardStore = new MemoryStore()): Promise<TestServer> {
  const config: Config = { ...loadConfig({}, []), port: 0, lobbyThrottleMs: 10, ...overrides };
  const logs: LogEntry[] = [];
  const server = startSocketServer({ config, log: createLogger("debug", (entry) => logs.push(entry)), store });
  const { sockets } = server;
  const url = await server.listen(0, "127.0.0.1");
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
      await server.close();
    },
  };
}

/**
 * One node of a cluster: a server of its own on the Redis at `redisUrl`, sharing with every node
 * started on the same `prefix` (a test's own: several tests share one Redis).
 */
export async function startNode(redisUrl: string, prefix: string, overrides: Partial<Config> = {}): Promise<TestServer> {
  const store = new RedisStore(redisUrl, prefix);
  const server = await startServer({ storage: "redis", redisUrl, redisPrefix: prefix, ...overrides }, store);
  return {
    ...server,
    async close() {
      await server.close();
      await store.close();
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

/** How a tab names the board it joins: by its id (its ordinary link) or by its view-only link's key. */
export type BoardLink = string | { view: string };

/** Asks to join and resolves with the answer, refusals included; `ownerKey` as a browser holding one sends it. */
export function askToJoin(socket: ClientSocket, board: BoardLink, name: string, clientId = newClientId(), ownerKey?: string): Promise<Ack<JoinSnapshot>> {
  return socket.emitWithAck("board:join", {
    protocol: PROTOCOL_VERSION,
    ...(typeof board === "string" ? { boardId: board } : board),
    name,
    clientId,
    ...(ownerKey === undefined ? {} : { ownerKey }),
  });
}

/** Joins, and throws if the join is refused. */
export async function join(socket: ClientSocket, board: BoardLink, name: string, clientId = newClientId(), ownerKey?: string): Promise<JoinSnapshot> {
  const res = await askToJoin(socket, board, name, clientId, ownerKey);
  if (!res.ok) throw new Error(`join refused: ${res.error.code} ${res.error.message}`);
  return res;
}

/** A tab on a board: its socket, what its join answered, and the person's user id. */
export interface Tab {
  socket: ClientSocket;
  snapshot: JoinSnapshot;
  id: string;
}

/** Joins a connected socket (see `join`) and hands it back as a tab. */
export async function enter(socket: ClientSocket, board: BoardLink, name: string, clientId = newClientId(), ownerKey?: string): Promise<Tab> {
  const snapshot = await join(socket, board, name, clientId, ownerKey);
  return { socket, snapshot, id: snapshot.self.id };
}

/** Connects a new tab and joins it (see `join`). */
export async function openTab(server: TestServer, board: BoardLink, name: string, clientId = newClientId(), ownerKey?: string): Promise<Tab> {
  return enter(await server.connect(), board, name, clientId, ownerKey);
}

/** Sends an owner's change from the tab and resolves with the answer. */
export function manage(tab: Tab, req: ManageRequest): Promise<Ack> {
  return tab.socket.emitWithAck("board:manage", req);
}

/** A refusal with this code, whatever its words: for `toMatchObject`. */
export const refused = (code: ErrorCode) => ({ ok: false, error: { code } });

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

/** Moves the socket's cursor, and resolves once the server has handled it (a ping sent after it is answered). */
export async function moved(socket: ClientSocket, x: number, y: number): Promise<void> {
  socket.volatile.emit("cursor", { x, y });
  await barrier(socket);
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
export async function joinLoaded(socket: ClientSocket, board: BoardLink, name: string, clientId = newClientId()): Promise<Loaded> {
  const loaded = loadStrokes(socket);
  const snapshot = await join(socket, board, name, clientId);
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

/** What a `SlowStore` can hold: op writes, and loads of boards. */
export type HeldCall = "append" | "load";

/**
 * A store whose calls of the kinds held wait, as on a busy disk: to open the window between
 * ordering an op and storing it, or to have tabs that open a board together wait for one load.
 */
export class SlowStore extends MemoryStore {
  private readonly gates = new Map<HeldCall, { passed: Promise<void>; open: () => void }>();

  /** Holds the calls of these kinds (op writes when none is named) made from now on, until released. */
  hold(...calls: HeldCall[]): void {
    for (const call of calls.length > 0 ? calls : (["append"] as const)) {
      let open = () => {};
      const passed = new Promise<void>((resolve) => (open = resolve));
      this.gates.set(call, { passed, open });
    }
  }

  /** Lets the held calls of these kinds (every kind when none is named) go on. */
  release(...calls: HeldCall[]): void {
    for (const call of calls.length > 0 ? calls : [...this.gates.keys()]) {
      this.gates.get(call)?.open();
      this.gates.delete(call);
    }
  }

  override async append(...args: Parameters<MemoryStore["append"]>): Promise<void> {
    await this.gates.get("append")?.passed;
    return super.append(...args);
  }

  override async load(...args: Parameters<MemoryStore["load"]>): ReturnType<MemoryStore["load"]> {
    await this.gates.get("load")?.passed;
    return super.load(...args);
  }
}
