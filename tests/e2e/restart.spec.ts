import { startAppServer } from "./support/app-server";
import { canvas, drawStroke, line } from "./support/canvas";
import { circle, expect, joinAs, peopleOn, swatch, test, uniqueBoard } from "./support/fixtures";

// This test stops and starts a server of its own; the shared one keeps serving the others.
test("after a server restart the tabs reconnect, rejoin their board with everything on it, and sync again", async ({ browser }) => {
  // Two server starts and a reconnect: longer than the default budget.
  test.setTimeout(60_000);
  const first = await startAppServer();
  const people = peopleOn(browser, first.url);
  const board = uniqueBoard("restart");
  try {
    const a = await joinAs(people, board, "Ada");
    const b = await joinAs(people, board, "Bob");
    await drawStroke(a, line(100, 100));
    await drawStroke(b, line(100, 400));
    await swatch(a, "#ec4899").click();
    await expect(canvas(b)).toHaveAttribute("data-stroke-count", "2");
    await expect(circle(b)).toHaveAttribute("data-color", "#ec4899");

    expect(await first.stop(), first.output()).toBe(0);
    for (const page of [a, b]) {
      await expect(page.getByTestId("connection-status")).toHaveAttribute("data-state", /reconnecting|offline/);
    }

    const second = await startAppServer({ port: first.port, dataDir: first.dataDir });
    try {
      for (const page of [a, b]) {
        await expect(page.getByTestId("connection-status")).toHaveAttribute("data-state", "connected", { timeout: 20_000 });
        await expect(page.getByTestId("presence-count")).toHaveAttribute("data-count", "2");
      }
      await swatch(b, "#f97316").click();
      await expect(circle(a)).toHaveAttribute("data-color", "#f97316");
      await drawStroke(a, line(100, 700));
      await expect(canvas(b)).toHaveAttribute("data-stroke-count", "3");
      const late = await joinAs(people, board, "Late");
      await expect(canvas(late)).toHaveAttribute("data-stroke-count", "3");
      await expect(circle(late)).toHaveAttribute("data-color", "#f97316");
    } finally {
      await second.stop();
    }
  } finally {
    await people.closeAll();
  }
});
