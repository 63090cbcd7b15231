import { describe, expect, it } from "vitest";
import type { AppliedOp } from "@/lib/protocol";
import { RecentOps, RESYNC_WINDOW, RESYNC_WINDOW_BYTES } from "@/lib/server/recent-ops";
import { circleOp, eraseOp } from "./fixtures";

const applied = (seq: number, op = circleOp(`op-${seq}`, "#ff0000")): AppliedOp => ({ seq, author: "u", op: op as AppliedOp["op"] });

describe("RecentOps: what a resuming tab can be handed", () => {
  it("hands the ops after a seq it still reaches, nothing at the board's seq, and null beyond", () => {
    const recent = new RecentOps([applied(1), applied(2), applied(3)]);
    expect(recent.after(1, 3)?.map((op) => op.seq)).toEqual([2, 3]);
    expect(recent.after(0, 3)?.map((op) => op.seq)).toEqual([1, 2, 3]);
    expect(recent.after(3, 3)).toEqual([]);
  });

  it("keeps at most RESYNC_WINDOW ops", () => {
    const recent = new RecentOps();
    for (let seq = 1; seq <= RESYNC_WINDOW + 10; seq++) recent.push(applied(seq));
    expect(recent.after(10, RESYNC_WINDOW + 10)).toHaveLength(RESYNC_WINDOW);
    expect(recent.after(9, RESYNC_WINDOW + 10)).toBeNull();
  });

  it("keeps at most RESYNC_WINDOW_BYTES of them, however few: big erases push the old ones out", () => {
    const ids = Array.from({ length: 5_000 }, (_, i) => `stroke-id-${"x".repeat(50)}-${i}`);
    const big = JSON.stringify(applied(1, eraseOp("e", ...ids))).length;
    const recent = new RecentOps();
    const count = Math.ceil(RESYNC_WINDOW_BYTES / big) * 3;
    for (let seq = 1; seq <= count; seq++) recent.push(applied(seq, eraseOp(`e-${seq}`, ...ids)));
    const fits = Math.floor(RESYNC_WINDOW_BYTES / big);
    expect(recent.after(count - fits, count)).toHaveLength(fits);
    expect(recent.after(count - fits - 2, count)).toBeNull();
  });
});
