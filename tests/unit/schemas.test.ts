import { describe, expect, it } from "vitest";
import {
  boardIdSchema,
  circleSetSchema,
  clientIdSchema,
  colorSchema,
  displayNameSchema,
  joinRequestSchema,
  LIMITS,
  opIdSchema,
} from "@/lib/protocol";

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

describe("circleSetSchema", () => {
  it("accepts an op and lowercases its colour", () => {
    expect(circleSetSchema.parse({ opId: "op-1", color: "#FF0000" })).toEqual({ opId: "op-1", color: "#ff0000" });
  });

  it("refuses a missing opId and extra keys", () => {
    expect(circleSetSchema.safeParse({ color: "#ff0000" }).success).toBe(false);
    expect(circleSetSchema.safeParse({ opId: "op-1", color: "#ff0000", seq: 9 }).success).toBe(false);
  });
});
