import type { Page } from "@playwright/test";
import { canvas, drawStroke, line, startStroke } from "./support/canvas";
import { createAs, expect, joinAs, selfItem, test, uniqueBoard } from "./support/fixtures";
import { forgeOn } from "./support/forgery";

const strokes = (page: Page, n: number) => expect(canvas(page)).toHaveAttribute("data-stroke-count", String(n));
const board = (page: Page) => page.getByTestId("board");

/** The view-only link, as the teacher copies it from the board controls. */
async function copyViewLink(teacher: Page): Promise<string> {
  await teacher.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await teacher.getByTestId("copy-view-link").click();
  return teacher.evaluate(() => navigator.clipboard.readText());
}

test("a teacher locks the board: the student's tools turn off and say why, a forged op from the student's page is refused, the viewer follows live with no tools", async ({ people, browser, app }) => {
  const id = uniqueBoard("class");
  const teacher = await createAs(people, id, "Teacher");
  await expect(board(teacher)).toHaveAttribute("data-role", "owner");
  await expect(selfItem(teacher)).toHaveAttribute("data-role", "owner");

  const studentContext = await browser.newContext({ baseURL: app.url });
  const forged = await forgeOn(studentContext);
  const student = await studentContext.newPage();
  await student.goto(`/b/${id}?name=Sam&transport=websocket`);
  await expect(selfItem(student)).toHaveAttribute("data-role", "editor");

  const viewLink = await copyViewLink(teacher);
  expect(viewLink).not.toContain(id);
  const viewer = await people.open(`${new URL(viewLink).pathname}?name=Parent`);
  await expect(board(viewer)).toHaveAttribute("data-readonly", "true");
  await expect(viewer.getByTestId("tool-pen")).toHaveCount(0);
  await expect(viewer.getByTestId("view-only-badge")).toBeVisible();

  await drawStroke(teacher, line(100, 200));
  await drawStroke(student, line(100, 500));
  await strokes(viewer, 2);
  // Nothing on the viewer's page names the board: not its text, its title or its address.
  expect(await viewer.content()).not.toContain(id);
  expect(viewer.url()).not.toContain(id);

  await teacher.getByTestId("setting-locked").check();
  await expect(board(student)).toHaveAttribute("data-readonly", "true");
  await expect(student.getByTestId("tool-pen")).toBeDisabled();
  await expect(student.getByTestId("tool-pen")).toHaveAttribute("title", /locked/);
  await expect(student.getByTestId("readonly-banner")).toContainText("locked");
  await expect(teacher.locator('[data-testid="user-item"][data-name="Sam"]')).toHaveAttribute("data-role", "viewer");

  const refused = await forged.emit("op", { type: "board:clear", opId: "forged-clear" });
  expect(refused).toMatchObject({ ok: false, error: { code: "FORBIDDEN" } });
  // Drawing on the locked page does nothing; the teacher's next stroke still comes through.
  await drawStroke(student, line(100, 700));
  await drawStroke(teacher, line(100, 300));
  await strokes(viewer, 3);
  await strokes(student, 3);

  await teacher.getByTestId("setting-locked").uncheck();
  await expect(student.getByTestId("tool-pen")).toBeEnabled();
  await drawStroke(student, line(100, 800));
  await strokes(viewer, 4);
  await expect(viewer.locator('[data-testid="chat-line"][data-kind="activity"]')).toHaveText([
    "Teacher locked the board",
    "Teacher unlocked the board",
  ]);

  // A leaked view-only link is replaced: the old one opens nothing, the viewer on the board stays.
  await teacher.getByTestId("new-view-link").click();
  await expect.poll(() => copyViewLink(teacher)).not.toBe(viewLink);
  const late = await people.open(`${new URL(viewLink).pathname}?name=Late`);
  await expect(late.getByTestId("dismissed")).toHaveAttribute("data-reason", "unknown-link");
  await strokes(viewer, 4);
  await studentContext.close();
});

