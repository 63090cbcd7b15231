import { describe, expect, it, onTestFinished } from "vitest";
import type { ChatMessage } from "@/lib/protocol";
import { LIMITS } from "@/lib/protocol";
import { barrier, emitRawWithAck, join, newClientId, next, record, startServer, useServer } from "./harness";

const server = useServer({ chatBurst: 3, chatPerSecond: 1 });

describe("chat", () => {
  it("acks the author with the stored message and sends it to the others on the board only", async () => {
    const [a, b, c] = await Promise.all([server().connect(), server().connect(), server().connect()]);
    const ada = await join(a, "room", "Ada");
    await join(b, "room", "Bob");
    await join(c, "elsewhere", "Cy");
    const toA = record(a, "chat:message");
    const toC = record(c, "chat:message");
    const toB = next(b, "chat:message");

    const res = await a.emitWithAck("chat:send", { opId: "m1", text: "  hello  " });

    expect(res.ok).toBe(true);
    const message = (res as { message: ChatMessage }).message;
    expect(message).toMatchObject({ id: 1, opId: "m1", text: "hello", author: { id: ada.self.id, name: "Ada" } });
    expect(message.to).toBeUndefined();
    expect(await toB).toEqual(message);
    await Promise.all([barrier(a), barrier(c)]);
    expect(toA).toEqual([]);
    expect(toC).toEqual([]);
  });

  it("keeps markup as the text it is", async () => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    await join(a, "room", "Ada");
    await join(b, "room", "Bob");
    const toB = next(b, "chat:message");
    const text = '<img src=x onerror="alert(1)"><b>bold</b>';
    await a.emitWithAck("chat:send", { opId: "m1", text });
    expect((await toB).text).toBe(text);
  });

  it("shows a late joiner the history, oldest first, capped at the last messages", async () => {
    const a = await server().connect();
    await join(a, "room", "Ada");
    // More than the history keeps, past the rate limit: the limit is per person, so several people talk.
    const speakers = await Promise.all(Array.from({ length: 70 }, () => server().connect()));
    await Promise.all(speakers.map((s, i) => join(s, "room", `P${i}`)));
    for (const [i, s] of speakers.entries()) {
      for (let k = 0; k < 3; k++) {
        const res = await s.emitWithAck("chat:send", { opId: `m-${i}-${k}`, text: `${i}.${k}` });
        expect(res.ok).toBe(true);
      }
    }
    const late = await server().connect();
    const snapshot = await join(late, "room", "Late");

    expect(snapshot.chat).toHaveLength(LIMITS.chatHistory);
    expect(snapshot.chat.at(-1)!.text).toBe("69.2");
    expect(snapshot.chat.map((m) => m.id)).toEqual([...snapshot.chat.map((m) => m.id)].sort((x, y) => x - y));
  });

  it("delivers a direct message to its recipient's tabs and the author's other tabs only, never the board", async () => {
    const [a, a2, b, b2, c] = await Promise.all([server().connect(), server().connect(), server().connect(), server().connect(), server().connect()]);
    const adaClient = newClientId();
    const bobClient = newClientId();
    await join(a, "room", "Ada", adaClient);
    await join(a2, "room", "Ada", adaClient);
    const bob = await join(b, "room", "Bob", bobClient);
    await join(b2, "room", "Bob", bobClient);
    await join(c, "room", "Cy");
    const got = { a: record(a, "chat:message"), a2: record(a2, "chat:message"), b: record(b, "chat:message"), b2: record(b2, "chat:message"), c: record(c, "chat:message") };

    const res = await a.emitWithAck("chat:send", { opId: "dm1", text: "psst", to: bob.self.id });
    expect(res.ok && res.message.to).toEqual({ id: bob.self.id, name: "Bob" });
    await Promise.all([a, a2, b, b2, c].map(barrier));

    expect(got.b).toHaveLength(1);
    expect(got.b2).toHaveLength(1);
    expect(got.a2).toHaveLength(1);
    expect(got.a).toEqual([]);
    expect(got.c).toEqual([]);

    // History: the two browsers see it again on a new join; nobody else does.
    const [bobAgain, cyAgain] = await Promise.all([server().connect(), server().connect()]);
    expect((await join(bobAgain, "room", "Bob", bobClient)).chat.map((m) => m.text)).toEqual(["psst"]);
    expect((await join(cyAgain, "room", "Cy2")).chat).toEqual([]);
  });

  it("answers a resend of the same opId with the same message and sends it to nobody again", async () => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    await join(a, "room", "Ada");
    await join(b, "room", "Bob");
    const toB = record(b, "chat:message");
    const first = await a.emitWithAck("chat:send", { opId: "m1", text: "once" });
    const again = await a.emitWithAck("chat:send", { opId: "m1", text: "once" });
    await barrier(b);
    expect(again).toEqual(first);
    expect(toB).toHaveLength(1);
  });

  it.each([
    ["an empty message", { opId: "m1", text: "" }],
    ["whitespace only", { opId: "m1", text: "   \n " }],
    ["a message over the length limit", { opId: "m1", text: "x".repeat(LIMITS.chatTextMax + 1) }],
    ["a text that is not a string", { opId: "m1", text: 42 }],
    ["no opId", { text: "hi" }],
  ])("refuses %s with INVALID_PAYLOAD, logged, and stores nothing", async (_label, payload) => {
    const a = await server().connect();
    await join(a, "room", "Ada");
    const res = (await emitRawWithAck(a, "chat:send", payload)) as { ok: boolean; error: { code: string; message: string } };
    expect(res.ok).toBe(false);
    expect(res.error.code).toBe("INVALID_PAYLOAD");
    expect(res.error.message).toMatch(/text|opId/);
    expect(server().logs.some((l) => l.level === "warn" && l.fields?.event === "chat:send")).toBe(true);
    const late = await server().connect();
    expect((await join(late, "room", "Late")).chat).toEqual([]);
  });

  it("rate-limits each person, across their tabs, with a retry hint", async () => {
    const [a, a2] = await Promise.all([server().connect(), server().connect()]);
    const client = newClientId();
    await join(a, "room", "Ada", client);
    await join(a2, "room", "Ada", client);
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await (i % 2 ? a2 : a).emitWithAck("chat:send", { opId: `m${i}`, text: `${i}` }));

    expect(answers.slice(0, 3).every((r) => r.ok)).toBe(true);
    const refused = answers[3]!;
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.code).toBe("RATE_LIMITED");
      expect(refused.error.retryAfterMs).toBeGreaterThan(0);
      expect(refused.error.retryAfterMs).toBeLessThanOrEqual(1_000);
    }
  });

  it("keeps a person's limit when they leave and come back: leaving buys no fresh allowance", async () => {
    // A refill too slow to matter while the test runs, however slow the machine.
    const slow = await startServer({ chatBurst: 3, chatPerSecond: 0.01 });
    onTestFinished(() => slow.close());
    const client = newClientId();
    const a = await slow.connect();
    await join(a, "room", "Ada", client);
    for (let i = 0; i < 3; i++) expect((await a.emitWithAck("chat:send", { opId: `m${i}`, text: `${i}` })).ok).toBe(true);
    a.disconnect();

    const again = await slow.connect();
    await join(again, "room", "Ada", client);
    const res = await again.emitWithAck("chat:send", { opId: "m3", text: "3" });
    expect(res.ok || res.error.code).toBe("RATE_LIMITED");
  });

  it("refuses a direct message to someone not on the board, and chat before joining", async () => {
    const [a, stranger] = await Promise.all([server().connect(), server().connect()]);
    await join(a, "room", "Ada");
    const dm = await a.emitWithAck("chat:send", { opId: "m1", text: "hi", to: "nobody-here" });
    expect(dm.ok || dm.error.code).toBe("UNKNOWN_RECIPIENT");
    const early = await stranger.emitWithAck("chat:send", { opId: "m2", text: "hi" });
    expect(early.ok || early.error.code).toBe("NOT_JOINED");
  });
});
