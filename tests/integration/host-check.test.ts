import { mkdtempSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname, tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { io } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { ClientSocket } from "@/lib/client/socket";
import { loadConfig } from "@/lib/server/config";
import { hostGuard } from "@/lib/server/http-guard";
import { createLogger, type LogEntry } from "@/lib/server/log";
import { useServer } from "./harness";
import { startServerProcess, type ServerProcess } from "./support/crashable";
import { httpRequest, rawExchange } from "./support/http";

/** A page on a rebinding domain: attacker.example now resolves to this server's address. */
const REBOUND = { host: "attacker.example", origin: "http://attacker.example" };

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The status a Socket.IO WebSocket handshake with these headers gets: 101 when it opens. */
function wsHandshake(url: string, headers: Record<string, string>): Promise<number> {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`, { headers });
  cleanups.push(() => ws.terminate());
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(101));
    ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
    ws.once("error", reject);
  });
}

describe("Socket.IO connections are held to the names the server is reached by", () => {
  const server = useServer({ allowedHosts: ["scribble.school.example", "*.boards.example"] });
  const port = () => new URL(server().url).port;

  it("refuses a WebSocket from a rebinding page, though its Origin matches its Host", async () => {
    expect(await wsHandshake(server().url, REBOUND)).toBe(400);
    expect(server().sockets.metrics.counters.refusedConnections).toBe(1);
    expect(server().sockets.io.engine.clientsCount).toBe(0);
  });

  it("refuses socket.io-client over WebSocket and the long-polling handshake alike", async () => {
    const socket: ClientSocket = io(server().url, { forceNew: true, reconnection: false, transports: ["websocket"], extraHeaders: REBOUND });
    cleanups.push(() => socket.disconnect());
    await expect(
      new Promise((resolve, reject) => {
        socket.once("connect", () => resolve("connected"));
        socket.once("connect_error", reject);
      }),
    ).rejects.toThrow();

    const polling = await httpRequest(`${server().url}/socket.io/?EIO=4&transport=polling`, { headers: REBOUND });
    expect(polling.status).toBe(403);
    expect(polling.body).not.toContain("attacker");
    expect(server().sockets.metrics.counters.refusedConnections).toBe(2);
    expect(server().sockets.io.engine.clientsCount).toBe(0);
  });

  it("holds the requests of a session already open (long polls) to the same Host check", async () => {
    const open = await httpRequest(`${server().url}/socket.io/?EIO=4&transport=polling`);
    const { sid } = JSON.parse(open.body.slice(1)) as { sid: string };
    const poll = await httpRequest(`${server().url}/socket.io/?EIO=4&transport=polling&sid=${sid}`, { headers: REBOUND });
    expect(poll.status).toBe(400);
    expect(poll.body).not.toContain("attacker");
    expect(server().sockets.metrics.counters.refusedConnections).toBe(1);
  });

  it.each([
    ["an IPv4 literal", () => `127.0.0.1:${port()}`],
    ["an IPv6 literal", () => `[::1]:${port()}`],
    ["localhost", () => `localhost:${port()}`],
    ["a *.localhost name", () => `scribble.localhost:${port()}`],
    ["this machine's name", () => `${hostname()}.local:${port()}`],
    ["an ALLOWED_HOSTS name", () => "scribble.school.example"],
    ["an ALLOWED_HOSTS wildcard", () => `room-12.boards.example:${port()}`],
  ])("lets in a page reached by %s", async (_what, host) => {
    expect(await wsHandshake(server().url, { host: host(), origin: `http://${host()}` })).toBe(101);
    expect(server().sockets.metrics.counters.refusedConnections).toBe(0);
  });

  it("refuses a foreign Host without an Origin too", async () => {
    expect(await wsHandshake(server().url, { host: "attacker.example" })).toBe(400);
  });
});

