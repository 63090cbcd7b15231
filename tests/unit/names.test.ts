import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hasVisibleCharacter, isWellFormedName, nameKey } from "@/lib/protocol";

/** Every invisible character the issue names, inside or around "Ada". */
const INVISIBLES: [string, string][] = [
  ["zero-width joiner U+200D", "\u200d"],
  ["zero-width non-joiner U+200C", "\u200c"],
  ["word joiner U+2060", "\u2060"],
  ["soft hyphen U+00AD", "\u00ad"],
  ["left-to-right mark U+200E", "\u200e"],
  ["right-to-left mark U+200F", "\u200f"],
  ["variation selector 16 U+FE0F", "\ufe0f"],
  ["variation selector 1 U+FE00", "\ufe00"],
  ["variation selector 17 U+E0100", "\u{e0100}"],
  ["combining grapheme joiner U+034F", "\u034f"],
  ["tag letter A U+E0041", "\u{e0041}"],
  ["cancel tag U+E007F", "\u{e007f}"],
  ["language tag U+E0001", "\u{e0001}"],
  ["Hangul filler U+3164", "\u3164"],
  ["Hangul choseong filler U+115F", "\u115f"],
  ["Hangul jungseong filler U+1160", "\u1160"],
  ["halfwidth Hangul filler U+FFA0", "\uffa0"],
  ["Mongolian vowel separator U+180E", "\u180e"],
];

/** Characters that draw nothing or blank space. */
const BLANKS: [string, string][] = [
  ["space", " "],
  ["no-break space U+00A0", "\u00a0"],
  ["en quad U+2000", "\u2000"],
  ["em space U+2003", "\u2003"],
  ["thin space U+2009", "\u2009"],
  ["narrow no-break space U+202F", "\u202f"],
  ["medium mathematical space U+205F", "\u205f"],
  ["ideographic space U+3000", "\u3000"],
  ["braille pattern blank U+2800", "\u2800"],
  ["musical null notehead U+1D159", "\u{1d159}"],
  ["combining acute U+0301", "\u0301"],
  ["combining enclosing circle U+20DD", "\u20dd"],
  ...INVISIBLES,
];

