/**
 * The cluster's routing proxy against real backends (each an HTTP server that answers with its
 * id, a `ws` WebSocket server and a Socket.IO server), and the cluster's own redis-server.
 */
import { execFile } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { Server as SocketIoServer } from "socket.io";
import { io, type Socket } from "socket.io-client";
import WebSocket, { WebSocketServer } from "ws";
import { afterEach, describe, expect, it } from "vitest";
import { startProxy, type Proxy, type ProxyOptions } from "@/tools/cluster/proxy";
import { startRedis } from "@/tools/cluster/redis-process";
import { httpRequest } from "./support/http";

interface Backend {
  id: string;
  url: string;
  port: number;
  /** The Engine.IO session ids this backend saw in requests: a session must show up on one backend only. */
  sessions: Set<string>;
  close(): Promise<void>;
}

interface Echo {
  id: string;
  host: string;
  xff: string;
  proto: string;
  body: string;
}

async function startBackend(id: string, port = 0): Promise<Backend> {
  const sessions = new Set<string>();
  const server = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const echo: Echo = { id, host: req.headers.host ?? "", xff: String(req.headers["x-forwarded-for"]), proto: String(req.headers["x-forwarded-proto"]), body };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(echo));
    });
  });
  const ioServer = new SocketIoServer(server, { destroyUpgrade: false });
  ioServer.on("connection", (socket) => socket.on("whoami", (ack: (id: string) => void) => ack(id)));
  const record = (url = "") => {
    const sid = new URL(url, "http://backend").searchParams.get("sid");
    if (sid) sessions.add(sid);
  };
  server.on("request", (req) => record(req.url));
  const wss = new WebSocketServer({ noServer: true });
  server.on("upgrade", (req, socket, head) => {
    record(req.url);
    if (!req.url?.startsWith("/ws")) return;
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.send(JSON.stringify({ id, xff: req.headers["x-forwarded-for"] }));
      ws.on("message", (data) => ws.send(`echo ${String(data)}`));
    });
  });
  server.listen(port, "127.0.0.1");
  await once(server, "listening");
  const bound = (server.address() as AddressInfo).port;
  return {
    id,
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    sessions,
    async close() {
      if (!server.listening) return;
      const closed = once(server, "close");
      for (const ws of wss.clients) ws.terminate();
      await ioServer.close();
      server.closeAllConnections();
      await closed;
    },
  };
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function cluster(opts: Partial<ProxyOptions> = {}, count = 3) {
  const backends = await Promise.all(Array.from({ length: count }, (_, i) => startBackend(`b${i + 1}`)));
  for (const b of backends) cleanups.push(() => b.close());
  const proxy = await startProxy({ nodes: backends.map(({ id, url }) => ({ id, url })), healthIntervalMs: 50, ...opts });
  cleanups.push(() => proxy.close());
  const byId = (id: string) => backends.find((b) => b.id === id)!;
  return { proxy, backends, byId };
}

/** One request through the proxy: the node its header names, and what the backend saw. */
async function via(proxy: Proxy, path: string, opts: { method?: string; headers?: Record<string, string> } = {}) {
  const answer = await httpRequest(`${proxy.url}${path}`, opts);
  expect(answer.status).toBe(200);
  const echo = JSON.parse(answer.body) as Echo;
  expect(answer.headers["x-scribble-node"]).toBe(echo.id);
  return echo;
}

const nodeOf = async (proxy: Proxy, board: string) => (await via(proxy, `/?board=${board}`)).id;

type Transport = "polling" | "websocket";

function client(proxy: Proxy, query: Record<string, string>, transports: Transport[]): Socket {
  const socket = io(proxy.url, { query, transports, forceNew: true, reconnectionDelay: 20, reconnectionDelayMax: 50 });
  cleanups.push(async () => socket.disconnect());
  return socket;
}

const connected = (socket: Socket) => new Promise<void>((resolve) => (socket.connected ? resolve() : socket.once("connect", resolve)));
const whoami = (socket: Socket) => socket.timeout(2_000).emitWithAck("whoami") as Promise<string>;

function openWebSocket(url: string): Promise<{ ws: WebSocket; hello: { id: string; xff: string } }> {
  const ws = new WebSocket(url);
  cleanups.push(async () => ws.terminate());
  return new Promise((resolve, reject) => {
    ws.once("message", (data) => resolve({ ws, hello: JSON.parse(String(data)) as { id: string; xff: string } }));
    ws.once("error", reject);
  });
}

