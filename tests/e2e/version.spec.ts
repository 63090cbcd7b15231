import { PROTOCOL_VERSION } from "@/lib/protocol";
import { expect, selfItem, test, uniqueBoard } from "./support/fixtures";

test("a tab from another build is told to reload, and the reloaded page joins", async ({ browser, app }) => {
  const board = uniqueBoard("version");
  const context = await browser.newContext({ baseURL: app.url });
  // The first page load plays a tab of an older build: its join carries another protocol version.
  let outdatedJoins = 1;
  await context.routeWebSocket(/\/socket\.io\//, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      if (typeof message === "string" && message.includes('"board:join"') && outdatedJoins > 0) {
        outdatedJoins -= 1;
        message = message.replace(`"protocol":${PROTOCOL_VERSION}`, `"protocol":${PROTOCOL_VERSION - 1}`);
      }
      server.send(message);
    });
  });
  const page = await context.newPage();

  await page.goto(`/b/${board}?name=Ada&transport=websocket`);

  await expect(page.getByTestId("outdated")).toContainText("reload the page");
  await expect(page.getByTestId("name-input")).toHaveCount(0);
  expect(outdatedJoins).toBe(0);
  await page.getByTestId("reload-page").click();
  await expect(selfItem(page)).toHaveAttribute("data-name", "Ada");
  await context.close();
});
