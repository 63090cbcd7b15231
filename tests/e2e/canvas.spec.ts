import { readFile } from "node:fs/promises";
import type { Page } from "@playwright/test";
import { canvas, drawStroke, inkAt, line, startStroke } from "./support/canvas";
import { seedBoard, wavyStroke } from "./support/seed";
import { startAppServer } from "./support/app-server";
import { createAs, expect, joinAs, peopleOn, test, uniqueBoard } from "./support/fixtures";

const strokes = (page: Page, n: number) => expect(canvas(page)).toHaveAttribute("data-stroke-count", String(n));
const ink = (page: Page, x: number, y: number) => expect.poll(() => inkAt(page, x, y));
/** The chat panel's lines about what others did to the board. */
const activity = (page: Page) => page.locator('[data-testid="chat-line"][data-kind="activity"]');

test("a stroke grows in B while A still holds the button, and stays after release", async ({ people }) => {
  const board = uniqueBoard("live");
  const a = await joinAs(people, board, "Ada");
  const b = await joinAs(people, board, "Bob");

  const release = await startStroke(a, line(200, 300));
  await ink(b, 350, 300).toBe(true);
  await strokes(b, 0);

  await release();
  await strokes(a, 1);
  await strokes(b, 1);
  await expect(canvas(a)).toHaveAttribute("data-pending", "0");
  await ink(b, 350, 300).toBe(true);
  await ink(b, 350, 600).toBe(false);
});

test("undo in A removes the stroke for B, redo brings it back, by button and by keyboard", async ({ people }) => {
  const board = uniqueBoard("undo");
  const a = await joinAs(people, board, "Ada");
  const b = await joinAs(people, board, "Bob");
  await drawStroke(a, line(100, 100));
  await strokes(b, 1);

  await a.getByTestId("undo").click();
  await strokes(a, 0);
  await strokes(b, 0);
  await ink(b, 250, 100).toBe(false);

  await a.getByTestId("redo").click();
  await strokes(b, 1);
  await ink(b, 250, 100).toBe(true);

  await a.keyboard.press("Control+z");
  await strokes(b, 0);
  await a.keyboard.press("Control+Shift+z");
  await strokes(b, 1);
});

test("others' strokes never enter my undo history", async ({ people }) => {
  const board = uniqueBoard("own-undo");
  const a = await joinAs(people, board, "Ada");
  const b = await joinAs(people, board, "Bob");
  await drawStroke(b, line(100, 500));
  await strokes(a, 1);

  await expect(a.getByTestId("undo")).toBeDisabled();
  await a.keyboard.press("Control+z");
  // A's own next stroke travels after anything that Ctrl+Z sent: had it erased Bob's stroke,
  // the count would go 1, 0, 1 and never reach 2.
  await drawStroke(a, line(100, 800));
  await strokes(b, 2);
  await expect(b.getByTestId("undo")).toBeEnabled();
});

test("the eraser removes whole strokes it touches, others' once the owner allows it, and the eraser's undo restores them", async ({ people }) => {
  const board = uniqueBoard("eraser");
  // Ada made the board: she owns it, and on an owned board only owners erase others' strokes at first.
  const a = await createAs(people, board, "Ada");
  const b = await joinAs(people, board, "Bob");
  await drawStroke(a, line(100, 200));
  await drawStroke(a, line(100, 700));
  await strokes(b, 2);

  await b.getByTestId("tool-eraser").click();
  await expect(b.getByTestId("tool-eraser")).toHaveAttribute("title", /your own strokes/);
  await drawStroke(b, [[250, 150], [250, 250]]);
  // The eraser passed over Ada's stroke: nothing was sent (Bob's next stroke would arrive after it).
  await b.getByTestId("tool-pen").click();
  await drawStroke(b, line(100, 450));
  await strokes(a, 3);
  await strokes(b, 3);
  await b.getByTestId("undo").click();
  await strokes(a, 2);

  await a.getByTestId("setting-editorsMayErase").check();
  await expect(b.getByTestId("tool-eraser")).toHaveAttribute("title", /whole strokes/);
  await b.getByTestId("tool-eraser").click();
  await drawStroke(b, [[250, 150], [250, 250]]);
  await strokes(b, 1);
  await strokes(a, 1);
  await ink(a, 120, 200).toBe(false);
  await ink(a, 120, 700).toBe(true);
  // Ada is told who erased her stroke.
  await expect(activity(a)).toHaveText(["Bob erased 1 of Ada's strokes"]);
  await expect(activity(b)).toHaveText(["Ada let everyone erase others' strokes and clear the board"]);

  await b.getByTestId("undo").click();
  await strokes(a, 2);
});

test("clear asks first, clears for everyone, and whoever cleared can undo it", async ({ people }) => {
  const board = uniqueBoard("clear");
  const a = await joinAs(people, board, "Ada");
  const b = await joinAs(people, board, "Bob");
  await drawStroke(a, line(100, 200));
  await drawStroke(b, line(100, 400));
  await strokes(a, 2);

  await a.getByTestId("clear-board").click();
  await a.getByTestId("clear-cancel").click();
  await strokes(b, 2);

  await a.getByTestId("clear-board").click();
  await a.getByTestId("clear-confirm").click();
  await strokes(a, 0);
  await strokes(b, 0);
  await ink(b, 200, 400).toBe(false);
  await expect(activity(b)).toHaveText(["Ada cleared the board"]);

  await expect(a.getByTestId("undo")).toBeEnabled();
  await a.getByTestId("undo").click();
  await strokes(b, 2);
  await ink(b, 200, 400).toBe(true);
});

