import v8 from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { CLIENT_EVENTS, type ClientToServerEvents, type ProtocolError } from "@/lib/protocol";
import { LIMITS, PAGE, PROTOCOL_VERSION } from "@/lib/protocol";
import { addOp, circleOp, emitRaw, emitRawWithAck, join, lateJoiner, record, sendOp, startServer, strokeInput, useServer } from "./harness";
import { RawClient } from "./support/raw-client";

/** A stroke of the most points a stroke may have: some 36 KB of JSON. */
const bigStroke = (id: string) =>
  strokeInput(id, { points: Array.from({ length: LIMITS.strokePointsMax }, (_, i) => [(i * 0.7311) % PAGE.width, (i * 0.4127) % PAGE.height, 0.123456]).flat() });

v8.setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Heap in use after a full collection: what the server really holds on to. */
function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

const server = useServer();

/** A chat message just under the size limit, nearly all of it one unknown key. */
const hugeKeyPayload = (i: number) => ({ opId: `m-${i}`, text: "hi", [`k${i}${"x".repeat(800_000)}`]: 1 });

describe("the byte rate", () => {
  it("a tab that waits as told gets every big op through, and is never cut off", async () => {
    const slow = await startServer({ inboundBytesPerSecond: 100_000, maxHttpBufferSize: 200_000 });
    try {
      const a = await slow.connect();
      await join(a, "board", "Ada");
      // As the app's send queue does: one at a time, each until acked, waiting out RATE_LIMITED.
      let refusals = 0;
      for (let i = 0; i < 16; i++) {
        for (;;) {
          const res = await sendOp(a, addOp(`op-${i}`, bigStroke(`s-${i}`)));
          if (res.ok) break;
          expect(res.error.code).toBe("RATE_LIMITED");
          refusals += 1;
          await new Promise((resolve) => setTimeout(resolve, res.error.retryAfterMs));
        }
      }
      expect(refusals).toBeGreaterThan(0);
      expect(a.connected).toBe(true);
      expect(slow.sockets.metrics.counters.connectionsCutOff).toBe(0);
      expect((await lateJoiner(slow, "board")).strokeCount).toBe(16);
    } finally {
      await slow.close();
    }
  });

  it("packets that are not events pay too: a flood of acks the server never asked for is cut off", async () => {
    const raw = await RawClient.connect(server().url);
    const junk = `43${1}${JSON.stringify(["x".repeat(500_000)])}`;
    for (let i = 0; i < 40 && raw.isOpen; i++) raw.send(junk);
    await raw.closed;
    expect(server().sockets.metrics.counters.connectionsCutOff).toBe(1);
  });

  it("binary events are cut off at once: attachments are never held waiting for the rest", async () => {
    const raw = await RawClient.connect(server().url);
    const placeholders = Array.from({ length: 10 }, (_, num) => ({ _placeholder: true, num }));
    raw.send(`4510-${JSON.stringify(["ping", ...placeholders])}`);
    raw.ws.send(Buffer.alloc(1_000_000));
    await raw.closed;
    expect(server().sockets.metrics.counters.connectionsCutOff).toBe(1);
  });
});

describe("refusals never echo the input", () => {
  it("a flood of payloads with huge unknown keys: short answers, then the connection is cut, and the heap stays flat", async () => {
    const attacker = await server().connect();
    await join(attacker, "board", "Mallory");
    const errors = record(attacker, "error") as ProtocolError[];
    const gone = new Promise<string>((resolve) => attacker.once("disconnect", resolve));
    const before = heapAfterGc();

    const sent = 40;
    for (let i = 0; i < sent; i++) emitRaw(attacker, "chat:send", hugeKeyPayload(i));
    // Either the server cuts the connection (now) or answers every payload (before the fix).
    await Promise.race([gone, expect.poll(() => errors.length, { timeout: 20_000 }).toBe(sent)]);

    const answered = errors.reduce((n, e) => n + JSON.stringify(e).length, 0);
    const grown = heapAfterGc() - before;
    console.info(`flood: ${errors.length} answers, ${answered} bytes answered, heap +${(grown / 1e6).toFixed(1)} MB`);
    expect(await gone).toBe("io server disconnect");
    expect(errors.length).toBeLessThan(sent);
    for (const e of errors) expect(JSON.stringify(e).length).toBeLessThan(300);
    expect(grown).toBeLessThan(8_000_000);
    // What was logged of it is short too.
    for (const entry of server().logs) expect(JSON.stringify(entry).length).toBeLessThan(2_000);
    expect(server().sockets.metrics.counters.connectionsCutOff).toBe(1);
  });

  it("describes a bad payload by field and rule, never by the values or keys it held", async () => {
    const a = await server().connect();
    await join(a, "board", "Ada");
    const res = (await emitRawWithAck(a, "op", {
      type: "circle:set",
      opId: "op-1",
      color: "not-a-colour-SECRET",
      "unknown-SECRET-key": true,
    })) as { ok: false; error: ProtocolError };
    expect(res.ok).toBe(false);
    expect(res.error.code).toBe("INVALID_PAYLOAD");
    expect(res.error.message).not.toMatch(/SECRET/);
    expect(res.error.message).toMatch(/color/);
  });
});

/** A valid payload for each event a client may send: a flood of them must hit a rate limit. */
const validArgs: Record<keyof ClientToServerEvents, (i: number) => unknown[]> = {
  "lobby:watch": () => [{ boards: ["board"] }],
  "lobby:unwatch": () => [],
  "board:join": () => [{ protocol: PROTOCOL_VERSION, boardId: "board", name: "Ada", clientId: "client-ada-1" }],
  "board:leave": () => [],
  op: (i) => [circleOp(`op-${i}`, "#ff0000")],
  "strokes:get": () => [{ strokeIds: ["s-1"] }],
  "stroke:preview": () => [{ ...strokeInput("s-1"), points: [10, 10, 0.5] }],
  cursor: (i) => [{ x: i % 100, y: 5 }],
  "cursor:hide": () => [],
  laser: (i) => [{ points: [i % 100, 5] }],
  "presence:state": () => [{ state: "idle" }],
  "chat:send": (i) => [{ opId: `m-${i}`, text: "hi" }],
  ping: () => [],
  "board:manage": () => [{ type: "settings", settings: { chat: true } }],
  "history:list": () => [],
  "history:at": () => [{ seq: 0 }],
  "history:restore": () => [{ seq: 0 }],
};

describe("every event is rate-limited per connection", () => {
  it.each([...CLIENT_EVENTS, "not:an:event", 7])("%s: a burst far past any person's pace is refused or dropped", async (event) => {
    const a = await server().connect();
    await join(a, "board", "Ada", "client-ada-1");
    const args = validArgs[event as keyof ClientToServerEvents] ?? (() => [{ junk: true }]);
    for (let i = 0; i < 400; i++) emitRaw(a, event as string, ...args(i));
    await expect.poll(() => server().sockets.metrics.counters.rateLimited).toBeGreaterThan(0);
    expect(a.connected).toBe(true);
  });
});
