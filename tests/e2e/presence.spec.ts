import { expect, joinAs, selfItem, test, uniqueBoard } from "./support/fixtures";

test("people list, count and notices follow joins and leaves, closed tabs included", async ({ people }) => {
  const board = uniqueBoard("presence");
  const a = await joinAs(people, board, "Ada");
  const b = await joinAs(people, board, "Bob");
  const c = await joinAs(people, board, "Cy");

  for (const page of [a, b, c]) {
    await expect(page.getByTestId("presence-count")).toHaveAttribute("data-count", "3");
    await expect(page.getByTestId("user-item")).toHaveCount(3);
  }
  await expect(selfItem(b)).toHaveAttribute("data-name", "Bob");
  await expect(a.locator('[data-testid="chat-line"][data-kind="joined"][data-name="Cy"]')).toBeVisible();
  const colors = await a.locator('[data-testid="user-item"] .avatar').evaluateAll((els) =>
    els.map((el) => getComputedStyle(el).backgroundColor),
  );
  expect(new Set(colors).size).toBe(3);

  await c.context().close();

  for (const page of [a, b]) {
    await expect(page.getByTestId("presence-count")).toHaveAttribute("data-count", "2");
    await expect(page.locator('[data-testid="user-item"][data-name="Cy"]')).toHaveCount(0);
  }
  await expect(a.locator('[data-testid="chat-line"][data-kind="left"][data-name="Cy"]')).toBeVisible();
});

test("a taken name is refused with a clear message and another name gets in", async ({ people }) => {
  const board = uniqueBoard("names");
  const a = await joinAs(people, board, "Ada");
  const b = await people.open(`/b/${board}?name=ada`);

  await expect(b.getByTestId("name-error")).toContainText("has that name already");
  await b.getByTestId("name-input").fill("Ada B");
  await b.getByTestId("join-board").click();

  await expect(selfItem(b)).toHaveAttribute("data-name", "Ada B");
  await expect(a.getByTestId("presence-count")).toHaveAttribute("data-count", "2");
});

test("the name is asked when not in the URL, and remembered for the next board", async ({ people }) => {
  const page = await people.open(`/b/${uniqueBoard("ask")}`);
  await page.getByTestId("name-input").fill("Grace");
  await page.getByTestId("name-input").press("Enter");
  await expect(selfItem(page)).toHaveAttribute("data-name", "Grace");

  await page.goto(`/b/${uniqueBoard("again")}`);
  await expect(page.getByTestId("name-input")).toHaveValue("Grace");
});

test("one person in two tabs of one browser counts once and keeps the name", async ({ people }) => {
  const board = uniqueBoard("tabs");
  const first = await joinAs(people, board, "Ada");
  const second = await first.context().newPage();
  await second.goto(`/b/${board}?name=Ada`);

  await expect(selfItem(second)).toHaveAttribute("data-name", "Ada");
  await expect(first.getByTestId("presence-count")).toHaveAttribute("data-count", "1");
  await expect(second.getByTestId("presence-count")).toHaveAttribute("data-count", "1");
});
