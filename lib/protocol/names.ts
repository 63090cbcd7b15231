/**
 * What makes two display names the same, and what makes one unshowable. Shared by the schema
 * (which refuses unshowable names, here and in the browser) and the roster (which keeps one
 * person per name on a board), so both always agree.
 */

/**
 * Characters that draw nothing: default-ignorables (joiners, direction marks, soft hyphen,
 * variation selectors, CGJ, tag characters, Hangul fillers...). They stay in a displayed name,
 * where emoji sequences and some scripts need them, but never count when names are compared.
 */
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * Characters that draw as blank space without being white space or ignorable: the braille blank
 * and the musical null notehead, plus the Hangul fillers in case an older Unicode table in some
 * browser does not list them as ignorable.
 */
const BLANK = /[\s\u2800\u{1D159}\u115F\u1160\u3164\uFFA0]+/gu;

/**
 * Something a person can see: not white space, a mark (which needs a base to show on), a control,
 * format or surrogate code, or a blank-looking character.
 */
const VISIBLE = /[^\s\p{M}\p{Cc}\p{Cf}\p{Cs}\u2800\u{1D159}\u115F\u1160\u3164\uFFA0]/u;

/** Half of a UTF-16 pair on its own, which no font can draw and no database collates sanely. */
const LONE_SURROGATE = /\p{Cs}/u;

/** A name is well formed text: no lone surrogates. (`String.prototype.isWellFormed`, for older browsers.) */
export function isWellFormedName(name: string): boolean {
  return !LONE_SURROGATE.test(name);
}

/** A name shows something once invisible and blank-looking characters are set aside. */
export function hasVisibleCharacter(name: string): boolean {
  return VISIBLE.test(name.replace(IGNORABLE, ""));
}

/**
 * Letters of other scripts that look like a Latin letter or digit in the same case, from
 * Unicode's confusables list (UTS #39) for the scripts that commonly fake Latin text: Greek,
 * Cyrillic, Armenian, Cherokee, Lisu and Latin's own IPA letters and small capitals. Fullwidth
 * and mathematical letters need no entry: NFKC folds them already. Digit 0 sits with O; I, l and
 * 1 are left apart, since "Ian" and "lan" differ once lowercased and names compare without case.
 */