test("a removed student sees why and cannot come back, under any name, until the teacher lets them in", async ({ people }) => {
  const id = uniqueBoard("removal");
  const teacher = await createAs(people, id, "Teacher");
  const student = await joinAs(people, id, "Sam");

  await teacher.locator('[data-testid="user-item"][data-name="Sam"] [data-testid="remove-person"]').click();
  await teacher.getByTestId("remove-person-confirm").click();
  await expect(student.getByTestId("dismissed")).toHaveAttribute("data-reason", "removed");
  await expect(student.getByTestId("dismissed")).toContainText("You were removed from this board");
  await expect(teacher.locator('[data-testid="user-item"]')).toHaveCount(1);
  await expect(teacher.locator('[data-testid="removed-person"]')).toHaveAttribute("data-name", "Sam");

  await student.reload();
  await expect(student.getByTestId("dismissed")).toHaveAttribute("data-reason", "removed");
  await student.goto(`/b/${id}?name=Someone%20Else`);
  await expect(student.getByTestId("dismissed")).toHaveAttribute("data-reason", "removed");

  await teacher.getByTestId("readmit").click();
  await expect(teacher.locator('[data-testid="removed-person"]')).toHaveCount(0);
  await student.goto(`/b/${id}?name=Sam`);
  await expect(selfItem(student)).toHaveAttribute("data-role", "editor");
});

test("ending the session sends everyone but owners away and locks the board; they may come back to look", async ({ people }) => {
  const id = uniqueBoard("end");
  const teacher = await createAs(people, id, "Teacher");
  const student = await joinAs(people, id, "Sam");
  await drawStroke(student, line(100, 300));
  await strokes(teacher, 1);

  await teacher.getByTestId("end-session").click();
  await teacher.getByTestId("end-session-confirm").click();
  await expect(student.getByTestId("dismissed")).toHaveAttribute("data-reason", "ended");
  await expect(teacher.getByTestId("setting-locked")).toBeChecked();
  await expect(teacher.locator('[data-testid="user-item"]')).toHaveCount(1);

  await student.getByTestId("rejoin").click();
  await expect(board(student)).toHaveAttribute("data-readonly", "true");
  await strokes(student, 1);
});

