import { describe, expect, it } from "vitest";
import { createBoardState } from "@/lib/client/board-state";
import { Outbox } from "@/lib/client/outbox";
import { addOp, circleOp, strokeInput } from "./fixtures";
import { MemoryStorage } from "./support/socket-pair";

const ada = { id: "u-ada", name: "Ada", color: "#e11d48" };
const KEY = (board: string, tab: string) => `scribble.outbox.${board}.${tab}`;

/** Storage that refuses every write, as a full or blocked localStorage does. */
class FullStorage extends MemoryStorage {
  override setItem = () => {
    throw new DOMException("quota exceeded", "QuotaExceededError");
  };
}

describe("outbox", () => {
  it("keeps its tab's entry equal to what is pending, op by op and message by message, and removes it when nothing is", () => {
    const storage = new MemoryStorage();
    const state = createBoardState();
    const stop = new Outbox(storage, "room-1", "tab-1").persist(state);
    expect(storage.length).toBe(0);

    state.replica.getState().local(addOp("op-1", strokeInput("s1")));
    state.chat.getState().local({ opId: "chat-1", author: ada, text: "hi", at: 1 });
    expect(JSON.parse(storage.getItem(KEY("room-1", "tab-1"))!)).toEqual({
      ops: [addOp("op-1", strokeInput("s1"))],
      chat: [{ opId: "chat-1", author: ada, text: "hi", at: 1 }],
    });

    state.chat.getState().acked({ id: 1, opId: "chat-1", author: ada, text: "hi", at: 1 });
    state.replica.getState().refused("op-1");
    expect(storage.getItem(KEY("room-1", "tab-1"))).toBeNull();

    stop();
    state.replica.getState().local(circleOp("op-2", "#2563eb"));
    expect(storage.length).toBe(0);
  });

  it("gives a tab starting on a board every entry left for it, each change once, and takes them out of storage", () => {
    const storage = new MemoryStorage();
    storage.setItem(KEY("room-1", "tab-1"), JSON.stringify({ ops: [circleOp("op-1", "#2563eb"), circleOp("op-2", "#16a34a")], chat: [] }));
    storage.setItem(KEY("room-1", "tab-2"), JSON.stringify({ ops: [circleOp("op-2", "#16a34a")], chat: [{ opId: "c", author: ada, text: "x", at: 1 }] }));
    storage.setItem(KEY("room-2", "tab-1"), JSON.stringify({ ops: [circleOp("op-9", "#000000")], chat: [] }));
    storage.setItem("something-else", "kept");

    const found = new Outbox(storage, "room-1", "tab-3").restore();

    expect(found.ops.map((op) => op.opId)).toEqual(["op-1", "op-2"]);
    expect(found.chat.map((m) => m.opId)).toEqual(["c"]);
    expect(storage.getItem(KEY("room-1", "tab-1"))).toBeNull();
    expect(storage.getItem(KEY("room-1", "tab-2"))).toBeNull();
    expect(storage.getItem(KEY("room-2", "tab-1"))).not.toBeNull();
    expect(storage.getItem("something-else")).toBe("kept");
  });

  it("two tabs on one board write entries of their own: neither overwrites the other", () => {
    const storage = new MemoryStorage();
    const [a, b] = [createBoardState(), createBoardState()];
    new Outbox(storage, "room-1", "tab-a").persist(a);
    new Outbox(storage, "room-1", "tab-b").persist(b);
    a.replica.getState().local(circleOp("op-a", "#2563eb"));
    b.replica.getState().local(circleOp("op-b", "#16a34a"));

    expect(new Outbox(storage, "room-1", "tab-c").restore().ops.map((op) => op.opId).sort()).toEqual(["op-a", "op-b"]);
  });

  it("starts empty from an entry it cannot read, and works in memory where storage is full or missing", () => {
    const storage = new MemoryStorage();
    storage.setItem(KEY("room-1", "tab-1"), "{not json");
    expect(new Outbox(storage, "room-1", "tab-2").restore()).toEqual({ ops: [], chat: [] });

    for (const blocked of [new FullStorage(), null]) {
      const state = createBoardState();
      const outbox = new Outbox(blocked, "room-1", "tab-1");
      expect(() => outbox.persist(state)).not.toThrow();
      expect(() => state.replica.getState().local(circleOp("op-1", "#2563eb"))).not.toThrow();
      expect(state.replica.getState().pending).toHaveLength(1);
      expect(outbox.restore()).toEqual({ ops: [], chat: [] });
    }
  });
});
