import { describe, expect, it } from "vitest";
import { DEFAULT_CIRCLE_COLOR, Timeline, type HistoryRecord } from "@/lib/board";

const rec = (seq: number, type: HistoryRecord["type"], strokeIds: string[] = [], extra: Partial<HistoryRecord> = {}): HistoryRecord => ({
  seq,
  author: "u-ada",
  type,
  strokeIds,
  ...extra,
});

describe("Timeline", () => {
  it("runs changes of one kind by one person together, unless a minute passed or it is a clear", () => {
    const t = new Timeline(
      [
        rec(1, "stroke:add", ["a"], { at: 0 }),
        rec(2, "stroke:add", ["b"], { at: 30_000 }),
        rec(3, "stroke:add", ["c"], { at: 120_000 }),
        rec(4, "stroke:add", ["d"], { at: 121_000, author: "u-bob" }),
        rec(5, "board:clear", ["a", "b"], { at: 122_000 }),
        rec(6, "board:clear", [], { at: 123_000 }),
      ],
      0,
    );
    expect(t.entries().map((e) => [e.fromSeq, e.toSeq, e.count])).toEqual([
      [1, 2, 2],
      [3, 3, 1],
      [4, 4, 1],
      [5, 5, 2],
      [6, 6, 0],
    ]);
  });

  it("works the board back from now: adds and restores undone, erases and clears shown again", () => {
    const t = new Timeline([rec(1, "stroke:add", ["a"]), rec(2, "stroke:add", ["b"]), rec(3, "stroke:erase", ["a"]), rec(4, "stroke:restore", ["a"]), rec(5, "board:clear", ["a", "b"])], 0);
    const circle = { color: "#ef4444", version: 9 };
    expect([...t.at(5, [], circle)!.strokeIds]).toEqual([]);
    expect([...t.at(4, [], circle)!.strokeIds].sort()).toEqual(["a", "b"]);
    expect([...t.at(3, [], circle)!.strokeIds]).toEqual(["b"]);
    expect([...t.at(0, [], circle)!.strokeIds]).toEqual([]);
    expect(t.at(6, [], circle)).toBeUndefined();
    // A whole history knows the first colour.
    expect(t.at(0, [], circle)!.circle).toEqual({ color: DEFAULT_CIRCLE_COLOR, version: 0 });
  });

  it("keeps the latest changes only, and then begins where they do", () => {
    const t = new Timeline([], 0, { changes: 3, ids: 100 });
    for (let seq = 1; seq <= 5; seq++) t.append(rec(seq, "stroke:add", [`s${seq}`]));
    t.append(rec(4, "stroke:add", ["again"]));
    expect(t.firstSeq).toBe(2);
    expect(t.at(1, ["s1", "s2", "s3", "s4", "s5"], { color: "#000000", version: 0 })).toBeUndefined();
    expect([...t.at(2, ["s1", "s2", "s3", "s4", "s5"], { color: "#000000", version: 0 })!.strokeIds]).toEqual(["s1", "s2"]);
    expect(t.entries().map((e) => e.toSeq)).toEqual([5]);
  });

  it("keeps at most so many stroke ids, dropping the oldest changes", () => {
    const t = new Timeline([], 0, { changes: 100, ids: 5 });
    t.append(rec(1, "stroke:add", ["a"]));
    t.append(rec(2, "board:clear", ["a"]));
    t.append(rec(3, "stroke:restore", ["a"]));
    t.append(rec(4, "stroke:erase", ["a", "b", "c", "d"]));
    expect(t.firstSeq).toBe(2);
  });

  it("reads an old whole log as what changed: an erase of a stroke erased already hides nothing", () => {
    const t = new Timeline([rec(1, "stroke:add", ["a"]), rec(2, "stroke:erase", ["a"]), rec(3, "stroke:erase", ["a"]), rec(4, "stroke:restore", ["a"]), rec(5, "stroke:restore", ["a"])], 0);
    const circle = { color: "#000000", version: 0 };
    expect([...t.at(2, ["a"], circle)!.strokeIds]).toEqual([]);
    expect([...t.at(3, ["a"], circle)!.strokeIds]).toEqual([]);
    expect([...t.at(4, ["a"], circle)!.strokeIds]).toEqual(["a"]);
  });
});
