import { expect, joinAs, selfItem, test } from "./support/fixtures";

test("create a board from the lobby, and the lobby lists it live with its head count", async ({ people }) => {
  const lobby = await people.open("/");
  const creator = await people.open("/");
  await creator.getByTestId("create-board").click();
  await expect(creator).toHaveURL(/\/b\/[a-z0-9]{16}$/);
  const boardId = new URL(creator.url()).pathname.split("/").pop()!;
  await creator.getByTestId("name-input").fill("Ada");
  await creator.getByTestId("join-board").click();
  await expect(selfItem(creator)).toHaveAttribute("data-name", "Ada");

  const link = lobby.locator(`[data-testid="board-link"][data-board="${boardId}"]`);
  await expect(link).toHaveAttribute("data-count", "1");
  await joinAs(people, boardId, "Bob");
  await expect(link).toHaveAttribute("data-count", "2");

  await link.click();
  await expect(lobby).toHaveURL(new RegExp(`/b/${boardId}$`));
  await expect(lobby.getByTestId("name-input")).toBeVisible();

  // The creator's browser remembers the board; the lobby lists it under their recent boards only.
  await creator.goto("/");
  await expect(creator.locator(`[data-testid="recent-board"][data-board="${boardId}"]`)).toBeVisible();
  await lobby.goto("/");
  await expect(lobby.getByTestId("board-list")).toBeVisible();
  await expect(lobby.getByTestId("recent-board")).toHaveCount(0);
});

test("open a board by pasting its link", async ({ people }) => {
  const page = await people.open("/");
  await page.getByTestId("open-board-input").fill("http://example.test/b/pasted-board?name=x");
  await page.getByTestId("open-board").click();
  await expect(page).toHaveURL(/\/b\/pasted-board$/);
});
