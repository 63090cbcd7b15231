import type { Page } from "@playwright/test";
import { expect, joinAs, test, uniqueBoard } from "./support/fixtures";

const messages = (page: Page, author?: string) =>
  page.locator(author ? `[data-testid="chat-message"][data-author="${author}"]` : '[data-testid="chat-message"]');

async function say(page: Page, text: string): Promise<void> {
  await page.getByTestId("chat-input").fill(text);
  await page.getByTestId("chat-input").press("Enter");
}

test("a public message reaches everyone on the board, as text, and turns from pending to sent", async ({ people }) => {
  const board = uniqueBoard("chat");
  const a = await joinAs(people, board, "Ada");
  const b = await joinAs(people, board, "Bob");
  const c = await joinAs(people, board, "Cy");
  const elsewhere = await joinAs(people, uniqueBoard("other"), "Oz");

  await say(a, "hello <b>everyone</b>");

  await expect(messages(a, "Ada")).toHaveAttribute("data-status", "sent");
  for (const page of [b, c]) {
    await expect(messages(page, "Ada")).toHaveText(/hello <b>everyone<\/b>/);
    await expect(messages(page, "Ada").locator("b")).toHaveCount(0);
  }
  await say(elsewhere, "anyone?");
  await expect(messages(elsewhere, "Oz")).toHaveAttribute("data-status", "sent");
  await expect(messages(elsewhere, "Ada")).toHaveCount(0);

  const late = await joinAs(people, board, "Dee");
  await expect(messages(late, "Ada")).toContainText("hello");
});

test("a direct message reaches only its recipient, in all of the recipient's tabs", async ({ people }) => {
  const board = uniqueBoard("dm");
  const a = await joinAs(people, board, "Ada");
  const b = await joinAs(people, board, "Bob");
  const c = await joinAs(people, board, "Cy");
  const bSecondTab = await b.context().newPage();
  await bSecondTab.goto(`/b/${board}?name=Bob`);
  await expect(bSecondTab.getByTestId("presence-count")).toHaveAttribute("data-count", "3");

  await a.locator('[data-testid="dm-target"][data-name="Bob"]').click();
  await expect(a.getByTestId("dm-active")).toHaveAttribute("data-name", "Bob");
  await say(a, "just for you");
  await expect(messages(a, "Ada")).toHaveAttribute("data-status", "sent");
  await expect(messages(a, "Ada")).toHaveAttribute("data-direct", "true");

  for (const page of [b, bSecondTab]) {
    await expect(messages(page, "Ada")).toContainText("just for you");
    await expect(messages(page, "Ada")).toHaveAttribute("data-direct", "true");
  }
  // Cy hears what Ada says next in public, which travels after the private one: by then Cy
  // would have had the private one too, had it leaked.
  await a.getByTestId("dm-clear").click();
  await say(a, "now for all");
  await expect(messages(c, "Ada")).toContainText("now for all");
  await expect(messages(c, "Ada")).toHaveCount(1);
});

test("a message written offline shows pending and is sent when the connection returns", async ({ people }) => {
  const board = uniqueBoard("offline-chat");
  const a = await joinAs(people, board, "Ada");
  const b = await joinAs(people, board, "Bob");

  await a.context().setOffline(true);
  await expect(a.getByTestId("connection-status")).toHaveAttribute("data-state", "offline");
  await say(a, "written offline");
  await expect(messages(a, "Ada")).toHaveAttribute("data-status", "pending");

  await a.context().setOffline(false);
  await expect(messages(a, "Ada")).toHaveAttribute("data-status", "sent", { timeout: 20_000 });
  await expect(messages(b, "Ada")).toContainText("written offline");
  await expect(messages(b, "Ada")).toHaveCount(1);
});

test("empty messages cannot be sent, and flooding is refused with a clear error", async ({ people }) => {
  const a = await joinAs(people, uniqueBoard("limits"), "Ada");
  await expect(a.getByTestId("chat-send")).toBeDisabled();
  await a.getByTestId("chat-input").fill("   ");
  await expect(a.getByTestId("chat-send")).toBeDisabled();

  for (let i = 0; i < 8; i++) await say(a, `message ${i}`);
  await expect(a.locator('[data-testid="chat-message"][data-status="failed"]').first()).toContainText("Slow down");
  await expect(a.getByTestId("chat-retry").first()).toBeVisible();
});
