import { beforeEach, describe, expect, it } from "vitest";
import type { User } from "@/lib/protocol";
import { createPresenceStore } from "@/lib/client/presence-store";

const user = (id: string, name: string): User => ({ id, name, color: "#e11d48", state: "active", role: "editor" });
const ada = user("u-ada", "Ada");
const bob = user("u-bob", "Bob");
const cy = user("u-cy", "Cy");

const store = () => presenceStore.getState();

let presenceStore = createPresenceStore();
beforeEach(() => {
  presenceStore = createPresenceStore();
});

describe("presence store", () => {
  it("resets to the join snapshot, people sorted by name", () => {
    store().reset(bob, [cy, bob, ada]);
    expect(store().self).toEqual(bob);
    expect(store().users.map((u) => u.name)).toEqual(["Ada", "Bob", "Cy"]);
  });

  it("adds a joiner once, however often the join is heard, in name order", () => {
    store().reset(bob, [bob]);
    store().joined(ada);
    store().joined(ada);
    expect(store().users).toEqual([ada, bob]);
  });

  it("removes a leaver", () => {
    store().reset(ada, [ada, bob]);
    store().left("u-bob");
    expect(store().users).toEqual([ada]);
  });

  it("ignores the leave of someone it does not know", () => {
    store().reset(ada, [ada]);
    store().left("u-nobody");
    expect(store().users).toEqual([ada]);
  });

  it("changes a person's state in the list, and in self when it is this person", () => {
    store().reset(ada, [ada, bob]);

    store().setState("u-bob", "away");
    expect(store().users.map((u) => [u.name, u.state])).toEqual([
      ["Ada", "active"],
      ["Bob", "away"],
    ]);
    expect(store().self?.state).toBe("active");

    store().setState("u-ada", "idle");
    expect(store().self).toEqual({ ...ada, state: "idle" });
    expect(store().users[0]).toEqual({ ...ada, state: "idle" });
  });

  it("leaves the state untouched, same objects, for an unknown person or an unchanged state", () => {
    store().reset(ada, [ada]);
    const before = store().users;

    store().setState("u-nobody", "away");
    store().setState("u-ada", "active");

    expect(store().users).toBe(before);
  });
});
