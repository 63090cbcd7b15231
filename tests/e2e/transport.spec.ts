import { circle, expect, joinAs, swatch, test, uniqueBoard } from "./support/fixtures";

test("forced HTTP long-polling works the same as WebSocket", async ({ people }) => {
  const board = uniqueBoard("polling");
  const a = await joinAs(people, board, "Ada", "&transport=polling");
  const b = await joinAs(people, board, "Bob", "&transport=polling");
  const ws = await joinAs(people, board, "Wes");

  for (const page of [a, b]) {
    await expect(page.getByTestId("connection-status")).toHaveAttribute("data-transport", "polling");
  }
  await expect(ws.getByTestId("connection-status")).toHaveAttribute("data-transport", "websocket");
  await expect(a.getByTestId("connection-status")).toHaveAttribute("data-rtt", /^\d+$/);

  await swatch(a, "#a855f7").click();
  await expect(circle(b)).toHaveAttribute("data-color", "#a855f7");
  await expect(circle(ws)).toHaveAttribute("data-color", "#a855f7");
  await swatch(ws, "#14b8a6").click();
  await expect(circle(a)).toHaveAttribute("data-color", "#14b8a6");
  await expect(b.getByTestId("presence-count")).toHaveAttribute("data-count", "3");
});
