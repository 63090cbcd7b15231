import { beforeEach, describe, expect, it } from "vitest";
import { boardStore, displayedColor } from "@/lib/client/board-store";

const RED = "#ef4444";
const BLUE = "#3b82f6";
const GREY = "#6366f1";

const store = () => boardStore.getState();
const shown = () => displayedColor(boardStore.getState());

beforeEach(() => {
  store().reset({ color: GREY, version: 3 }, 3);
  boardStore.setState({ pending: [] });
});

describe("board store", () => {
  it("starts from the snapshot it is reset to", () => {
    expect(shown()).toBe(GREY);
    expect(store().confirmed).toEqual({ color: GREY, version: 3 });
    expect(store().seq).toBe(3);
  });

  it("shows an own change at once, before any ack", () => {
    store().setLocal("op-1", RED);
    expect(shown()).toBe(RED);
    expect(store().confirmed).toEqual({ color: GREY, version: 3 });
  });

  it("shows the newest of several pending changes", () => {
    store().setLocal("op-1", RED);
    store().setLocal("op-2", BLUE);
    expect(shown()).toBe(BLUE);
    store().acked("op-1", 4);
    expect(shown()).toBe(BLUE);
  });

  it("confirms an acked change under its seq", () => {
    store().setLocal("op-1", RED);
    store().acked("op-1", 4);
    expect(store().pending).toEqual([]);
    expect(store().confirmed).toEqual({ color: RED, version: 4 });
    expect(store().seq).toBe(4);
    expect(shown()).toBe(RED);
  });

  it("applies a newer remote change", () => {
    store().remote({ color: BLUE, version: 5 }, 5);
    expect(shown()).toBe(BLUE);
    expect(store().seq).toBe(5);
  });

  it("ignores a remote change older than (or as old as) the confirmed one", () => {
    store().remote({ color: BLUE, version: 5 }, 5);
    store().remote({ color: RED, version: 4 }, 4);
    expect(shown()).toBe(BLUE);
    store().remote({ color: RED, version: 5 }, 5);
    expect(shown()).toBe(BLUE);
    expect(store().confirmed).toEqual({ color: BLUE, version: 5 });
  });

  it("keeps an own change ordered after someone else's: red pending, blue@5 arrives, red acked @6", () => {
    store().setLocal("op-red", RED);
    store().remote({ color: BLUE, version: 5 }, 5);
    // Still pending: the tab keeps showing what it asked for until the server has ordered it.
    expect(shown()).toBe(RED);
    store().acked("op-red", 6);
    expect(shown()).toBe(RED);
    expect(store().confirmed).toEqual({ color: RED, version: 6 });
    expect(store().seq).toBe(6);
  });

  it("yields to someone else's change ordered after its own: red acked @4, then blue@5", () => {
    store().setLocal("op-red", RED);
    store().acked("op-red", 4);
    store().remote({ color: BLUE, version: 5 }, 5);
    expect(shown()).toBe(BLUE);
    expect(store().confirmed).toEqual({ color: BLUE, version: 5 });
  });

  it("yields when the later broadcast arrives before the earlier ack: blue@5, then red acked @4", () => {
    store().setLocal("op-red", RED);
    store().remote({ color: BLUE, version: 5 }, 5);
    store().acked("op-red", 4);
    expect(store().pending).toEqual([]);
    expect(shown()).toBe(BLUE);
    expect(store().seq).toBe(5);
  });

  it("reverts a refused change to the confirmed colour", () => {
    store().remote({ color: BLUE, version: 5 }, 5);
    store().setLocal("op-red", RED);
    expect(shown()).toBe(RED);
    store().refused("op-red");
    expect(store().pending).toEqual([]);
    expect(shown()).toBe(BLUE);
  });

  it("ignores an ack for an op it does not hold", () => {
    store().acked("op-unknown", 9);
    expect(store().confirmed).toEqual({ color: GREY, version: 3 });
  });
});
