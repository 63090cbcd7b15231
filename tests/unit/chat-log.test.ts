import { describe, expect, it } from "vitest";
import { ChatLog, type ChatPost } from "@/lib/board";
import { LIMITS, type User } from "@/lib/protocol";

const person = (id: string, name: string): User => ({ id, name, color: "#e11d48", state: "active", role: "editor" });
const ada = person("u-ada", "Ada");
const bob = person("u-bob", "Bob");
const post = (opId: string, over: Partial<ChatPost> = {}): ChatPost => ({
  opId,
  text: `text ${opId}`,
  author: ada,
  fromClient: "client-ada",
  at: 1_000,
  ...over,
});

describe("ChatLog", () => {
  it("numbers messages in order and keeps author, text and time", () => {
    const log = new ChatLog();
    expect(log.post(post("m1")).message).toEqual({
      id: 1,
      opId: "m1",
      author: { id: "u-ada", name: "Ada", color: "#e11d48" },
      text: "text m1",
      at: 1_000,
    });
    expect(log.post(post("m2")).message.id).toBe(2);
  });

  it("posts an opId once per browser: a resend returns the first message", () => {
    const log = new ChatLog();
    const first = log.post(post("m1"));
    const again = log.post(post("m1", { text: "changed" }));
    expect(again).toMatchObject({ message: first.message, duplicate: true });
    expect(log.visibleTo("anyone")).toHaveLength(1);
    // Another browser choosing the same opId is another message.
    expect(log.post(post("m1", { fromClient: "client-bob", author: bob })).duplicate).toBe(false);
  });

  it("shows a direct message to its two browsers only", () => {
    const log = new ChatLog();
    log.post(post("public"));
    log.post(post("dm", { to: { user: bob, client: "client-bob" } }));
    expect(log.visibleTo("client-ada").map((m) => m.opId)).toEqual(["public", "dm"]);
    expect(log.visibleTo("client-bob").map((m) => m.opId)).toEqual(["public", "dm"]);
    expect(log.visibleTo("client-cy").map((m) => m.opId)).toEqual(["public"]);
    expect(log.visibleTo("client-bob")[1]!.to).toEqual({ id: "u-bob", name: "Bob" });
  });

  it(`keeps the last ${LIMITS.chatHistory} messages`, () => {
    const log = new ChatLog();
    for (let i = 0; i < LIMITS.chatHistory + 5; i++) log.post(post(`m${i}`));
    const kept = log.visibleTo("client-ada");
    expect(kept).toHaveLength(LIMITS.chatHistory);
    expect(kept[0]!.opId).toBe("m5");
  });
});
