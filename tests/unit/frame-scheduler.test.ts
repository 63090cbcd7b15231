import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { frameScheduler } from "@/lib/client/canvas/frame-scheduler";

/** The browser's frame queue, run by hand: `frame()` runs what was asked for the next frame. */
let queued = new Map<number, FrameRequestCallback>();
let nextId = 1;
let now = 0;
const frame = () => {
  const due = [...queued.values()];
  queued = new Map();
  now += 16;
  for (const callback of due) callback(now);
};

beforeEach(() => {
  queued = new Map();
  vi.stubGlobal("requestAnimationFrame", (callback: FrameRequestCallback) => {
    queued.set(nextId, callback);
    return nextId++;
  });
  vi.stubGlobal("cancelAnimationFrame", (id: number) => queued.delete(id));
});
afterEach(() => vi.unstubAllGlobals());

describe("frameScheduler", () => {
  it("asks for no frame until requested, and for one however often it is requested", () => {
    const draw = vi.fn(() => false);
    const frames = frameScheduler(draw);
    expect(queued.size).toBe(0);
    frames.request();
    frames.request();
    frames.request();
    expect(queued.size).toBe(1);
    frame();
    expect(draw).toHaveBeenCalledTimes(1);
    expect(draw).toHaveBeenCalledWith(16);
    expect(queued.size).toBe(0);
  });

  it("draws again in the next frame for as long as draw says work is left", () => {
    let left = 3;
    const draw = vi.fn(() => --left > 0);
    frameScheduler(draw).request();
    for (let i = 0; i < 5; i++) frame();
    expect(draw).toHaveBeenCalledTimes(3);
    expect(queued.size).toBe(0);
  });

  it("a request made while drawing gets a frame of its own", () => {
    let calls = 0;
    const frames = frameScheduler(() => {
      if (++calls === 1) frames.request();
      return false;
    });
    frames.request();
    frame();
    frame();
    expect(calls).toBe(2);
  });

  it("stops: the frame asked for is cancelled and later requests ask for none", () => {
    const draw = vi.fn(() => true);
    const frames = frameScheduler(draw);
    frames.request();
    frames.stop();
    frames.request();
    frame();
    expect(draw).not.toHaveBeenCalled();
    expect(queued.size).toBe(0);
  });
});
