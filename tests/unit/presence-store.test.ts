import { beforeEach, describe, expect, it } from "vitest";
import type { User } from "@/lib/protocol";
import { presenceStore } from "@/lib/client/presence-store";

const user = (id: string, name: string): User => ({ id, name, color: "#e11d48" });
const ada = user("u-ada", "Ada");
const bob = user("u-bob", "Bob");
const cy = user("u-cy", "Cy");

const store = () => presenceStore.getState();

beforeEach(() => {
  presenceStore.setState({ self: null, users: [], notices: [] });
});

describe("presence store", () => {
  it("resets to the join snapshot, people sorted by name", () => {
    store().reset(bob, [cy, bob, ada]);
    expect(store().self).toEqual(bob);
    expect(store().users.map((u) => u.name)).toEqual(["Ada", "Bob", "Cy"]);
  });

  it("adds a joiner once, however often the join is heard", () => {
    store().reset(ada, [ada]);
    store().joined(bob);
    store().joined(bob);
    expect(store().users).toEqual([ada, bob]);
    expect(store().notices.map((n) => [n.kind, n.user.id])).toEqual([["joined", "u-bob"]]);
  });

  it("removes a leaver and notes who left", () => {
    store().reset(ada, [ada, bob]);
    store().left("u-bob");
    expect(store().users).toEqual([ada]);
    expect(store().notices.map((n) => [n.kind, n.user])).toEqual([["left", bob]]);
  });

  it("ignores the leave of someone it does not know", () => {
    store().reset(ada, [ada]);
    store().left("u-nobody");
    expect(store().users).toEqual([ada]);
    expect(store().notices).toEqual([]);
  });

  it("keeps only the 5 latest notices, oldest first, with distinct ids", () => {
    store().reset(ada, [ada]);
    for (let i = 1; i <= 4; i++) {
      store().joined(user(`u-${i}`, `P${i}`));
      store().left(`u-${i}`);
    }
    const notices = store().notices;
    expect(notices.map((n) => `${n.kind}:${n.user.id}`)).toEqual([
      "left:u-2",
      "joined:u-3",
      "left:u-3",
      "joined:u-4",
      "left:u-4",
    ]);
    expect(new Set(notices.map((n) => n.id)).size).toBe(5);
  });
});
