import { io } from "socket.io-client";
import { describe, expect, it } from "vitest";
import type { ClientSocket } from "@/lib/client/socket";
import { addOp, barrier, emitRaw, joinLoaded, record, sendOp, startServer, strokeInput, useServer } from "./harness";

const server = useServer({ opsPerSecond: 5, maxConnectionsPerIp: 4 });

describe("rate limits, per connection", () => {
  it("refuses ops beyond the burst with RATE_LIMITED and a retry hint, and stores none of them", async () => {
    const a = await server().connect();
    await joinLoaded(a, "board", "Ada");
    // Burst is twice the rate: ten go through at once, the rest are refused.
    const answers = await Promise.all(Array.from({ length: 14 }, (_, i) => sendOp(a, addOp(`op-${i}`, strokeInput(`s-${i}`)))));

    const refused = answers.filter((r) => !r.ok);
    expect(answers.filter((r) => r.ok)).toHaveLength(10);
    expect(refused).toHaveLength(4);
    for (const r of refused) {
      if (r.ok) continue;
      expect(r.error.code).toBe("RATE_LIMITED");
      expect(r.error.retryAfterMs).toBeGreaterThan(0);
      expect(r.error.retryAfterMs).toBeLessThanOrEqual(1_000);
    }
    expect(server().sockets.metrics.counters.rateLimited).toBe(4);
    const late = await server().connect();
    expect((await joinLoaded(late, "board", "Late")).strokes).toHaveLength(10);
  });

  it("drops excess cursor updates silently: no error comes back", async () => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    await joinLoaded(a, "board", "Ada");
    await joinLoaded(b, "board", "Bob");
    const errors = record(a, "error");
    for (let i = 0; i < 200; i++) a.emit("cursor", { x: i, y: i });
    await barrier(a);
    expect(errors).toEqual([]);
    expect(server().sockets.metrics.counters.rateLimited).toBeGreaterThan(0);
  });
});

describe("admission", () => {
  it("refuses a browser connection from another origin, and lets in one from ALLOWED_ORIGINS", async () => {
    const connect = (url: string, origin: string) =>
      new Promise<string>((resolve) => {
        const socket: ClientSocket = io(url, { forceNew: true, reconnection: false, transports: ["websocket"], extraHeaders: { origin } });
        socket.once("connect", () => {
          socket.disconnect();
          resolve("connected");
        });
        socket.once("connect_error", () => {
          socket.disconnect();
          resolve("refused");
        });
      });
    expect(await connect(server().url, "http://evil.example")).toBe("refused");
    expect(await connect(server().url, server().url)).toBe("connected");
    expect(server().sockets.metrics.counters.refusedConnections).toBe(1);

    const open = await startServer({ allowedOrigins: ["http://partner.example"] });
    try {
      expect(await connect(open.url, "http://partner.example")).toBe("connected");
      expect(await connect(open.url, "http://evil.example")).toBe("refused");
    } finally {
      await open.close();
    }
  });

  it("limits the connections one address may hold at once", async () => {
    const held = await Promise.all([1, 2, 3, 4].map(() => server().connect()));
    await expect(server().connect()).rejects.toThrow();
    held[0]!.disconnect();
    await expect.poll(async () => server().connect().then(() => "connected", () => "refused")).toBe("connected");
  });
});

describe("oversize input", () => {
  it("cuts a connection that sends more than maxHttpBufferSize, and the board is unchanged", async () => {
    const small = await startServer({ maxHttpBufferSize: 20_000 });
    try {
      const [a, b] = await Promise.all([small.connect(), small.connect()]);
      await joinLoaded(a, "board", "Ada");
      await joinLoaded(b, "board", "Bob");
      const gone = new Promise((resolve) => a.once("disconnect", resolve));
      emitRaw(a, "op", addOp("huge", strokeInput("huge", { points: Array.from({ length: 1_999 * 3 }, (_, i) => (i % 3 === 2 ? 0.5 : 100)) })));
      expect(await gone).toBe("transport close");
      await barrier(b);
      const late = await small.connect();
      expect((await joinLoaded(late, "board", "Late")).strokes).toEqual([]);
    } finally {
      await small.close();
    }
  });
});
