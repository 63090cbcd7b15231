import { describe, expect, it } from "vitest";
import {
  boardIdSchema,
  clientIdSchema,
  colorSchema,
  displayNameSchema,
  joinRequestSchema,
  LIMITS,
  opIdSchema,
  opRequestSchema,
  PAGE,
  strokePreviewSchema,
} from "@/lib/protocol";
import { strokeInput, INVISIBLE_IN_ADA } from "./fixtures";

describe("boardIdSchema", () => {
  it.each(["abc-DEF_12", "a", "x".repeat(LIMITS.boardIdMaxLength)])("accepts %j", (id) => {
    expect(boardIdSchema.parse(id)).toBe(id);
  });

  it.each(["", "../etc", "a/b", "a b", "a.b", "x".repeat(LIMITS.boardIdMaxLength + 1), 42, null])(
    "refuses %j",
    (id) => {
      expect(boardIdSchema.safeParse(id).success).toBe(false);
    },
  );
});

describe("displayNameSchema", () => {
  it("trims surrounding whitespace", () => {
    expect(displayNameSchema.parse("  Ada  ")).toBe("Ada");
    expect(displayNameSchema.parse("\tAda Lovelace\n")).toBe("Ada Lovelace");
  });

  it("measures the length after trimming", () => {
    const longest = "x".repeat(LIMITS.nameMaxLength);
    expect(displayNameSchema.parse(`  ${longest}  `)).toBe(longest);
  });

  it.each([
    ["empty", ""],
    ["whitespace only", " \t "],
    ["33 characters", "x".repeat(LIMITS.nameMaxLength + 1)],
    ["a control character inside", "Ada\u0007Bob"],
    ["a newline inside", "Ada\nAdmin joined"],
    ["a format character (RTL override)", "Ada\u202e"],
    ["a zero-width space", "\u200b"],
    ["not a string", 42],
  ])("refuses %s", (_label, name) => {
    expect(displayNameSchema.safeParse(name).success).toBe(false);
  });

  it("accepts letters beyond ASCII", () => {
    expect(displayNameSchema.parse("Zoë Ōtani")).toBe("Zoë Ōtani");
  });

  it("accepts the joiners that emoji sequences and some scripts need", () => {
    expect(displayNameSchema.parse("👩\u200d💻 Dev")).toBe("👩\u200d💻 Dev");
    expect(displayNameSchema.parse("می\u200cخواهم")).toBe("می\u200cخواهم");
  });

  it.each([
    ...INVISIBLE_IN_ADA,
    ["tag characters", "🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}"],
    ["a Cyrillic look-alike", "\u0410da"],
  ])("keeps a visible name with %s as it was written (names compare without it)", (_label, name) => {
    expect(displayNameSchema.parse(name)).toBe(name);
  });

  it.each([
    ["U+3164 Hangul filler", "\u3164"],
    ["U+115F Hangul choseong filler", "\u115f"],
    ["U+FFA0 halfwidth Hangul filler", "\uffa0"],
    ["U+2800 braille blank", "\u2800\u2800"],
    ["spaces of other kinds", "\u3000\u2003\u00a0\u202f"],
    ["a zero-width joiner", "\u200d"],
    ["a zero-width non-joiner and a word joiner", "\u200c\u2060"],
    ["a soft hyphen", "\u00ad"],
    ["a left-to-right mark", "\u200e"],
    ["variation selectors", "\ufe0f\u{e0100}"],
    ["a combining grapheme joiner", "\u034f"],
    ["tag characters", "\u{e0041}\u{e0064}\u{e0061}"],
    ["combining marks", "\u0301\u0308"],
    ["blanks between invisible characters", "\u200d\u2800\u3164\ufe0f"],
  ])("refuses a name of %s only, without echoing it", (_label, name) => {
    const res = displayNameSchema.safeParse(name);
    expect(res.success).toBe(false);
    expect(res.error?.issues.map((i) => i.message).join(" ")).not.toContain(name);
  });

  it.each([
    ["a lone high surrogate", "\ud800"],
    ["a lone low surrogate after a name", "Ada\udc00"],
    ["a high surrogate before a name", "\ud83dAda"],
  ])("refuses %s", (_label, name) => {
    const res = displayNameSchema.safeParse(name);
    expect(res.success).toBe(false);
    expect(res.error?.issues.map((i) => i.message)).toContain("name is not valid text");
  });
});

describe("colorSchema", () => {
  it("normalises to lowercase", () => {
    expect(colorSchema.parse("#ABCDEF")).toBe("#abcdef");
    expect(colorSchema.parse("#a1B2c3")).toBe("#a1b2c3");
  });

  it.each(["red", "#fff", "#gggggg", "abcdef", "#abcdef0", " #abcdef", 123, null])("refuses %j", (c) => {
    expect(colorSchema.safeParse(c).success).toBe(false);
  });
});

