import { describe, expect, it } from "vitest";
import { hslToHex, PERSON_COLORS, pickPersonColor, Roster } from "@/lib/board";
import { INVISIBLE_IN_ADA } from "./fixtures";

/** A roster whose user ids are predictable and whose id minting can be counted. */
function makeRoster() {
  const roster = new Roster();
  let minted = 0;
  const join = (socketId: string, clientId: string, name: string) =>
    roster.place(socketId, clientId, roster.userFor({ name, role: "editor", newUserId: () => `user-${++minted}` }), "active");
  return { roster, join, minted: () => minted };
}

describe("Roster", () => {
  it("adds a new person with a fresh id and the first free colour", () => {
    const { roster, join } = makeRoster();

    const res = join("s1", "client-a", "Ada");

    expect(res).toEqual({ user: { id: "user-1", name: "Ada", role: "editor", color: PERSON_COLORS[0], state: "active" }, isNew: true, changed: false });
    expect(roster.users()).toEqual([res.user]);
    expect(roster.size).toBe(1);
    expect(roster.userOf("s1")).toEqual(res.user);
  });

  it("makes a second tab of the same browser under the same name the same person", () => {
    const { roster, join, minted } = makeRoster();
    const first = join("s1", "client-a", "Ada");

    const second = join("s2", "client-a", "Ada");

    expect(second.isNew).toBe(false);
    expect(second.user).toEqual(first.user);
    expect(minted()).toBe(1);
    expect(roster.size).toBe(1);
    expect(roster.userOf("s2")).toEqual(first.user);
  });

  it("lets the same browser take its name in another case, as the same person", () => {
    const { roster, join } = makeRoster();
    const first = join("s1", "client-a", "Ada");

    expect(roster.isAvailable("ada", "client-a")).toBe(true);
    expect(join("s2", "client-a", "ada")).toEqual({ user: first.user, isNew: false, changed: false });
  });

  it("refuses a name another browser holds, whatever its case or Unicode form", () => {
    const { roster, join } = makeRoster();
    join("s1", "client-a", "Ada");

    expect(roster.isAvailable("ada", "client-b")).toBe(false);
    expect(roster.isAvailable("ADA", "client-b")).toBe(false);
    // Full-width letters fold to "Ada" under NFKC: a look-alike is the same name.
    expect(roster.isAvailable("\uff21\uff44\uff41", "client-b")).toBe(false);
    expect(() => join("s2", "client-b", "ada")).toThrow(/taken/);

    expect(roster.size).toBe(1);
    expect(roster.userOf("s2")).toBeUndefined();
  });

  it.each([
    ...INVISIBLE_IN_ADA,
    ["tag characters", "Ada\u{e0041}\u{e007f}"],
    ["a Hangul filler", "Ada\u3164"],
    ["a braille blank", "Ada\u2800"],
    ["a Cyrillic А", "\u0410da"],
    ["a Greek alpha", "Ad\u03b1"],
  ])("takes Ada with %s for Ada: refused to another browser, the same person to Ada's", (_label, name) => {
    const { roster, join } = makeRoster();
    const ada = join("s1", "client-a", "Ada").user;

    expect(roster.isAvailable(name, "client-b")).toBe(false);
    expect(join("s2", "client-a", name)).toEqual({ user: ada, isNew: false, changed: false });
    expect(roster.size).toBe(1);
  });

  it("frees a look-alike of a name when its holder leaves", () => {
    const { roster, join } = makeRoster();
    join("s1", "client-a", "\u0410da\u200d");
    roster.leave("s1");
    expect(roster.isAvailable("Ada", "client-b")).toBe(true);
    expect(join("s2", "client-b", "Ada").isNew).toBe(true);
  });

  it("refuses the same socket twice", () => {
    const { join } = makeRoster();
    join("s1", "client-a", "Ada");
    expect(() => join("s1", "client-a", "Ada")).toThrow(/already/);
  });

  it("reports a person gone only when their last tab leaves, then frees the name", () => {
    const { roster, join } = makeRoster();
    const { user } = join("s1", "client-a", "Ada");
    join("s2", "client-a", "Ada");

    expect(roster.leave("s1")).toEqual({ user, gone: false, changed: false });
    expect(roster.size).toBe(1);
    expect(roster.leave("s2")).toEqual({ user, gone: true, changed: false });
    expect(roster.size).toBe(0);
    expect(roster.users()).toEqual([]);
    expect(roster.leave("s2")).toBeUndefined();
    expect(roster.isAvailable("ada", "client-b")).toBe(true);
  });

  it("says when another tab makes an idle person active, and only then", () => {
    const { roster, join } = makeRoster();
    join("s1", "client-a", "Ada");
    roster.setActivity("s1", "idle");

    const second = join("s2", "client-a", "Ada");
    expect(second).toMatchObject({ isNew: false, changed: true, user: { state: "active" } });
    expect(join("s3", "client-a", "Ada")).toMatchObject({ isNew: false, changed: false });
  });

  it("says a look-alike name's tab changes nothing for someone already active", () => {
    // The service once looked the person up by exact name: "ada" found nobody, and the join of
    // Ada's second tab was reported as a change of state although Ada was active all along.
    const { roster, join } = makeRoster();
    const ada = join("s1", "client-a", "Ada").user;

    expect(join("s2", "client-a", "ada")).toEqual({ user: ada, isNew: false, changed: false });
    expect(join("s3", "client-a", "\u0410da")).toEqual({ user: ada, isNew: false, changed: false });
  });

  it("says when the leaving tab was the active one of a person who stays", () => {
    const { roster, join } = makeRoster();
    const { user } = join("s1", "client-a", "Ada");
    join("s2", "client-a", "Ada");
    roster.setActivity("s2", "away");

    expect(roster.leave("s1")).toEqual({ user: { ...user, state: "away" }, gone: false, changed: true });
    expect(roster.userOf("s2")?.state).toBe("away");
  });

  it("ignores the leave of a socket it never saw", () => {
    const { roster, join } = makeRoster();
    join("s1", "client-a", "Ada");
    expect(roster.leave("nobody")).toBeUndefined();
    expect(roster.size).toBe(1);
  });

  it("gives the first 12 people the palette in order, all distinct", () => {
    const { join } = makeRoster();
    const colors = Array.from({ length: 12 }, (_, i) => join(`s${i}`, `client-${i}`, `P${i}`).user.color);
    expect(colors).toEqual(PERSON_COLORS);
    expect(new Set(colors).size).toBe(12);
  });

  it("keeps colours distinct and well-formed past the palette", () => {
    const { join } = makeRoster();
    const colors = Array.from({ length: 60 }, (_, i) => join(`s${i}`, `client-${i}`, `P${i}`).user.color);
    expect(new Set(colors).size).toBe(60);
    for (const c of colors) expect(c).toMatch(/^#[0-9a-f]{6}$/);
  });

  it("hands a freed colour to the next person", () => {
    const { roster, join } = makeRoster();
    join("s1", "client-a", "Ada");
    const bob = join("s2", "client-b", "Bob").user;
    roster.leave("s2");
    expect(join("s3", "client-c", "Cy").user.color).toBe(bob.color);
  });
});

describe("pickPersonColor", () => {
  it("takes the first palette colour nobody wears", () => {
    expect(pickPersonColor(new Set())).toBe(PERSON_COLORS[0]);
    expect(pickPersonColor(new Set([PERSON_COLORS[0]!, PERSON_COLORS[2]!]))).toBe(PERSON_COLORS[1]);
  });

  it("past the palette, walks hues by the golden angle", () => {
    const taken = new Set(PERSON_COLORS);
    const first = pickPersonColor(taken);
    expect(first).toBe(hslToHex(0, 0.65, 0.45));
    taken.add(first);
    expect(pickPersonColor(taken)).toBe(hslToHex(137.508, 0.65, 0.45));
  });
});

describe("hslToHex", () => {
  it.each([
    [0, 1, 0.5, "#ff0000"],
    [120, 1, 0.5, "#00ff00"],
    [240, 1, 0.5, "#0000ff"],
    [60, 1, 0.5, "#ffff00"],
    [0, 0, 1, "#ffffff"],
    [0, 0, 0, "#000000"],
    [0, 0, 0.5, "#808080"],
  ])("hsl(%d, %d, %d) is %s", (h, s, l, hex) => {
    expect(hslToHex(h, s, l)).toBe(hex);
  });

  it("always writes lowercase #rrggbb", () => {
    for (let h = 0; h < 360; h += 7) {
      expect(hslToHex(h, 0.65, 0.45)).toMatch(/^#[0-9a-f]{6}$/);
      expect(hslToHex(h, 0.9, 0.8)).toMatch(/^#[0-9a-f]{6}$/);
    }
  });
});
