import { describe, expect, it } from "vitest";
import { Board, DEDUPE_WINDOW, DEFAULT_CIRCLE_COLOR } from "@/lib/board";

const set = (opId: string, color: string) => ({ type: "circle:set", opId, color }) as const;

describe("Board", () => {
  it("starts at seq 0 with the default circle, version 0", () => {
    const board = new Board("room-1");
    expect(board.id).toBe("room-1");
    expect(board.seq).toBe(0);
    expect(board.circle).toEqual({ color: DEFAULT_CIRCLE_COLOR, version: 0 });
  });

  it("gives every new op the next seq and stamps the circle with it", () => {
    const board = new Board("room-1");

    expect(board.apply(set("op-1", "#ff0000"))).toEqual({ seq: 1, duplicate: false });
    expect(board.circle).toEqual({ color: "#ff0000", version: 1 });
    expect(board.apply(set("op-2", "#00ff00"))).toEqual({ seq: 2, duplicate: false });
    expect(board.apply(set("op-3", "#0000ff"))).toEqual({ seq: 3, duplicate: false });

    expect(board.seq).toBe(3);
    expect(board.circle).toEqual({ color: "#0000ff", version: 3 });
  });

  it("treats a resent opId as a no-op that answers with the original seq", () => {
    const board = new Board("room-1");
    board.apply(set("op-1", "#ff0000"));
    board.apply(set("op-2", "#0000ff"));

    // A different colour under the same opId proves the resend is recognised by id, not content.
    expect(board.apply(set("op-1", "#00ff00"))).toEqual({ seq: 1, duplicate: true });

    expect(board.seq).toBe(2);
    expect(board.circle).toEqual({ color: "#0000ff", version: 2 });
  });

  it(`remembers the last ${DEDUPE_WINDOW} opIds and forgets the oldest beyond that`, () => {
    const board = new Board("room-1");
    for (let i = 0; i < DEDUPE_WINDOW; i++) board.apply(set(`op-${i}`, "#ff0000"));
    expect(board.apply(set("op-0", "#ff0000"))).toEqual({ seq: 1, duplicate: true });

    board.apply(set(`op-${DEDUPE_WINDOW}`, "#ff0000"));

    // op-1 is now the oldest remembered; op-0 has fallen out and counts as new.
    expect(board.apply(set("op-1", "#ff0000"))).toEqual({ seq: 2, duplicate: true });
    expect(board.apply(set("op-0", "#00ff00"))).toEqual({ seq: DEDUPE_WINDOW + 2, duplicate: false });
    expect(board.circle).toEqual({ color: "#00ff00", version: DEDUPE_WINDOW + 2 });
  });
});