describe("clientIdSchema and opIdSchema", () => {
  it("bound the client id to 8..64 token characters", () => {
    expect(clientIdSchema.safeParse("abcd-123").success).toBe(true);
    expect(clientIdSchema.safeParse("abc-123").success).toBe(false);
    expect(clientIdSchema.safeParse("x".repeat(65)).success).toBe(false);
    expect(clientIdSchema.safeParse("abcd 1234").success).toBe(false);
  });

  it("bound the op id to 1..64 token characters", () => {
    expect(opIdSchema.safeParse("V1StGXR8_Z5jdHi6B-myT").success).toBe(true);
    expect(opIdSchema.safeParse("").success).toBe(false);
    expect(opIdSchema.safeParse("x".repeat(65)).success).toBe(false);
    expect(opIdSchema.safeParse("op/1").success).toBe(false);
  });
});

describe("joinRequestSchema", () => {
  const valid = { boardId: "room-1", name: " Ada ", clientId: "client-12345" };

  it("accepts a well-formed request and normalises the name", () => {
    expect(joinRequestSchema.parse(valid)).toEqual({ ...valid, name: "Ada" });
  });

  it("refuses unknown extra keys", () => {
    const res = joinRequestSchema.safeParse({ ...valid, admin: true });
    expect(res.success).toBe(false);
    expect(res.error?.issues.map((i) => i.code)).toContain("unrecognized_keys");
  });

  it("refuses a missing field", () => {
    const { clientId: _omitted, ...rest } = valid;
    expect(joinRequestSchema.safeParse(rest).success).toBe(false);
  });

  it.each(["a string", null, undefined, []])("refuses a payload that is not an object: %j", (payload) => {
    expect(joinRequestSchema.safeParse(payload).success).toBe(false);
  });
});

describe("opRequestSchema: circle:set", () => {
  it("accepts an op and lowercases its colour", () => {
    expect(opRequestSchema.parse({ type: "circle:set", opId: "op-1", color: "#FF0000" })).toEqual({
      type: "circle:set",
      opId: "op-1",
      color: "#ff0000",
    });
  });

  it("refuses a missing opId and extra keys", () => {
    expect(opRequestSchema.safeParse({ type: "circle:set", color: "#ff0000" }).success).toBe(false);
    expect(opRequestSchema.safeParse({ type: "circle:set", opId: "op-1", color: "#ff0000", seq: 9 }).success).toBe(false);
  });
});

/** Where the schema found fault, so that a refusal for some other reason cannot pass for this one. */
function refusedAt(payload: unknown): string[] {
  const res = opRequestSchema.safeParse(payload);
  return res.success ? [] : res.error.issues.map((i) => i.path.join("."));
}

describe("opRequestSchema: stroke:add", () => {
  const add = (stroke: unknown) => ({ type: "stroke:add", opId: "op-1", stroke });
  const withPoints = (points: number[]) => add({ ...strokeInput("s-1"), points });
  const line = (count: number) => Array.from({ length: count }, (_, i) => [i % PAGE.width, 10, 0.5]).flat();

  it("accepts a well-formed stroke and lowercases its colour", () => {
    const res = opRequestSchema.parse(add(strokeInput("s-1", { color: "#ABCDEF" })));
    expect(res).toEqual(add(strokeInput("s-1", { color: "#abcdef" })));
  });

  it("accepts the page's corners, pressure 0 and 1, the width limits and a single point", () => {
    expect(opRequestSchema.safeParse(withPoints([0, 0, 0, PAGE.width, PAGE.height, 1])).success).toBe(true);
    expect(opRequestSchema.safeParse(withPoints([5, 5, 0.5])).success).toBe(true);
    for (const width of [LIMITS.strokeWidthMin, LIMITS.strokeWidthMax]) {
      expect(opRequestSchema.safeParse(add(strokeInput("s-1", { width }))).success).toBe(true);
    }
  });

  it(`accepts ${LIMITS.strokePointsMax} points and refuses one more`, () => {
    expect(opRequestSchema.safeParse(withPoints(line(LIMITS.strokePointsMax))).success).toBe(true);
    expect(opRequestSchema.safeParse(withPoints(line(LIMITS.strokePointsMax + 1))).success).toBe(false);
  });

  it.each([
    ["a NaN coordinate", withPoints([10, NaN, 0.5]), "stroke.points.1"],
    ["an Infinity coordinate", withPoints([Infinity, 10, 0.5]), "stroke.points.0"],
    ["a -Infinity pressure", withPoints([10, 10, -Infinity]), "stroke.points.2"],
    ["a null coordinate", add({ ...strokeInput("s-1"), points: [10, null, 0.5] }), "stroke.points.1"],
    ["a string coordinate", add({ ...strokeInput("s-1"), points: ["10", 10, 0.5] }), "stroke.points.0"],
    ["x left of the page", withPoints([-0.1, 10, 0.5]), "stroke.points"],
    ["x right of the page", withPoints([PAGE.width + 1, 10, 0.5]), "stroke.points"],
    ["y below the page", withPoints([10, PAGE.height + 0.5, 0.5]), "stroke.points"],
    ["y above the page", withPoints([10, -1, 0.5]), "stroke.points"],
    ["a later point off the page", withPoints([10, 10, 0.5, 10, 2 * PAGE.height, 0.5]), "stroke.points"],
    ["pressure above 1", withPoints([10, 10, 1.01]), "stroke.points"],
    ["pressure below 0", withPoints([10, 10, -0.01]), "stroke.points"],
    ["no points", withPoints([]), "stroke.points"],
    ["points that are not triples (4 numbers)", withPoints([10, 10, 0.5, 20]), "stroke.points"],
    ["points that are not triples (2 numbers)", withPoints([10, 10]), "stroke.points"],
    ["points that are not an array", add({ ...strokeInput("s-1"), points: "10,10,0.5" }), "stroke.points"],
    ["a colour that is a word", add(strokeInput("s-1", { color: "red" })), "stroke.color"],
    ["a short hex colour", add(strokeInput("s-1", { color: "#fff" })), "stroke.color"],
    ["width 0", add(strokeInput("s-1", { width: 0 })), "stroke.width"],
    ["width 100", add(strokeInput("s-1", { width: 100 })), "stroke.width"],
    ["a NaN width", add(strokeInput("s-1", { width: NaN })), "stroke.width"],
    ["an unknown tool", add({ ...strokeInput("s-1"), tool: "laser" }), "stroke.tool"],
    ["simulatePressure as a string", add({ ...strokeInput("s-1"), simulatePressure: "yes" }), "stroke.simulatePressure"],
    ["an empty stroke id", add(strokeInput("")), "stroke.id"],
    ["a stroke id with a slash", add(strokeInput("a/b")), "stroke.id"],
    ["a stroke id of 65 characters", add(strokeInput("x".repeat(LIMITS.opIdMaxLength + 1))), "stroke.id"],
    ["an extra key in the stroke", add({ ...strokeInput("s-1"), author: "u-admin" }), "stroke"],
    ["a seq smuggled into the stroke", add({ ...strokeInput("s-1"), seq: 1 }), "stroke"],
    ["an extra key in the op", { ...add(strokeInput("s-1")), seq: 1 }, ""],
    ["no stroke", { type: "stroke:add", opId: "op-1" }, "stroke"],
    ["a missing stroke field", add((({ width: _w, ...rest }) => rest)(strokeInput("s-1"))), "stroke.width"],
  ])("refuses %s", (_label, payload, path) => {
    expect(refusedAt(payload)).toContain(path);
  });
});

