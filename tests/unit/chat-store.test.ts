import { beforeEach, describe, expect, it } from "vitest";
import { createChatStore } from "@/lib/client/chat-store";
import type { ChatMessage } from "@/lib/protocol";

const author = { id: "u-ada", name: "Ada", color: "#e11d48" };
const msg = (id: number, opId: string, at: number): ChatMessage => ({ id, opId, author, text: opId, at });
const statuses = () => chatStore.getState().items.map((i) => (i.kind === "message" ? `${i.key}:${i.status}` : i.kind));

let chatStore = createChatStore();
beforeEach(() => {
  chatStore = createChatStore();
});

describe("chat store", () => {
  it("shows an own message pending, then sent with the server's copy, or failed with the reason", () => {
    const s = chatStore.getState();
    s.local({ opId: "a", author, text: "a", at: 1 });
    s.local({ opId: "b", author, text: "b", at: 2 });
    expect(statuses()).toEqual(["a:pending", "b:pending"]);
    s.acked(msg(7, "a", 1));
    s.failed("b", "Slow down");
    expect(statuses()).toEqual(["a:sent", "b:failed"]);
    s.retrying("b");
    expect(statuses()).toEqual(["a:sent", "b:pending"]);
  });

  it("ignores a received message it already has, and orders everything by time", () => {
    const s = chatStore.getState();
    s.received(msg(2, "late", 20));
    s.line("joined", { name: "Bob", color: "#000000" }, 10);
    s.received(msg(2, "late", 20));
    expect(statuses()).toEqual(["joined", "late:sent"]);
  });

  it("on a new join keeps own unsent messages and lines, and takes the server's history for the rest", () => {
    const s = chatStore.getState();
    s.received(msg(1, "old", 1));
    s.local({ opId: "unsent", author, text: "u", at: 5 });
    s.local({ opId: "arrived", author, text: "r", at: 6 });
    s.line("left", { name: "Bob", color: "#000000" }, 7);
    // The server had "arrived" after all (its ack was lost), and "old" is in its history.
    s.reset([msg(1, "old", 1), msg(2, "arrived", 6)]);
    expect(statuses()).toEqual(["old:sent", "unsent:pending", "arrived:sent", "left"]);
  });
});
