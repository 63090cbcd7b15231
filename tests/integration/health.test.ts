import { networkInterfaces } from "node:os";
import { afterEach, describe, expect, it } from "vitest";
import { loadConfig, type Config } from "@/lib/server/config";
import { createLogger } from "@/lib/server/log";
import { startServer } from "@/lib/server/start-server";
import { MemoryStore } from "@/lib/server/storage";
import { httpRequest } from "./support/http";

const TOKEN = "health-token-0123456789";

/** This machine's first address that is not loopback: a request to it comes from "another machine". */
const lanAddress = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === "IPv4" && !a.internal)?.address;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The real server on port 0, listening on every interface. */
async function startHealth(overrides: Partial<Config> = {}): Promise<{ port: number }> {
  const config: Config = { ...loadConfig({}, []), ...overrides };
  const server = startServer({ config, log: createLogger("silent"), store: new MemoryStore() });
  const url = await server.listen(0, "0.0.0.0");
  cleanups.push(() => server.close());
  return { port: Number(new URL(url).port) };
}

const DETAILS = {
  ok: true,
  uptimeSeconds: expect.any(Number),
  storage: "memory",
  connections: 0,
  activeBoards: 0,
  boardsInMemory: 0,
  memoryMb: expect.any(Number),
  counters: expect.objectContaining({ refusedConnections: 0 }),
};

async function healthz(url: string, headers: Record<string, string> = {}, method = "GET") {
  const answer = await httpRequest(`${url}/healthz`, { method, headers });
  return { ...answer, json: answer.body && answer.headers["content-type"] === "application/json" ? JSON.parse(answer.body) : undefined };
}

describe("/healthz", () => {
  it("gives the details to a request from this machine (the soak reads its counters so)", async () => {
    const { port } = await startHealth();
    const answer = await healthz(`http://127.0.0.1:${port}`);
    expect(answer.status).toBe(200);
    expect(answer.headers["cache-control"]).toBe("no-store");
    expect(answer.json).toEqual(DETAILS);
  });

  it.skipIf(!lanAddress)("tells another machine only that the server is alive", async () => {
    const { port } = await startHealth();
    const answer = await healthz(`http://${lanAddress}:${port}`);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({ ok: true });
  });

  it("does not take a proxy on this machine for a local client", async () => {
    const { port } = await startHealth({ trustProxy: true });
    const url = `http://127.0.0.1:${port}`;
    expect((await healthz(url, { "x-forwarded-for": "203.0.113.7" })).json).toEqual({ ok: true });
    // The client chose the first hop; the proxy appended the last, the one that counts.
    expect((await healthz(url, { "x-forwarded-for": "127.0.0.1, 203.0.113.7" })).json).toEqual({ ok: true });
    expect((await healthz(url, { "x-forwarded-for": "127.0.0.1" })).json).toEqual(DETAILS);
  });

  it("does not give the details to a forwarded request when TRUST_PROXY is off (a proxy set up without it)", async () => {
    const { port } = await startHealth();
    const url = `http://127.0.0.1:${port}`;
    expect((await healthz(url, { "x-forwarded-for": "203.0.113.7" })).json).toEqual({ ok: true });
    expect((await healthz(url, { forwarded: "for=203.0.113.7" })).json).toEqual({ ok: true });
  });

  it("gives the details to another machine that shows HEALTH_TOKEN, and to no one else", async () => {
    const { port } = await startHealth({ trustProxy: true, healthToken: TOKEN });
    const url = `http://127.0.0.1:${port}`;
    const remote = { "x-forwarded-for": "203.0.113.7" };
    expect((await healthz(url, { ...remote, authorization: `Bearer ${TOKEN}` })).json).toEqual(DETAILS);
    expect((await healthz(url, { ...remote, authorization: `bearer ${TOKEN}` })).json).toEqual(DETAILS);
    for (const authorization of [`Bearer ${TOKEN.slice(0, -1)}`, `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN, "Bearer "]) {
      expect((await healthz(url, { ...remote, authorization })).json).toEqual({ ok: true });
    }
  });

  it("takes no token when HEALTH_TOKEN is unset", async () => {
    const { port } = await startHealth({ trustProxy: true });
    const answer = await healthz(`http://127.0.0.1:${port}`, { "x-forwarded-for": "203.0.113.7", authorization: "Bearer " });
    expect(answer.json).toEqual({ ok: true });
  });

  it("answers HEAD with the headers only", async () => {
    const { port } = await startHealth();
    const answer = await healthz(`http://127.0.0.1:${port}`, {}, "HEAD");
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("application/json");
    expect(answer.body).toBe("");
  });

  it.each(["POST", "PUT", "DELETE", "OPTIONS", "PATCH"])("answers %s with 405 and the methods it takes", async (method) => {
    const { port } = await startHealth();
    const answer = await healthz(`http://127.0.0.1:${port}`, {}, method);
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe("GET, HEAD");
    expect(answer.body).not.toContain("memory");
  });
});
