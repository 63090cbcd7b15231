import { startAppServer } from "./support/app-server";
import { circle, expect, joinAs, peopleOn, swatch, test, uniqueBoard } from "./support/fixtures";

// This test stops and starts a server of its own; the shared one keeps serving the others.
test("after a server restart the tabs reconnect, rejoin their board and sync again", async ({ browser }) => {
  const first = await startAppServer();
  const people = peopleOn(browser, first.url);
  const board = uniqueBoard("restart");
  try {
    const a = await joinAs(people, board, "Ada");
    const b = await joinAs(people, board, "Bob");

    expect(await first.stop(), first.output()).toBe(0);
    for (const page of [a, b]) {
      await expect(page.getByTestId("connection-status")).toHaveAttribute("data-state", /reconnecting|offline/);
    }

    const second = await startAppServer({ port: first.port });
    try {
      for (const page of [a, b]) {
        await expect(page.getByTestId("connection-status")).toHaveAttribute("data-state", "connected", { timeout: 20_000 });
        await expect(page.getByTestId("presence-count")).toHaveAttribute("data-count", "2");
      }
      await swatch(b, "#f97316").click();
      await expect(circle(a)).toHaveAttribute("data-color", "#f97316");
    } finally {
      await second.stop();
    }
  } finally {
    await people.closeAll();
  }
});
