import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { io } from "socket.io-client";
import { afterEach, beforeEach } from "vitest";
import type { ClientSocket } from "@/lib/client/socket";
import type { JoinSnapshot, ServerToClientEvents } from "@/lib/protocol";
import { loadConfig, type Config } from "@/lib/server/config";
import { createLogger, type LogEntry } from "@/lib/server/log";
import { createSocketServer, type SocketServer } from "@/lib/server/socket-server";

export interface TestServer {
  url: string;
  /** Every log entry the server wrote, to assert that refusals are logged. */
  logs: LogEntry[];
  sockets: SocketServer;
  /** A client that the harness disconnects when the server closes. */
  connect(opts?: { transports?: ("polling" | "websocket")[] }): Promise<ClientSocket>;
  close(): Promise<void>;
}

/** A real Socket.IO server on an ephemeral port, the same one server.ts builds, minus Next. */
export async function startServer(overrides: Partial<Config> = {}): Promise<TestServer> {
  const config: Config = { ...loadConfig({}, []), port: 0, lobbyThrottleMs: 10, ...overrides };
  const logs: LogEntry[] = [];
  const log = createLogger("debug", (entry) => logs.push(entry));
  const httpServer = createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  const sockets = createSocketServer(httpServer, config, log);
  await new Promise<void>((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(httpServer.address() as AddressInfo).port}`;
  const clients: ClientSocket[] = [];

  return {
    url,
    logs,
    sockets,
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
  const res = await socket.emitWithAck("board:join", { boardId, name, clientId });
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

/**
 * What a newcomer sees of a board: a fresh client joins under a fresh name and hands back its
 * snapshot. The way to check the server's state through the protocol rather than its internals.
 */
export async function lateJoiner(server: TestServer, boardId: string): Promise<JoinSnapshot> {
  const socket = await server.connect();
  return join(socket, boardId, `Late ${++clientCounter}`);
}