describe("opRequestSchema: erase, restore, clear and the op type", () => {
  it.each(["stroke:erase", "stroke:restore"])("%s accepts stroke ids and refuses none or too many", (type) => {
    expect(opRequestSchema.parse({ type, opId: "op-1", strokeIds: ["s-1", "s-2"] })).toEqual({
      type,
      opId: "op-1",
      strokeIds: ["s-1", "s-2"],
    });
    const many = Array.from({ length: LIMITS.strokeIdsMax + 1 }, (_, i) => `s-${i}`);
    expect(opRequestSchema.safeParse({ type, opId: "op-1", strokeIds: many.slice(1) }).success).toBe(true);
    expect(opRequestSchema.safeParse({ type, opId: "op-1", strokeIds: many }).success).toBe(false);
    expect(opRequestSchema.safeParse({ type, opId: "op-1", strokeIds: [] }).success).toBe(false);
    expect(opRequestSchema.safeParse({ type, opId: "op-1", strokeIds: ["bad id"] }).success).toBe(false);
    expect(opRequestSchema.safeParse({ type, opId: "op-1", strokeIds: "s-1" }).success).toBe(false);
  });

  it("accepts a clear with nothing but its opId", () => {
    expect(opRequestSchema.parse({ type: "board:clear", opId: "op-1" })).toEqual({ type: "board:clear", opId: "op-1" });
    expect(opRequestSchema.safeParse({ type: "board:clear", opId: "op-1", strokeIds: ["s-1"] }).success).toBe(false);
  });

  it.each([
    ["an unknown type", { type: "stroke:move", opId: "op-1", strokeIds: ["s-1"] }],
    ["the old undo op", { type: "undo", opId: "op-1" }],
    ["no type", { opId: "op-1", color: "#ff0000" }],
    ["a bad opId", { type: "board:clear", opId: "op 1" }],
    ["null", null],
    ["an array", [{ type: "board:clear", opId: "op-1" }]],
  ])("refuses %s", (_label, payload) => {
    expect(opRequestSchema.safeParse(payload).success).toBe(false);
  });
});

describe("strokePreviewSchema", () => {
  it("holds previews to the shape of strokes", () => {
    expect(strokePreviewSchema.safeParse(strokeInput("s-1")).success).toBe(true);
    expect(strokePreviewSchema.safeParse({ ...strokeInput("s-1"), points: [10, NaN, 0.5] }).success).toBe(false);
    expect(strokePreviewSchema.safeParse({ ...strokeInput("s-1"), userId: "u-forged" }).success).toBe(false);
  });
});