describe("nameKey", () => {
  it.each(INVISIBLES)("drops a %s, wherever it stands", (_label, ch) => {
    expect(nameKey(`Ada${ch}`)).toBe(nameKey("Ada"));
    expect(nameKey(`${ch}Ada`)).toBe(nameKey("Ada"));
    expect(nameKey(`A${ch}da`)).toBe(nameKey("Ada"));
  });

  it("drops a run of tag characters", () => {
    expect(nameKey("Ada\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}")).toBe(nameKey("Ada"));
  });

  it.each(BLANKS.slice(0, 10))("reads a %s as one space, and ignores it around the name", (_label, ch) => {
    expect(nameKey(`Ada${ch}Lovelace`)).toBe(nameKey("Ada Lovelace"));
    expect(nameKey(`Ada${ch}${ch} Lovelace`)).toBe(nameKey("Ada Lovelace"));
    expect(nameKey(`Ada${ch}`)).toBe(nameKey("Ada"));
  });

  it("ignores case, full case folding included", () => {
    expect(nameKey("ADA")).toBe(nameKey("ada"));
    expect(nameKey("Straße")).toBe(nameKey("STRASSE"));
    expect(nameKey("Σοφία")).toBe(nameKey("ΣΟΦΊΑ".toLowerCase()));
  });

  it("folds compatibility forms: fullwidth, mathematical and ligature letters", () => {
    expect(nameKey("\uff21\uff44\uff41")).toBe(nameKey("Ada"));
    expect(nameKey("\u{1d400}\u{1d41d}\u{1d41a}")).toBe(nameKey("Ada"));
    expect(nameKey("\ufb01fi")).toBe(nameKey("fifi"));
    expect(nameKey("\u212aim")).toBe(nameKey("Kim"));
  });

  it("meets composed and decomposed accents", () => {
    expect(nameKey("Zoe\u0308")).toBe(nameKey("Zoë"));
  });

  it.each([
    ["Cyrillic А", "\u0410da"],
    ["Cyrillic а", "Ad\u0430"],
    ["Greek Alpha", "\u0391da"],
    ["Greek alpha", "Ad\u03b1"],
    ["Cherokee and Lisu capitals", "\u13aa\ua4d3a"],
    ["Latin alpha", "Ad\u0251"],
    ["Cyrillic А in capitals", "\u0410D\u0410"],
  ])("takes Ada written with a %s for Ada", (_label, name) => {
    expect(nameKey(name)).toBe(nameKey("Ada"));
  });

  it.each([
    ["Greek Omicron for O", "\u039Fscar", "Oscar"],
    ["digit zero for o", "B0b", "Bob"],
    ["Cyrillic о for o", "B\u043eb", "Bob"],
    ["Cyrillic В for B", "\u0412ob", "Bob"],
    ["Cyrillic Р, Е, Х for P, E, X", "\u0420\u0415\u0425", "PEX"],
    ["Armenian օ and ս for o and u", "L\u0585\u057ds", "Lous"],
    ["Cyrillic і and ј for i and j", "\u0456\u0458", "ij"],
    ["Cyrillic З for 3", "R2D\u0417", "R2D3"],
    ["Greek Nu and Kappa for N and K", "\u039D\u0399\u039A", "NIK"],
    ["mixed Cyrillic word", "\u0421\u0430\u0440", "Cap"],
  ])("takes %s", (_label, lookAlike, latin) => {
    expect(nameKey(lookAlike)).toBe(nameKey(latin));
  });

  it("takes a look-alike with an accent for the Latin letter with that accent", () => {
    expect(nameKey("Zo\u0435\u0308")).toBe(nameKey("Zoë"));
    expect(nameKey("\u0451")).toBe(nameKey("ë"));
  });

  it("keeps a Cyrillic name one name in either case", () => {
    expect(nameKey("\u0412\u0415\u0420\u0410")).toBe(nameKey("\u0432\u0435\u0440\u0430"));
    expect(nameKey("\u0412\u0435\u0440\u0430")).toBe(nameKey("\u0432\u0435\u0440\u0430"));
    expect(nameKey("\u0413\u0435\u043d\u0430")).toBe(nameKey("\u0433\u0435\u043d\u0430"));
    expect(nameKey("\u0406\u0432\u0430\u043d")).toBe(nameKey("\u0456\u0432\u0430\u043d"));
  });

  it.each([
    ["different letters", "Ada", "Ida"],
    ["an accent", "Ada", "Adá"],
    ["an emoji", "Ada", "Ada 🎨"],
    ["a different emoji sequence", "👩\u200d💻", "👨\u200d💻"],
    ["I and l", "Ian", "lan"],
    ["a real Cyrillic name", "Аня", "Ada"],
    ["punctuation", "Ada", "Ada."],
  ])("keeps names with %s apart", (_label, x, y) => {
    expect(nameKey(x)).not.toBe(nameKey(y));
  });

  it("never changes when invisible characters are slipped in anywhere", () => {
    const invisible = fc.constantFrom(...INVISIBLES.map(([, ch]) => ch));
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 16 }), fc.array(fc.tuple(fc.nat(), invisible), { maxLength: 4 }), (name, inserts) => {
        const chars = Array.from(name);
        for (const [at, ch] of inserts) chars.splice(at % (chars.length + 1), 0, ch);
        expect(nameKey(chars.join(""))).toBe(nameKey(name));
      }),
      { numRuns: 2_000 },
    );
  });

  it("maps every look-alike to an ASCII letter or digit, and no Latin letter to anything else", () => {
    const ascii = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ123456789";
    expect(nameKey(ascii)).toBe(ascii.toLowerCase());
    expect(nameKey("0")).toBe("o");
  });
});

describe("hasVisibleCharacter", () => {
  it.each(BLANKS)("is false for a name of %s alone", (_label, ch) => {
    expect(hasVisibleCharacter(ch)).toBe(false);
    expect(hasVisibleCharacter(ch.repeat(3))).toBe(false);
  });

  it("is false for any mix of them", () => {
    expect(hasVisibleCharacter(BLANKS.map(([, ch]) => ch).join(""))).toBe(false);
  });

  it.each([
    ["a Latin name", "Ada"],
    ["a name with an invisible character", "Ada\u200d"],
    ["one emoji", "🎨"],
    ["an emoji ZWJ sequence", "👩\u200d💻"],
    ["a flag tag sequence", "🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}"],
    ["Persian with a ZWNJ", "می\u200cخواهم"],
    ["Devanagari with a ZWJ", "क्\u200dष"],
    ["a Han name", "李"],
    ["a letter and a braille blank", "A\u2800"],
    ["a punctuation mark", "?"],
  ])("is true for %s", (_label, name) => {
    expect(hasVisibleCharacter(name)).toBe(true);
  });
});

describe("isWellFormedName", () => {
  it.each([
    ["a lone high surrogate", "\ud800"],
    ["a lone low surrogate", "\udc00"],
    ["a high surrogate before a letter", "\ud83dAda"],
    ["two low surrogates", "\ude00\ude00"],
  ])("is false for %s", (_label, name) => {
    expect(isWellFormedName(name)).toBe(false);
  });

  it("is true for pairs, as in emoji and astral letters", () => {
    expect(isWellFormedName("Ada 😀 \u{1d400}")).toBe(true);
  });
});
