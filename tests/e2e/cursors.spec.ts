import type { Locator } from "@playwright/test";
import { PAGE } from "@/lib/protocol";
import { pointAt, setTabHidden } from "./support/canvas";
import { expect, joinAs, test, uniqueBoard } from "./support/fixtures";

/**
 * The cursor's board position from its test hooks, within one screen pixel of (x, y): the mouse
 * moves by whole pixels, and a pixel is more than one board unit when the page is small.
 */
async function at(cursor: Locator, x: number, y: number): Promise<void> {
  const box = (await cursor.page().getByTestId("board-canvas").boundingBox())!;
  const pixel = PAGE.width / box.width;
  await expect
    .poll(async () => [Number(await cursor.getAttribute("data-x")) - x, Number(await cursor.getAttribute("data-y")) - y].map((d) => Math.abs(d) <= pixel))
    .toEqual([true, true]);
}

test("A's labelled cursor shows in B at the same board position, and vanishes when A leaves the page or closes the tab", async ({ people }) => {
  const board = uniqueBoard("cursors");
  const a = await joinAs(people, board, "Ada");
  const b = await joinAs(people, board, "Bob");
  const adaInB = b.locator('[data-testid="remote-cursor"][data-name="Ada"]');

  await pointAt(a, 400, 300);
  await pointAt(a, 800, 500);
  await at(adaInB, 800, 500);
  await expect(adaInB).toContainText("Ada");
  await expect(a.getByTestId("remote-cursor")).toHaveCount(0);

  // The label sits where the board position is on B's screen, whatever B's window size.
  const boxB = (await b.getByTestId("board-canvas").boundingBox())!;
  await expect
    .poll(async () => {
      const c = (await adaInB.boundingBox())!;
      return [Math.round(((c.x - boxB.x) / boxB.width) * 1600), Math.round(((c.y - boxB.y) / boxB.height) * 1000)];
    })
    .toEqual([expect.closeTo(800, -1.5), expect.closeTo(500, -1.5)]);

  await a.mouse.move(5, 5);
  await expect(adaInB).toHaveCount(0);

  await pointAt(a, 200, 200);
  await at(adaInB, 200, 200);
  await a.context().close();
  await expect(adaInB).toHaveCount(0);
  await expect(b.locator('[data-testid="user-item"][data-name="Ada"]')).toHaveCount(0);
});

test("a hidden tab shows its person as away, on the cursor and in the people list", async ({ people }) => {
  const board = uniqueBoard("away");
  const a = await joinAs(people, board, "Ada");
  const b = await joinAs(people, board, "Bob");
  await pointAt(a, 600, 600);
  const adaCursor = b.locator('[data-testid="remote-cursor"][data-name="Ada"]');
  const adaItem = b.locator('[data-testid="user-item"][data-name="Ada"]');
  await expect(adaCursor).toHaveAttribute("data-state", "active");

  await setTabHidden(a, true);
  await expect(adaItem).toHaveAttribute("data-state", "away");
  await expect(adaCursor).toHaveAttribute("data-state", "away");

  await setTabHidden(a, false);
  await expect(adaItem).toHaveAttribute("data-state", "active");
});