test("an owner link makes a second device a co-owner, and the key leaves the address bar", async ({ people }) => {
  const id = uniqueBoard("coowner");
  const teacher = await createAs(people, id, "Teacher");
  await teacher.context().grantPermissions(["clipboard-read", "clipboard-write"]);
  await teacher.getByTestId("copy-owner-link").click();
  const link = new URL(await teacher.evaluate(() => navigator.clipboard.readText()));
  expect(link.hash).toMatch(/^#owner=/);

  const tablet = await people.open(`${link.pathname}?name=Tablet${link.hash}`);
  await expect(selfItem(tablet)).toHaveAttribute("data-role", "owner");
  expect(new URL(tablet.url()).hash).toBe("");
  await expect(tablet.getByTestId("board-controls")).toBeVisible();
  // An ordinary visitor is an editor, with no controls.
  const student = await joinAs(people, id, "Sam");
  await expect(selfItem(student)).toHaveAttribute("data-role", "editor");
  await expect(student.getByTestId("board-controls")).toHaveCount(0);
});

test("a forged owner link opened by the owner changes nothing: the browser keeps its own key and stays the owner", async ({ people }) => {
  const id = uniqueBoard("forged");
  const teacher = await createAs(people, id, "Teacher");
  const ownKey = await teacher.evaluate((key) => window.localStorage.getItem(key), `scribble.ownerKey.${id}`);
  await teacher.goto(`/b/${id}?name=Teacher#owner=AAAAAAAAAAAAAAAAAAAAAA`);
  await expect.poll(() => new URL(teacher.url()).hash).toBe("");
  await expect(teacher.getByTestId("board-controls")).toBeVisible();
  await expect(selfItem(teacher)).toHaveAttribute("data-role", "owner");
  expect(await teacher.evaluate((key) => window.localStorage.getItem(key), `scribble.ownerKey.${id}`)).toBe(ownKey);
});

test("the teacher's laser shows on every screen and fades by itself; students get it when the teacher allows", async ({ people }) => {
  const id = uniqueBoard("laser");
  const teacher = await createAs(people, id, "Teacher");
  const student = await joinAs(people, id, "Sam");
  await expect(student.getByTestId("tool-laser")).toBeDisabled();
  await expect(student.getByTestId("tool-laser")).toHaveAttribute("title", /owners/);

  await teacher.getByTestId("tool-laser").click();
  const stroke = await startStroke(teacher, line(200, 300));
  await expect(canvas(student)).toHaveAttribute("data-lasers", "1");
  await stroke();
  // Nothing is drawn: the laser keeps nothing.
  await strokes(student, 0);
  await expect(canvas(student)).toHaveAttribute("data-lasers", "0");

  await teacher.getByTestId("setting-laser").check();
  await expect(student.getByTestId("tool-laser")).toBeEnabled();
  await student.getByTestId("tool-laser").click();
  await drawStroke(student, line(200, 600));
  await expect(canvas(teacher)).toHaveAttribute("data-lasers", "1");
  await expect(canvas(teacher)).toHaveAttribute("data-lasers", "0");
});

test("a student clears the board (the teacher allowed it); the teacher looks back in the history, restores the moment before, and both see it; undo takes it back", async ({ people }) => {
  const id = uniqueBoard("history");
  const teacher = await createAs(people, id, "Teacher");
  const student = await joinAs(people, id, "Sam");
  await drawStroke(teacher, line(100, 200));
  await drawStroke(student, line(100, 500));
  await teacher.getByTestId("setting-editorsMayErase").check();
  await expect(student.getByTestId("clear-board")).toBeEnabled();
  await student.getByTestId("clear-board").click();
  await student.getByTestId("clear-confirm").click();
  await strokes(teacher, 0);

  await teacher.getByTestId("history-toggle").click();
  const entries = teacher.getByTestId("history-entry");
  await expect(entries.first()).toHaveAttribute("data-type", "board:clear");
  await expect(entries.first()).toHaveAttribute("data-name", "Sam");
  // The moment before the clear: only the teacher's tab shows it.
  await teacher.locator('[data-testid="history-entry"][data-type="stroke:add"][data-name="Sam"]').click();
  await expect(canvas(teacher)).toHaveAttribute("data-moment", /\d+/);
  await strokes(teacher, 2);
  await strokes(student, 0);
  await expect(teacher.getByTestId("moment-banner")).toBeVisible();

  await teacher.getByTestId("history-restore").click();
  await teacher.getByTestId("history-restore-confirm").click();
  await expect(teacher.getByTestId("history-panel")).toHaveCount(0);
  await strokes(student, 2);
  await strokes(teacher, 2);
  await expect(student.locator('[data-testid="chat-line"][data-kind="activity"]').last()).toHaveText("Teacher brought back 1 of Sam's strokes");

  await teacher.getByTestId("undo").click();
  await strokes(student, 0);
});

test("a student may look back in the history but not restore; a viewer has no history", async ({ people }) => {
  const id = uniqueBoard("history-roles");
  const teacher = await createAs(people, id, "Teacher");
  const student = await joinAs(people, id, "Sam");
  await drawStroke(teacher, line(100, 200));
  await student.getByTestId("history-toggle").click();
  await student.getByTestId("history-slider").fill("0");
  await strokes(student, 0);
  await expect(student.getByTestId("history-restore")).toHaveCount(0);
  await student.getByTestId("history-close").click();
  await strokes(student, 1);

  await teacher.getByTestId("setting-locked").check();
  await expect(student.getByTestId("history-toggle")).toBeDisabled();
});
