import { describe, expect, it } from "vitest";
import { accessLine, whoDidWhat } from "@/lib/client/who-did-what";
import { OWNED_BOARD_DEFAULTS, type AccessChange, type CommittedOp } from "@/lib/protocol";
import { applied, committedStroke } from "./fixtures";

const authors: Record<string, string> = { a1: "u-ada", a2: "u-ada", a3: "u-ada", b1: "u-bob", g1: "u-grace", x1: "u-gone" };
const names: Record<string, string> = { "u-ada": "Ada", "u-bob": "Bob", "u-grace": "Grace" };
const said = (op: CommittedOp, by = "u-grace") =>
  whoDidWhat(applied(7, op, by), (id) => authors[id], (id) => names[id]);

describe("who did what", () => {
  it("says who cleared the board, but not for a clear of an empty board", () => {
    expect(said({ type: "board:clear", opId: "c", strokeIds: ["a1", "g1"] })).toBe("cleared the board");
    expect(said({ type: "board:clear", opId: "c", strokeIds: [] })).toBeNull();
  });

  it("counts the strokes erased per person whose they were, leaving out the eraser's own", () => {
    expect(said({ type: "stroke:erase", opId: "e", strokeIds: ["a1", "a2", "a3", "g1"] })).toBe("erased 3 of Ada's strokes");
    expect(said({ type: "stroke:erase", opId: "e", strokeIds: ["a1", "b1", "a2"] })).toBe("erased 2 of Ada's strokes and 1 of Bob's strokes");
    expect(said({ type: "stroke:erase", opId: "e", strokeIds: ["x1", "a1"] })).toBe("erased 1 stroke by people who have left and 1 of Ada's strokes");
  });

  it("says who brought back others' strokes (an undone clear)", () => {
    expect(said({ type: "stroke:restore", opId: "r", strokeIds: ["a1", "b1", "g1"] })).toBe("brought back 1 of Ada's strokes and 1 of Bob's strokes");
  });

  it("says nothing of drawing, the circle, or erasing and restoring one's own strokes", () => {
    expect(said({ type: "stroke:add", opId: "s", stroke: committedStroke("g2", 7, "u-grace") })).toBeNull();
    expect(said({ type: "circle:set", opId: "c", color: "#ff0000" })).toBeNull();
    expect(said({ type: "stroke:erase", opId: "e", strokeIds: ["g1"] })).toBeNull();
    expect(said({ type: "stroke:restore", opId: "r", strokeIds: ["g1", "unknown-stroke"] })).toBeNull();
  });
});

describe("what owners' changes say", () => {
  const before = OWNED_BOARD_DEFAULTS;
  const line = (change: AccessChange) => accessLine(change, before, (id) => names[id], "u-ada");

  it("says each setting that changed, in one line", () => {
    expect(line({ type: "settings", by: "u-grace", settings: { ...before, locked: true } })).toBe("locked the board");
    expect(line({ type: "settings", by: "u-grace", settings: { ...before, chat: false, cursors: "owners", editorsMayErase: true } })).toBe(
      "let everyone erase others' strokes and clear the board, turned the chat off and showed only the owners' cursors",
    );
    expect(line({ type: "settings", by: "u-grace", settings: before })).toBeNull();
  });

  it("names the person a change was about, and says 'you' to them", () => {
    expect(line({ type: "role", by: "u-grace", userId: "u-bob", role: "viewer" })).toBe("made Bob a viewer");
    expect(line({ type: "role", by: "u-grace", userId: "u-ada", role: "editor" })).toBe("made you an editor");
    expect(line({ type: "removed", by: "u-grace", userId: "u-eve", name: "Eve" })).toBe("removed Eve from the board");
    expect(line({ type: "readmitted", by: "u-grace", name: "Eve" })).toBe("let Eve back in");
    expect(line({ type: "ended", by: "u-grace" })).toBe("ended the session");
  });
});