const LOOK_ALIKES: Readonly<Record<string, string>> = {
  A: "\u0391\u0410\u13AA\uA4EE", // Greek Alpha, Cyrillic А, Cherokee, Lisu
  B: "\u0392\u0412\u13F4\uA4D0", // Greek Beta, Cyrillic В, Cherokee, Lisu
  C: "\u03F9\u0421\u13DF\uA4DA", // Greek lunate Sigma, Cyrillic С, Cherokee, Lisu
  D: "\u13A0\uA4D3", // Cherokee, Lisu
  E: "\u0395\u0415\u13AC\uA4F0", // Greek Epsilon, Cyrillic Е, Cherokee, Lisu
  F: "\u03DC\uA4DD", // Greek Digamma, Lisu
  G: "\u050C\u13C0\uA4D6", // Cyrillic Komi Sje, Cherokee, Lisu
  H: "\u0397\u041D\u13BB\uA4E7", // Greek Eta, Cyrillic Н, Cherokee, Lisu
  I: "\u0399\u0406\u04C0\uA4F2", // Greek Iota, Cyrillic І and palochka, Lisu
  J: "\u037F\u0408\u13AB\uA4D9", // Greek Yot, Cyrillic Ј, Cherokee, Lisu
  K: "\u039A\u041A\u13E6\uA4D7", // Greek Kappa, Cyrillic К, Cherokee, Lisu
  L: "\u13DE\uA4E1", // Cherokee, Lisu
  M: "\u039C\u03FA\u041C\u13B7\uA4DF", // Greek Mu and San, Cyrillic М, Cherokee, Lisu
  N: "\u039D\uA4E0", // Greek Nu, Lisu
  O: "0\u039F\u041E\u0555\uA4F3", // digit zero, Greek Omicron, Cyrillic О, Armenian Oh, Lisu
  P: "\u03A1\u0420\u13E2\uA4D1", // Greek Rho, Cyrillic Р, Cherokee, Lisu
  Q: "\u051A", // Cyrillic Qa
  R: "\u01A6\u13A1\u13D2\uA4E3", // Latin Yr, Cherokee, Lisu
  S: "\u0405\u054F\u13D5\u13DA\uA4E2", // Cyrillic Ѕ, Armenian Tiwn, Cherokee, Lisu
  T: "\u03A4\u0422\u13A2\uA4D4", // Greek Tau, Cyrillic Т, Cherokee, Lisu
  U: "\u054D\uA4F4", // Armenian Seh, Lisu
  V: "\u0474\u13D9\uA4E6", // Cyrillic Izhitsa, Cherokee, Lisu
  W: "\u051C\u13B3\u13D4\uA4EA", // Cyrillic We, Cherokee, Lisu
  X: "\u03A7\u0425\uA4EB", // Greek Chi, Cyrillic Х, Lisu
  Y: "\u03A5\u0423\u04AE\u13A9\u13BD\uA4EC", // Greek Upsilon, Cyrillic У and Ү, Cherokee, Lisu
  Z: "\u0396\u13C3\uA4DC", // Greek Zeta, Cherokee, Lisu
  a: "\u0251\u03B1\u0430", // Latin alpha, Greek alpha, Cyrillic а
  b: "\u0184\u0185\u042C\u044C", // Latin tone six, Cyrillic soft sign Ь ь
  c: "\u03F2\u0441\u1D04", // Greek lunate sigma, Cyrillic с, small capital C
  d: "\u0501", // Cyrillic komi de
  e: "\u0435\u04BD", // Cyrillic е and abkhasian che
  g: "\u0261\u0581", // Latin script g, Armenian co
  h: "\u04BB\u0570", // Cyrillic shha, Armenian ho
  i: "\u0131\u026A\u03B9\u0456", // dotless i, small capital I, Greek iota, Cyrillic і
  j: "\u03F3\u0458", // Greek yot, Cyrillic ј
  l: "\u04CF", // Cyrillic small palochka
  n: "\u0578", // Armenian vo
  o: "\u03BF\u03C3\u043E\u0585\u1D0F", // Greek omicron and sigma, Cyrillic о, Armenian oh, small capital O
  p: "\u03C1\u0440", // Greek rho, Cyrillic р
  q: "\u051B\u0563\u0566", // Cyrillic qa, Armenian gim and za
  r: "\u0433", // Cyrillic г
  s: "\u0455\uA731", // Cyrillic ѕ, small capital S
  u: "\u028B\u03C5\u057D\u1D1C", // Latin v with hook, Greek upsilon, Armenian seh, small capital U
  v: "\u03BD\u0475\u1D20", // Greek nu, Cyrillic izhitsa, small capital V
  w: "\u026F\u0461\u051D\u0561\u1D21", // turned m, Cyrillic omega and we, Armenian ayb, small capital W
  x: "\u00D7\u0445", // multiplication sign, Cyrillic х
  y: "\u0263\u028F\u03B3\u0443\u04AF", // gamma, small capital Y, Greek gamma, Cyrillic у and ү
  z: "\u1D22", // small capital Z
  "3": "\u01B7\u021C\u0417\u04E0", // Latin ezh and yogh, Cyrillic З and Ӡ
  "6": "\u0431", // Cyrillic б
};

/** Case is ignored: upper then lower also folds "ß" to "ss" and final "ς" to "σ". */
const fold = (s: string) => s.toUpperCase().toLowerCase();

/** Each look-alike, as written, to its Latin letter. */
const AS_WRITTEN = new Map<string, string>(
  Object.entries(LOOK_ALIKES).flatMap(([latin, chars]) => [...chars].map((c) => [c, latin] as const)),
);

/**
 * The same once case is folded: each look-alike's other case to the Latin letter lowercased, so
 * that "вера" meets "Вера", which looks like "Bepa", and "гена" (г looks like r) meets "Гена".
 * Where the two cases look like different letters (Greek "Ν" like N, "ν" like v) the letter as
 * written was mapped before folding and wins, so such a word in capitals and in small letters
 * counts as two names: the price of one key per name.
 */
const FOLDED = new Map<string, string>([
  ...[...AS_WRITTEN].map(([c, latin]) => [fold(c), fold(latin)] as const),
  ...[...AS_WRITTEN].map(([c, latin]) => [c, fold(latin)] as const),
]);

const mapEach = (s: string, table: ReadonlyMap<string, string>) => Array.from(s, (c) => table.get(c) ?? c).join("");

/**
 * The key two names share when they look alike: compatibility forms folded (NFKC), invisible
 * characters dropped, runs of blank-looking characters made one space, case folded, and letters
 * that imitate Latin ones replaced by them (a confusable skeleton after UTS #39, limited to the
 * table above). Decomposed while mapping so that a look-alike carrying an accent meets the Latin
 * letter with that accent. For comparison only: never shown.
 */
export function nameKey(name: string): string {
  const visible = name.normalize("NFKC").replace(IGNORABLE, "").replace(BLANK, " ").trim();
  return mapEach(fold(mapEach(visible.normalize("NFD"), AS_WRITTEN)), FOLDED).normalize("NFC");
}
