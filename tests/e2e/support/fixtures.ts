import { test as base, expect, type Browser, type BrowserContext, type Page } from "@playwright/test";
import type { ServerProcess } from "../../../tools/lib/spawn-server";
import { startAppServer } from "./app-server";

export interface People {
  /** A new person: a browser context of their own (own storage, own client id) with one page. */
  open(path: string, init?: (context: BrowserContext) => Promise<void>): Promise<Page>;
  closeAll(): Promise<void>;
}

export function peopleOn(browser: Browser, baseURL: string): People {
  const contexts: BrowserContext[] = [];
  return {
    async open(path, init) {
      const context = await browser.newContext({ baseURL });
      contexts.push(context);
      await init?.(context);
      const page = await context.newPage();
      await page.goto(path);
      return page;
    },
    closeAll: async () => {
      await Promise.all(contexts.map((c) => c.close()));
    },
  };
}

export const test = base.extend<{ people: People }, { app: ServerProcess }>({
  app: [
    async ({}, use) => {
      const server = await startAppServer();
      await use(server);
      await server.stop();
    },
    { scope: "worker" },
  ],
  baseURL: async ({ app }, use) => use(app.url),
  people: async ({ browser, app }, use) => {
    const people = peopleOn(browser, app.url);
    await use(people);
    await people.closeAll();
  },
});

export { expect };

/** A board id no other test uses, so tests sharing a server never see each other. */
export const uniqueBoard = (label: string) => `${label}-${Math.random().toString(36).slice(2, 10)}`;

/** Opens a board as a named person and waits until the board is joined. */
export async function joinAs(people: People, boardId: string, name: string, query = ""): Promise<Page> {
  const page = await people.open(`/b/${boardId}?name=${encodeURIComponent(name)}${query}`);
  await expect(selfItem(page)).toHaveAttribute("data-name", name);
  return page;
}

/**
 * Makes a board as its owner would from the lobby's "Create a board" (this browser holds the
 * board's owner key), then opens it as a named person.
 */
export async function createAs(people: People, boardId: string, name: string): Promise<Page> {
  const key = { name: `scribble.ownerKey.${boardId}`, value: `owner-key-${boardId}`.slice(0, 64) };
  const page = await people.open(`/b/${boardId}?name=${encodeURIComponent(name)}`, async (context) => {
    await context.addInitScript((k) => window.localStorage.setItem(k.name, k.value), key);
  });
  await expect(selfItem(page)).toHaveAttribute("data-role", "owner");
  return page;
}

export const selfItem = (page: Page) => page.locator('[data-testid="user-item"][data-self="true"]');
export const circle = (page: Page) => page.getByTestId("color-circle");
export const swatch = (page: Page, color: string) => page.locator(`[data-testid="color-swatch"][data-color="${color}"]`);
