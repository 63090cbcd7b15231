import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { PERSON_COLORS, pickPersonColor } from "@/lib/board";
import type { Color } from "@/lib/protocol";

const run = promisify(execFile);
const colorsModule = fileURLToPath(new URL("../../lib/board/colors.ts", import.meta.url));

/** The colours `count` people get when each joins a board where everyone before them stays. */
function colorsOf(count: number): Color[] {
  const worn: Color[] = [];
  for (let i = 0; i < count; i++) worn.push(pickPersonColor(worn));
  return worn;
}

const hueOf = (color: Color): number => {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16) / 255) as [number, number, number];
  const max = Math.max(r, g, b);
  const d = max - Math.min(r, g, b);
  const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  return (h * 60 + 360) % 360;
};

describe("pickPersonColor on a crowded board", () => {
  it("returns for a board holding every colour it can give, and for a thousand people more", async () => {
    // In a process of its own: an unbounded search never returns, and a test in this worker
    // could then neither fail nor end. The time limit is only there to turn a hang into a failure.
    const script = `
      const { pickPersonColor } = await import(${JSON.stringify(colorsModule)});
      const taken = new Set();
      let repeats = 0;
      for (let i = 0; i < 2000; i++) {
        const color = pickPersonColor(taken);
        if (taken.has(color)) repeats++;
        taken.add(color);
      }
      const again = pickPersonColor(taken);
      console.log(JSON.stringify({ distinct: taken.size, repeats, again: taken.has(again) }));
    `;
    const { stdout } = await run(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      timeout: 30_000,
      killSignal: "SIGKILL",
    });

    const result = JSON.parse(stdout) as { distinct: number; repeats: number; again: boolean };
    expect(result.distinct).toBeGreaterThanOrEqual(300);
    expect(result.repeats).toBe(2000 - result.distinct);
    expect(result.again).toBe(true);
  }, 60_000);

  it("gives the first 300 people distinct colours, the palette first", () => {
    const colors = colorsOf(300);
    expect(colors.slice(0, PERSON_COLORS.length)).toEqual(PERSON_COLORS);
    expect(new Set(colors).size).toBe(300);
  });

  it("keeps each newcomer's hue far from the previous person's past the palette", () => {
    const hues = colorsOf(300).slice(PERSON_COLORS.length).map(hueOf);
    for (let i = 1; i < hues.length; i++) {
      const gap = Math.abs(hues[i]! - hues[i - 1]!);
      expect(Math.min(gap, 360 - gap)).toBeGreaterThan(90);
    }
  });

  it("once every colour is worn, shares them out evenly: nobody's colour is worn by more than its share", () => {
    const colors = colorsOf(2000);
    const distinct = new Set(colors).size;
    const wornBy = new Map<Color, number>();
    for (const c of colors) wornBy.set(c, (wornBy.get(c) ?? 0) + 1);

    expect(distinct).toBeGreaterThanOrEqual(300);
    expect(Math.max(...wornBy.values())).toBe(Math.ceil(2000 / distinct));
  });

  it("gives a freed colour back before sharing one", () => {
    const colors = colorsOf(2000);
    const distinct = [...new Set(colors)];
    const left = distinct[7]!;
    const others = distinct.filter((c) => c !== left);
    expect(pickPersonColor(others)).toBe(left);
  });

  it("answers the same for the same board", () => {
    const taken = new Set(colorsOf(2000));
    expect(pickPersonColor(taken)).toBe(pickPersonColor(new Set(taken)));
  });
});
