import type { Page } from "@playwright/test";
import { PAGE } from "@/lib/protocol";

export const canvas = (page: Page) => page.getByTestId("board-canvas");

/** Maps board units to screen positions for this page's window size (the canvas's place, read once). */
async function screenMapping(page: Page): Promise<(x: number, y: number) => { x: number; y: number }> {
  const box = await canvas(page).boundingBox();
  if (!box) throw new Error("the board canvas is not on screen");
  return (x, y) => ({ x: box.x + (x / PAGE.width) * box.width, y: box.y + (y / PAGE.height) * box.height });
}

/**
 * Presses the mouse at the first point and drags through the others (board units). Resolves
 * with the button still down; call the returned function to release it.
 */
export async function startStroke(page: Page, points: [number, number][]): Promise<() => Promise<void>> {
  const [first, ...rest] = points;
  const toScreen = await screenMapping(page);
  const start = toScreen(first![0], first![1]);
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  for (const [x, y] of rest) {
    const p = toScreen(x, y);
    await page.mouse.move(p.x, p.y, { steps: 4 });
  }
  return () => page.mouse.up();
}

export async function drawStroke(page: Page, points: [number, number][]): Promise<void> {
  const release = await startStroke(page, points);
  await release();
}

/** A horizontal line from (x, y) to (x + length, y), in board units. */
export const line = (x: number, y: number, length = 300): [number, number][] =>
  Array.from({ length: 11 }, (_, i) => [x + (length * i) / 10, y]);

/**
 * Whether any layer of the board shows ink (a pixel that is neither page white nor transparent)
 * within a few board units of (x, y). Reads the canvases' own pixels, so it checks what is drawn,
 * not what the DOM claims.
 */
export function inkAt(page: Page, x: number, y: number): Promise<boolean> {
  return page.evaluate(
    ({ x, y, width, height }) => {
      const layers = [...document.querySelectorAll<HTMLCanvasElement>('[data-testid="board-canvas"] canvas')];
      return layers.some((c) => {
        const ctx = c.getContext("2d");
        if (!ctx) return false;
        const px = Math.round((x / width) * c.width);
        const py = Math.round((y / height) * c.height);
        const r = Math.max(2, Math.round((3 / width) * c.width));
        const data = ctx.getImageData(px - r, py - r, 2 * r + 1, 2 * r + 1).data;
        for (let i = 0; i < data.length; i += 4) {
          const [red, green, blue, alpha] = [data[i]!, data[i + 1]!, data[i + 2]!, data[i + 3]!];
          if (alpha > 0 && !(red > 245 && green > 245 && blue > 245)) return true;
        }
        return false;
      });
    },
    { x, y, width: PAGE.width, height: PAGE.height },
  );
}

/** Moves the mouse to a point given in board units, in a few steps like a hand would. */
export async function pointAt(page: Page, x: number, y: number): Promise<void> {
  const p = (await screenMapping(page))(x, y);
  await page.mouse.move(p.x, p.y, { steps: 5 });
}

/**
 * Makes the page behave as a hidden tab. Headless Chromium keeps every page visible, so this
 * overrides what the page reads (`document.hidden`, `visibilityState`) and fires the event a real
 * tab switch fires.
 */
export async function setTabHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((hidden) => {
    Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (hidden ? "hidden" : "visible") });
    document.dispatchEvent(new Event("visibilitychange"));
  }, hidden);
}
