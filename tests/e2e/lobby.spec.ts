import { expect, joinAs, selfItem, test } from "./support/fixtures";

test("the lobby lists the boards this browser opened, live with their head counts, and nobody else's but those their owners listed", async ({ people }) => {
  const creator = await people.open("/");
  await expect(creator.getByTestId("no-recent-boards")).toBeVisible();
  await creator.getByTestId("create-board").click();
  await expect(creator).toHaveURL(/\/b\/[a-z0-9]{16}$/);
  const boardId = new URL(creator.url()).pathname.split("/").pop()!;
  await creator.getByTestId("name-input").fill("Ada");
  await creator.getByTestId("join-board").click();
  await expect(selfItem(creator)).toHaveAttribute("data-name", "Ada");

  // The same browser, another tab: its lobby lists the board with Ada on it, and follows it live.
  const lobby = await creator.context().newPage();
  await lobby.goto("/");
  const link = lobby.locator(`[data-testid="recent-board"][data-board="${boardId}"]`);
  await expect(link).toHaveAttribute("data-count", "1");
  const bob = await joinAs(people, boardId, "Bob");
  await expect(link).toHaveAttribute("data-count", "2");
  await bob.close();
  await expect(link).toHaveAttribute("data-count", "1");

  // Another browser's lobby never shows it, though people are on it, until its owner lists it.
  const stranger = await people.open("/");
  await expect(stranger.getByTestId("no-recent-boards")).toBeVisible();
  await expect(stranger.locator(`[data-board="${boardId}"]`)).toHaveCount(0);
  await creator.getByTestId("setting-listed").check();
  const listed = stranger.locator(`[data-testid="listed-board"][data-board="${boardId}"]`);
  await expect(listed).toHaveAttribute("data-count", "1");
  await creator.getByTestId("setting-listed").uncheck();
  await expect(stranger.getByTestId("listed-boards")).toHaveCount(0);

  await link.click();
  await expect(lobby).toHaveURL(new RegExp(`/b/${boardId}$`));
});

test("open a board by pasting its link", async ({ people }) => {
  const page = await people.open("/");
  await page.getByTestId("open-board-input").fill("http://example.test/b/pasted-board?name=x");
  await page.getByTestId("open-board").click();
  await expect(page).toHaveURL(/\/b\/pasted-board$/);
});