describe("cluster proxy: routing", () => {
  it("sends every request of a board to one node: queries, pages, a socket's requests", async () => {
    const { proxy } = await cluster();
    const node = await nodeOf(proxy, "alpha");
    for (const path of ["/?board=alpha", "/api/anything?board=alpha&EIO=4", "/b/alpha", "/b/alpha?x=1"]) {
      expect((await via(proxy, path)).id).toBe(node);
    }
    // The lobby and the assets: one fixed key, so one node.
    expect((await via(proxy, "/_next/static/app.js")).id).toBe((await via(proxy, "/")).id);
  });

  it("spreads boards over the nodes", async () => {
    const { proxy } = await cluster();
    const counts = new Map<string, number>();
    for (let i = 0; i < 30; i++) {
      const node = await nodeOf(proxy, `board-${i}`);
      counts.set(node, (counts.get(node) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(["b1", "b2", "b3"]);
  });

  it("pins a request to the node its `node` parameter names, and ignores an unknown one", async () => {
    const { proxy } = await cluster();
    for (let i = 0; i < 10; i++) expect((await via(proxy, `/?board=pin-${i}&node=b2`)).id).toBe("b2");
    expect((await via(proxy, "/?board=alpha&node=b9")).id).toBe(await nodeOf(proxy, "alpha"));
  });

  it("with spread, puts one board's tabs on every node, each tab on one", async () => {
    const { proxy } = await cluster({ spread: true });
    const nodes = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const node = (await via(proxy, `/?board=class&tab=tab-${i}`)).id;
      expect((await via(proxy, `/?board=class&tab=tab-${i}&t=cache-buster-${i}`)).id).toBe(node);
      nodes.add(node);
    }
    expect([...nodes].sort()).toEqual(["b1", "b2", "b3"]);
    // No tab: the board alone.
    expect((await via(proxy, "/?board=class")).id).toBe((await via(proxy, "/b/class")).id);
  });

  it("appends the client's address to X-Forwarded-For, says the protocol and keeps Host", async () => {
    const { proxy } = await cluster();
    expect(await via(proxy, "/")).toMatchObject({ xff: "127.0.0.1", proto: "http", host: `127.0.0.1:${proxy.port}` });
    const behind = await via(proxy, "/", { headers: { host: "localhost:1234", "x-forwarded-for": "10.0.0.1" } });
    expect(behind).toMatchObject({ xff: "10.0.0.1, 127.0.0.1", host: "localhost:1234" });
    const { hello } = await openWebSocket(`${proxy.url.replace("http", "ws")}/ws?board=alpha`);
    expect(hello.xff).toBe("127.0.0.1");
  });

  it("carries a request's body", async () => {
    const { proxy } = await cluster();
    const body = "x".repeat(100_000);
    const answer = await fetch(`${proxy.url}/?board=alpha`, { method: "POST", body });
    expect(answer.headers.get("x-scribble-node")).toBe(await nodeOf(proxy, "alpha"));
    expect(((await answer.json()) as Echo).body).toBe(body);
  });
});

describe("cluster proxy: WebSockets and Socket.IO", () => {
  it("tunnels a WebSocket both ways to the board's node", async () => {
    const { proxy } = await cluster();
    const { ws, hello } = await openWebSocket(`${proxy.url.replace("http", "ws")}/ws?board=alpha`);
    expect(hello.id).toBe(await nodeOf(proxy, "alpha"));
    ws.send("hi");
    const [reply] = (await once(ws, "message")) as [Buffer];
    expect(String(reply)).toBe("echo hi");
  });

  it.each<[string, Transport[]]>([
    ["websocket only", ["websocket"]],
    ["polling only", ["polling"]],
    ["polling, then the upgrade", ["polling", "websocket"]],
  ])("keeps a Socket.IO session on the board's node: %s", async (_, transports) => {
    const { proxy, backends } = await cluster();
    const node = await nodeOf(proxy, "sio");
    const socket = client(proxy, { board: "sio" }, transports);
    await connected(socket);
    if (transports.length === 2 && socket.io.engine.transport.name !== "websocket") await new Promise((resolve) => socket.io.engine.once("upgrade", resolve));
    for (let i = 0; i < 5; i++) expect(await whoami(socket)).toBe(node);
    expect(socket.io.engine.transport.name).toBe(transports.at(-1));
    if (transports.includes("polling")) {
      // Every request of the session (long polls, posts, the upgrade) reached the one node.
      expect(backends.filter((b) => b.sessions.has(socket.io.engine.id)).map((b) => b.id)).toEqual([node]);
    }
  });
});

describe("cluster proxy: failover", () => {
  it("moves only the boards of a node that is gone, reconnects its clients elsewhere, and takes it back once healthy", async () => {
    const { proxy, byId } = await cluster();
    const boards = Array.from({ length: 30 }, (_, i) => `board-${i}`);
    const before = new Map(await Promise.all(boards.map(async (b) => [b, await nodeOf(proxy, b)] as const)));
    const gone = before.get("board-0")!;
    const wsSocket = client(proxy, { board: "board-0" }, ["websocket"]);
    const pollingSocket = client(proxy, { board: "board-0" }, ["polling"]);
    await Promise.all([connected(wsSocket), connected(pollingSocket)]);
    expect(await whoami(wsSocket)).toBe(gone);
    expect(await whoami(pollingSocket)).toBe(gone);

    const port = byId(gone).port;
    // Not events.once: a failed attempt on the way ("error" on the manager) is no failure of the test.
    const reconnected = Promise.all([wsSocket, pollingSocket].map((s) => new Promise((resolve) => s.io.once("reconnect", resolve))));
    await byId(gone).close();
    await reconnected;
    const other = await whoami(wsSocket);
    expect(other).not.toBe(gone);
    expect(await whoami(pollingSocket)).toBe(other);
    expect(proxy.live()).not.toContain(gone);
    for (const board of boards) {
      const now = await nodeOf(proxy, board);
      if (before.get(board) === gone) expect(now).not.toBe(gone);
      else expect(now).toBe(before.get(board));
    }
    // A WebSocket upgrade skips the dead node too.
    expect((await openWebSocket(`${proxy.url.replace("http", "ws")}/ws?board=board-0&node=${gone}`)).hello.id).not.toBe(gone);

    const back = await startBackend(gone, port);
    cleanups.push(() => back.close());
    await expect.poll(() => proxy.live()).toContain(gone);
    expect(await nodeOf(proxy, "board-0")).toBe(gone);
  });

  it("answers 502 when no node is live, to requests and to upgrades", async () => {
    const { proxy, backends } = await cluster({ healthIntervalMs: 60_000 });
    await Promise.all(backends.map((b) => b.close()));
    const answer = await httpRequest(`${proxy.url}/?board=alpha`);
    expect(answer.status).toBe(502);
    expect(answer.body).toMatch(/no scribble node is reachable/i);
    expect(proxy.live()).toEqual([]);
    const ws = new WebSocket(`${proxy.url.replace("http", "ws")}/ws?board=alpha`);
    ws.on("error", () => {});
    const [, response] = (await once(ws, "unexpected-response")) as [unknown, { statusCode: number }];
    expect(response.statusCode).toBe(502);
  });

  it("stops sending to a node the launcher marks down", async () => {
    const { proxy } = await cluster({ healthIntervalMs: 60_000 });
    const node = await nodeOf(proxy, "alpha");
    proxy.markDown(node, "exited");
    expect(await nodeOf(proxy, "alpha")).not.toBe(node);
    expect((await via(proxy, `/?board=alpha&node=${node}`)).id).not.toBe(node);
  });
});

describe("cluster redis-server", () => {
  const cli = async (socketPath: string, ...args: string[]) => (await promisify(execFile)("redis-cli", ["-s", socketPath, ...args])).stdout.trim();

  it("listens on its unix socket only, appends every write, and stops on stop()", async () => {
    const dir = mkdtempSync(join(tmpdir(), "scribble-redis-test-"));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const redis = await startRedis({ dir: join(dir, "redis") });
    cleanups.push(() => redis.kill());
    expect(redis.url).toBe(`unix://${join(dir, "redis", "redis.sock")}`);
    expect(await cli(redis.socketPath, "ping")).toBe("PONG");
    expect(await cli(redis.socketPath, "config", "get", "appendonly")).toBe("appendonly\nyes");
    expect(await cli(redis.socketPath, "config", "get", "appendfsync")).toBe("appendfsync\nalways");
    expect(await cli(redis.socketPath, "config", "get", "port")).toBe("port\n0");
    expect(await cli(redis.socketPath, "set", "k", "v")).toBe("OK");
    // A second server on the same directory would take over the socket and the AOF.
    await expect(startRedis({ dir: join(dir, "redis") })).rejects.toThrow(/already listens/);

    expect(await redis.stop()).toBe(0);
    expect(() => process.kill(redis.pid, 0)).toThrow();
    expect(existsSync(join(dir, "redis", "appendonlydir"))).toBe(true);

    // What it acknowledged is there after a restart from the AOF.
    const again = await startRedis({ dir: join(dir, "redis"), appendfsync: "everysec" });
    cleanups.push(() => again.kill());
    expect(await cli(again.socketPath, "get", "k")).toBe("v");
    expect(await cli(again.socketPath, "config", "get", "appendfsync")).toBe("appendfsync\neverysec");
    await again.stop();
  });

  it("says clearly when it cannot run the binary", async () => {
    const dir = mkdtempSync(join(tmpdir(), "scribble-redis-test-"));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    await expect(startRedis({ dir, bin: "/nonexistent/redis-server" })).rejects.toThrow(/cannot run \/nonexistent\/redis-server/);
  });
});