describe("the HTTP guard", () => {
  const logs: LogEntry[] = [];
  let refused = 0;

  async function guarded(overrides: Parameters<typeof loadConfig>[0] = {}): Promise<number> {
    logs.length = 0;
    refused = 0;
    const guard = hostGuard(loadConfig(overrides, []), createLogger("debug", (e) => logs.push(e)), () => refused++);
    const server: Server = createServer(guard.request((_req, res) => res.end("the page")));
    server.on("upgrade", (req, socket) => {
      if (guard.upgrade(req, socket)) socket.end("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: test\r\n\r\n");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    cleanups.push(() => server.closeAllConnections());
    return (server.address() as AddressInfo).port;
  }

  it("answers a page request from a rebinding domain with 421, naming the setting, never the Host", async () => {
    const port = await guarded();
    const answer = await httpRequest(`http://127.0.0.1:${port}/b/board`, { headers: REBOUND });
    expect(answer.status).toBe(421);
    expect(answer.headers["content-type"]).toMatch(/^text\/plain/);
    expect(answer.body).toContain("ALLOWED_HOSTS");
    expect(answer.body).not.toContain("attacker");
    expect(refused).toBe(1);
    expect(logs).toEqual([{ level: "warn", msg: expect.stringMatching(/host/i), fields: { host: "attacker.example" } }]);
  });

  it("truncates the Host it logs", async () => {
    const port = await guarded();
    const host = `${"a".repeat(5_000)}.example`;
    expect((await httpRequest(`http://127.0.0.1:${port}/`, { headers: { host } })).status).toBe(421);
    const logged = logs[0]?.fields?.host;
    expect(typeof logged === "string" && logged.length <= 100).toBe(true);
  });

  it.each([
    ["an IPv4 literal", (port: number) => `127.0.0.1:${port}`],
    ["an IPv6 literal", (port: number) => `[::1]:${port}`],
    ["localhost", (port: number) => `LOCALHOST:${port}`],
    ["the configured HOST", () => "scribble.lan"],
    ["a host of ALLOWED_ORIGINS", () => "school.example"],
    ["an ALLOWED_HOSTS wildcard", () => "a.b.boards.example."],
  ])("serves a page reached by %s", async (_what, host) => {
    const port = await guarded({ HOST: "scribble.lan", ALLOWED_ORIGINS: "https://school.example", ALLOWED_HOSTS: "*.boards.example" });
    const answer = await httpRequest(`http://127.0.0.1:${port}/`, { headers: { host: host(port) } });
    expect(answer).toMatchObject({ status: 200, body: "the page" });
    expect(refused).toBe(0);
  });

  it("serves a request without a Host header (HTTP/1.0: not a browser)", async () => {
    const port = await guarded();
    expect(await rawExchange(port, "GET / HTTP/1.0\r\n\r\n")).toMatch(/^HTTP\/1\.1 200 .*the page$/s);
  });

  it("refuses an upgrade from a rebinding domain with 421 and lets an allowed one through", async () => {
    const port = await guarded();
    const upgrade = (host: string) => `GET /_next/webpack-hmr HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n`;
    const refusedAnswer = await rawExchange(port, upgrade("attacker.example"));
    expect(refusedAnswer).toMatch(/^HTTP\/1\.1 421 /);
    expect(refusedAnswer).toContain("ALLOWED_HOSTS");
    expect(refusedAnswer).not.toContain("attacker");
    expect(refused).toBe(1);
    expect(await rawExchange(port, upgrade(`localhost:${port}`))).toMatch(/^HTTP\/1\.1 101 /);
    expect(refused).toBe(1);
  });
});

describe("the server process (tools/socket-server.ts) guards its HTTP answers", () => {
  async function start(env: Record<string, string> = {}): Promise<ServerProcess> {
    const server = await startServerProcess(mkdtempSync(joinPath(tmpdir(), "scribble-host-")), env);
    cleanups.push(() => server.kill());
    return server;
  }

  it("answers /healthz to a rebinding page with 421, and to its own names and ALLOWED_HOSTS", async () => {
    const server = await start({ ALLOWED_HOSTS: "*.school.example" });
    const rebound = await httpRequest(`${server.url}/healthz`, { headers: REBOUND });
    expect(rebound.status).toBe(421);
    expect(rebound.body).not.toContain("attacker");
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, "scribble.school.example"]) {
      expect((await httpRequest(`${server.url}/healthz`, { headers: { host } })).status).toBe(200);
    }
  });
});
