import { circle, expect, joinAs, swatch, test, uniqueBoard } from "./support/fixtures";

test("a colour set in A reaches B on the same board, not C on another, and a late joiner sees it", async ({ people }) => {
  const board = uniqueBoard("circle");
  const other = uniqueBoard("other");
  const a = await joinAs(people, board, "Ada");
  const b = await joinAs(people, board, "Bob");
  const c = await joinAs(people, other, "Cy");
  const before = await circle(c).getAttribute("data-color");

  await swatch(a, "#22c55e").click();

  await expect(circle(a)).toHaveAttribute("data-color", "#22c55e");
  await expect(circle(b)).toHaveAttribute("data-color", "#22c55e");
  // A's change is acked once it is no longer pending; C was on the board all along, so by then
  // any wrong delivery to C would have been sent.
  await expect(circle(a)).toHaveAttribute("data-pending", "false");
  await swatch(c, "#ef4444").click();
  await expect(circle(c)).toHaveAttribute("data-pending", "false");
  await expect(circle(c)).toHaveAttribute("data-color", "#ef4444");
  expect(before).not.toBe("#22c55e");
  await expect(circle(a)).toHaveAttribute("data-color", "#22c55e");

  const late = await joinAs(people, board, "Dee");
  await expect(circle(late)).toHaveAttribute("data-color", "#22c55e");
});

test("two people clicking at the same moment end on the same colour everywhere", async ({ people }) => {
  const board = uniqueBoard("race");
  const a = await joinAs(people, board, "Ada");
  const b = await joinAs(people, board, "Bob");

  await Promise.all([swatch(a, "#3b82f6").click(), swatch(b, "#ec4899").click()]);

  await expect(circle(a)).toHaveAttribute("data-pending", "false");
  await expect(circle(b)).toHaveAttribute("data-pending", "false");
  await expect(async () => {
    const [ca, cb] = await Promise.all([circle(a).getAttribute("data-color"), circle(b).getAttribute("data-color")]);
    expect(["#3b82f6", "#ec4899"]).toContain(ca);
    expect(cb).toBe(ca);
  }).toPass();
});
