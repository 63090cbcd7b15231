import { drawStroke, line } from "./support/canvas";
import { E2E_ADMIN_TOKEN } from "./support/app-server";
import { createAs, expect, joinAs, selfItem, test, uniqueBoard } from "./support/fixtures";

test("the operator signs in to /admin, sees a live board with its people, locks it and deletes it", async ({ people }) => {
  const id = uniqueBoard("admin");
  const teacher = await createAs(people, id, "Teacher");
  const student = await joinAs(people, id, "Sam");
  await drawStroke(student, line(100, 300));

  const admin = await people.open("/admin");
  await admin.getByTestId("admin-token").fill("not-the-token-at-all");
  await admin.getByTestId("admin-sign-in").click();
  await expect(admin.getByTestId("admin-error")).toHaveText("Wrong admin token.");
  await admin.getByTestId("admin-token").fill(E2E_ADMIN_TOKEN);
  await admin.getByTestId("admin-sign-in").click();

  const row = admin.locator(`[data-testid="admin-board"][data-board="${id}"]`);
  await expect(row).toHaveAttribute("data-people", "2");
  await expect(row.locator('[data-testid="admin-person"][data-name="Teacher"]')).toHaveAttribute("data-role", "owner");

  await row.getByTestId("admin-lock").click();
  await expect(row).toHaveAttribute("data-locked", "true");
  await expect(selfItem(student)).toHaveAttribute("data-role", "viewer");
  await expect(student.getByTestId("tool-pen")).toBeDisabled();

  await row.getByTestId("admin-delete").click();
  await row.getByTestId("admin-delete-confirm").click();
  await expect(teacher.getByTestId("dismissed")).toHaveAttribute("data-reason", "deleted");
  await expect(student.getByTestId("dismissed")).toHaveAttribute("data-reason", "deleted");
  await expect(row).toHaveCount(0);
});
