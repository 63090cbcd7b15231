import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CLIENT_EVENTS, strokeInputSchema } from "@/lib/protocol";
import { addOp, barrier, commit, emitRaw, emitRawWithAck, joinLoaded, record, strokeInput, useServer } from "./harness";
import { RawClient } from "./support/raw-client";

// High op rate so that random payloads reach validation rather than stopping at the rate limit.
const server = useServer({ opsPerSecond: 100_000, joinsPerMinute: 100_000 });

/** Every event, and names no handler knows: look-alikes, prototype keys, numbers (`42[7]`). */
const events: (string | number)[] = [...CLIENT_EVENTS, "unknown:event", "__proto__", "constructor", "op ", "OP", 7, 0, -1, 1e21];

/** Payloads near the valid ones: right shape, wrong detail. The ones that find real bugs. */
const nearValid = fc.oneof(
  fc.record({
    type: fc.constantFrom("circle:set", "stroke:add", "stroke:erase", "stroke:restore", "board:clear", "nope"),
    opId: fc.oneof(fc.string(), fc.constant("op-1"), fc.integer()),
    color: fc.oneof(fc.constant("#ff0000"), fc.string()),
    strokeIds: fc.oneof(fc.array(fc.string(), { maxLength: 5 }), fc.constant(["s-good"]), fc.anything()),
    stroke: fc.record({
      id: fc.oneof(fc.constant("s-fuzz"), fc.string()),
      color: fc.oneof(fc.constant("#00ff00"), fc.string()),
      width: fc.oneof(fc.double(), fc.integer()),
      tool: fc.oneof(fc.constant("pen"), fc.string()),
      simulatePressure: fc.oneof(fc.boolean(), fc.anything()),
      points: fc.oneof(fc.array(fc.double(), { maxLength: 30 }), fc.array(fc.anything(), { maxLength: 5 })),
    }),
  }),
  fc.record({ boardId: fc.oneof(fc.constant("fuzz"), fc.string()), name: fc.string(), clientId: fc.string() }),
  fc.record({ opId: fc.string(), text: fc.string({ maxLength: 1_200 }), to: fc.option(fc.string()) }),
  fc.record({ x: fc.double(), y: fc.double() }),
  fc.record({ state: fc.oneof(fc.constantFrom("active", "idle", "away"), fc.string()) }),
  fc.record({ strokeIds: fc.oneof(fc.array(fc.string(), { maxLength: 120 }), fc.constant(["s-good", "s-good"])) }),
  // An unknown key as long as a message may be: a refusal that quoted it would send it back.
  fc.record({ opId: fc.constant("m-1"), text: fc.constant("hi") }).map((p) => ({ ...p, [`k${"x".repeat(200_000)}`]: 1 })),
);

describe("fuzzing every event with random and adversarial payloads", () => {
  it("keeps the server up, the board valid, and a well-behaved client unaffected", async () => {
    const good = await server().connect();
    await joinLoaded(good, "fuzz", "Grace");
    await commit(good, addOp("good-0", strokeInput("s-good")));
    const goodErrors = record(good, "error");

    // The server cuts off a connection that keeps sending junk: the attacker comes back as a
    // new one, as a script would, so that the fuzzing goes on reaching the validation.
    let attacker = await server().connect();
    let cut = 0;
    await joinLoaded(attacker, "fuzz", "Mallory");
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...events),
        fc.oneof(nearValid, fc.anything(), fc.string({ maxLength: 5_000 })),
        fc.boolean(),
        async (event, payload, withAck) => {
          if (!attacker.connected) {
            cut += 1;
            attacker = await server().connect();
            await joinLoaded(attacker, "fuzz", `Mallory ${cut}`);
          }
          // Fired and not awaited, as a flood would be: events without an ack never answer, and
          // what matters is what the server and the good client do meanwhile and after.
          if (withAck) emitRawWithAck(attacker, event as string, payload).catch(() => undefined);
          else emitRaw(attacker, event as string, payload);
        },
      ),
      { numRuns: 400, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
    );

    // Whatever the flood did to the attacker's connection, the server has handled all of it once
    // the attacker's own round trip returns (or the attacker was cut off).
    if (attacker.connected) await barrier(attacker).catch(() => undefined);

    // The well-behaved client: still served, still acked, never told of an error.
    for (let i = 1; i <= 5; i++) await commit(good, addOp(`good-${i}`, strokeInput(`s-good-${i}`)));
    await barrier(good);
    expect(goodErrors).toEqual([]);

    // The board is valid: a newcomer loads it, and every stroke in it is a valid stroke.
    const late = await server().connect();
    const { snapshot, strokes } = await joinLoaded(late, "fuzz", "Newcomer");
    for (const s of strokes) {
      const { author, seq, ...input } = s;
      expect(strokeInputSchema.safeParse(input).success).toBe(true);
      expect(typeof author).toBe("string");
      expect(seq).toBeLessThanOrEqual(snapshot.seq);
    }
    expect(strokes.map((s) => s.id)).toEqual(expect.arrayContaining(["s-good", "s-good-5"]));

    // Nothing threw: refusals are answers, not crashes.
    expect(server().sockets.metrics.counters.handlerErrors).toBe(0);
    expect(server().logs.filter((l) => l.level === "error")).toEqual([]);
    expect(server().sockets.metrics.counters.invalidPayloads).toBeGreaterThan(0);
    // No refusal ever carried a payload back, and no log line either.
    for (const entry of server().logs) expect(JSON.stringify(entry).length).toBeLessThan(5_000);
  });

  it("survives raw Engine.IO and Socket.IO frames of any shape", async () => {
    const good = await server().connect();
    await joinLoaded(good, "fuzz", "Grace");
    const frame = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ maxLength: 200 }).map((s) => `42${s}`),
      fc.jsonValue().map((v) => `42${JSON.stringify(v)}`),
      fc.tuple(fc.constantFrom(..."0123456789"), fc.constantFrom(..."0123456789"), fc.jsonValue()).map(([a, b, v]) => `${a}${b}${JSON.stringify(v)}`),
      fc.constantFrom("40", "41", "40/admin,", "42[7]", "43[]", "451-[\"op\",{\"_placeholder\":true,\"num\":0}]", "2", "3", "5", "6"),
    );
    let raw = await RawClient.connect(server().url);
    let reopened = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 10 }), async (frames) => {
        if (!raw.isOpen) {
          reopened += 1;
          raw = await RawClient.connect(server().url);
        }
        raw.send(...frames);
      }),
      { numRuns: 300, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
    );
    raw.terminate();

    for (let i = 0; i < 3; i++) await commit(good, addOp(`good-${i}`, strokeInput(`s-good-${i}`)));
    expect(server().sockets.metrics.counters.handlerErrors).toBe(0);
    expect(server().logs.filter((l) => l.level === "error")).toEqual([]);
    await expect.poll(() => server().sockets.transports.openFrom("127.0.0.1")).toBe(1);
  });

  it("counts unknown events and otherwise ignores them", async () => {
    const a = await server().connect();
    emitRaw(a, "definitely:not:an:event", { x: 1 });
    emitRaw(a, "toString");
    await barrier(a);
    expect(server().sockets.metrics.counters.unknownEvents).toBe(2);
    expect(a.connected).toBe(true);
  });
});