test("a tab that joined after a clear shows the strokes when whoever cleared undoes it", async ({ people }) => {
  const board = uniqueBoard("late-undo");
  const a = await joinAs(people, board, "Ada");
  await drawStroke(a, line(100, 200));
  await drawStroke(a, line(100, 400));
  await a.getByTestId("clear-board").click();
  await a.getByTestId("clear-confirm").click();
  await strokes(a, 0);

  // Bob never had the cleared strokes: the restore names them, and his tab fetches them.
  const b = await joinAs(people, board, "Bob");
  await strokes(b, 0);
  await a.getByTestId("undo").click();
  await strokes(b, 2);
  await ink(b, 200, 400).toBe(true);
});

test("a late joiner gets every stroke; windows of different sizes show them at the same board position", async ({ people, browser, app }) => {
  const board = uniqueBoard("late");
  const a = await joinAs(people, board, "Ada");
  await a.getByTestId("pen-color").nth(1).click();
  await drawStroke(a, line(800, 500, 200));
  await drawStroke(a, line(100, 900, 200));
  await strokes(a, 2);

  const small = await browser.newContext({ baseURL: app.url, viewport: { width: 700, height: 900 } });
  try {
    const b = await small.newPage();
    await b.goto(`/b/${board}?name=Bob`);
    await strokes(b, 2);
    const boxA = (await canvas(a).boundingBox())!;
    const boxB = (await canvas(b).boundingBox())!;
    expect(boxB.width).toBeLessThan(boxA.width);
    for (const page of [a, b]) {
      await ink(page, 900, 500).toBe(true);
      await ink(page, 200, 900).toBe(true);
      await ink(page, 900, 300).toBe(false);
    }

    await b.setViewportSize({ width: 1000, height: 700 });
    await ink(b, 900, 500).toBe(true);
    await strokes(b, 2);
  } finally {
    await small.close();
  }
});

test("PNG and SVG exports are valid files that show the strokes", async ({ people }) => {
  const board = uniqueBoard("export");
  const a = await joinAs(people, board, "Ada");
  await a.locator('[data-testid="pen-color"][data-color="#ef4444"]').click();
  await a.locator('[data-testid="stroke-width"][data-width="20"]').click();
  await drawStroke(a, line(400, 500, 800));
  await strokes(a, 1);

  const [png] = await Promise.all([a.waitForEvent("download"), a.getByTestId("export-png").click()]);
  expect(png.suggestedFilename()).toBe(`scribble-${board}.png`);
  const pngBytes = await readFile((await png.path())!);
  expect(pngBytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));

  const [svg] = await Promise.all([a.waitForEvent("download"), a.getByTestId("export-svg").click()]);
  expect(svg.suggestedFilename()).toBe(`scribble-${board}.svg`);
  const svgText = await readFile((await svg.path())!, "utf8");
  expect(svgText).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
  expect(svgText.match(/<path fill="#ef4444"/g)).toHaveLength(1);

  // Both files, decoded by the browser, show red ink where the stroke was and white elsewhere.
  const colours = await a.evaluate(
    async ({ pngBase64, svgText }) => {
      const sample = async (src: string) => {
        const img = new Image();
        img.src = src;
        await img.decode();
        const c = document.createElement("canvas");
        c.width = 1600;
        c.height = 1000;
        const ctx = c.getContext("2d")!;
        ctx.drawImage(img, 0, 0, 1600, 1000);
        const at = (x: number, y: number) => [...ctx.getImageData(x, y, 1, 1).data];
        return { onStroke: at(800, 500), offStroke: at(800, 800) };
      };
      return {
        png: await sample(`data:image/png;base64,${pngBase64}`),
        svg: await sample(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText)}`),
      };
    },
    { pngBase64: pngBytes.toString("base64"), svgText },
  );
  for (const { onStroke, offStroke } of [colours.png, colours.svg]) {
    expect(onStroke.slice(0, 3)).toEqual([0xef, 0x44, 0x44]);
    expect(offStroke.slice(0, 3)).toEqual([255, 255, 255]);
  }
});

test("a board of 10,000 strokes opens with every stroke, loaded in chunks", async ({ browser }) => {
  test.setTimeout(90_000);
  // A server of its own whose rates let the seeder fill a board in seconds, not minutes.
  const server = await startAppServer({
    env: { OPS_PER_SECOND: "100000", INBOUND_BYTES_PER_SECOND: "1000000000", WRITE_BYTES_PER_SECOND: "1000000000", WRITE_BYTES_BURST: "1000000000" },
  });
  const people = peopleOn(browser, server.url);
  try {
    const board = uniqueBoard("big");
    await seedBoard(server.url, board, 10_000);

    const page = await people.open(`/b/${board}?name=Ada`);
    await expect(canvas(page)).toHaveAttribute("data-stroke-count", "10000", { timeout: 60_000 });
    await expect(canvas(page)).toHaveAttribute("data-loading", "false");
    await expect(canvas(page)).toHaveAttribute("data-seq", "10000");
    await ink(page, wavyStroke(9_999).points[0]!, wavyStroke(9_999).points[1]!).toBe(true);

    // Still a live board: a new stroke goes through at once.
    await drawStroke(page, line(100, 950, 200));
    await strokes(page, 10_001);
  } finally {
    await people.closeAll();
    await server.stop();
  }
});
