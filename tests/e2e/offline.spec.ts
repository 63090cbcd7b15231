import type { BrowserContext, Page } from "@playwright/test";
import { canvas, drawStroke, inkAt, line } from "./support/canvas";
import { expect, joinAs, test, uniqueBoard } from "./support/fixtures";

const strokes = (page: Page, n: number) => expect(canvas(page)).toHaveAttribute("data-stroke-count", String(n));

/**
 * Cuts this browser off from the Socket.IO endpoint only (pages still load) until the returned
 * function is called, which lets it through again.
 */
async function blockSocket(context: BrowserContext): Promise<() => void> {
  let blocked = true;
  await context.route(/\/socket\.io\//, (route) => (blocked ? route.abort() : route.continue()));
  await context.routeWebSocket(/\/socket\.io\//, (ws) => (blocked ? ws.close() : ws.connectToServer()));
  return () => {
    blocked = false;
  };
}

test("A draws offline while B draws online; when A is back both show the same five strokes", async ({ people }) => {
  const board = uniqueBoard("offline");
  const a = await joinAs(people, board, "Ada");
  const b = await joinAs(people, board, "Bob");

  await a.context().setOffline(true);
  await expect(a.getByTestId("connection-status")).toHaveAttribute("data-state", "offline");
  for (const y of [100, 200, 300]) await drawStroke(a, line(100, y));
  for (const y of [600, 700]) await drawStroke(b, line(900, y));
  await strokes(a, 3);
  await expect(canvas(a)).toHaveAttribute("data-pending", "3");
  await expect(a.getByTestId("connection-status")).toHaveAttribute("data-pending", "3");
  await strokes(b, 2);

  await a.context().setOffline(false);
  await strokes(a, 5);
  await strokes(b, 5);
  await expect(canvas(a)).toHaveAttribute("data-pending", "0");
  await expect(canvas(b)).toHaveAttribute("data-seq", await canvas(a).getAttribute("data-seq").then(String));
  for (const page of [a, b]) {
    await expect.poll(() => inkAt(page, 250, 200)).toBe(true);
    await expect.poll(() => inkAt(page, 1050, 700)).toBe(true);
  }
});

test("strokes drawn offline survive a reload and go out once the server is reachable, once", async ({ people }) => {
  const board = uniqueBoard("reload");
  const a = await joinAs(people, board, "Ada");
  const b = await joinAs(people, board, "Bob");

  await a.context().setOffline(true);
  await expect(a.getByTestId("connection-status")).toHaveAttribute("data-state", "offline");
  await drawStroke(a, line(100, 100));
  await drawStroke(a, line(100, 300));
  await expect(canvas(a)).toHaveAttribute("data-pending", "2");

  // Reload with the server still out of reach: the page loads, the socket cannot.
  const unblock = await blockSocket(a.context());
  await a.context().setOffline(false);
  await a.reload();
  await expect(a.getByTestId("connection-status")).not.toHaveAttribute("data-state", "connected");
  await expect(a.getByTestId("connection-status")).toHaveAttribute("data-pending", "2");

  unblock();
  await strokes(b, 2);
  await strokes(a, 2);
  await expect(a.getByTestId("connection-status")).toHaveAttribute("data-pending", "0");
  // Sent once: a late joiner sees two strokes, not four.
  const late = await joinAs(people, board, "Late");
  await strokes(late, 2);
});

test("two tabs of one browser drawing offline and then closed: a tab opened later delivers both", async ({ people }) => {
  const board = uniqueBoard("two-tabs");
  const b = await joinAs(people, board, "Bob");
  const first = await joinAs(people, board, "Ada");
  const second = await first.context().newPage();
  await second.goto(`/b/${board}?name=Ada`);
  await expect(canvas(second)).toHaveAttribute("data-stroke-count", "0");
  await expect(second.getByTestId("connection-status")).toHaveAttribute("data-state", "connected");

  await first.context().setOffline(true);
  await drawStroke(first, line(100, 100));
  await drawStroke(second, line(100, 500));
  await expect(canvas(first)).toHaveAttribute("data-pending", "1");
  await expect(canvas(second)).toHaveAttribute("data-pending", "1");
  const ada = first.context();
  await first.close();
  await second.close();
  await strokes(b, 0);

  await ada.setOffline(false);
  const later = await ada.newPage();
  await later.goto(`/b/${board}?name=Ada`);
  await strokes(b, 2);
  await strokes(later, 2);
  await expect(canvas(later)).toHaveAttribute("data-pending", "0");
  const late = await joinAs(people, board, "Late");
  await strokes(late, 2);
});
