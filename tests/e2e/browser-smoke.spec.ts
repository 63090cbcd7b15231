import { expect, test } from "./support/fixtures";

// Debian's Chromium is not the build this Playwright release ships with. If the two ever stop
// understanding each other, this is the test that says so, before the others fail obscurely.
test("Playwright drives the installed Chromium: launch, render, click, evaluate", async ({ browser, page }) => {
  const version = browser.version();
  test.info().annotations.push({ type: "chromium", description: version });
  expect(version, `unexpected browser version string "${version}"`).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

  await page.goto("/");
  await expect(page.getByRole("heading", { name: "Draw together, live." })).toBeVisible();
  await page.getByTestId("open-board-input").fill("not a/valid id");
  await page.getByTestId("open-board").click();
  await expect(page.getByTestId("open-board-error")).toBeVisible();
  expect(await page.evaluate(() => typeof WebSocket)).toBe("function");
});
