import { nanoid } from "nanoid";
import { keySchema } from "../protocol";
import { readStorage, writeStorage } from "./identity";

const PREFIX = "scribble.ownerKey.";
const LINK_PARAM = "owner";
const isKey = (key: string | null): key is string => key !== null && keySchema("owner key").safeParse(key).success;

/** This browser's owner key for a board, if it made the board or kept a key an owner link gave it. */
export function ownerKeyOf(boardId: string): string | undefined {
  const kept = readStorage(PREFIX + boardId);
  return isKey(kept) ? kept : undefined;
}

/**
 * A board this browser is about to create: its owner key, kept here and sent with the first
 * join, makes this browser the board's owner. Boards only opened (by a link, by a typed id) get
 * no key, so opening an id nobody used yet makes an open board, never a stored claim.
 */
export function createOwnedBoard(boardId: string): void {
  writeStorage(PREFIX + boardId, nanoid(22));
}

/** Keeps a key that an owner link gave and that the server took as the board's owner key. */
export function keepOwnerKey(boardId: string, key: string): void {
  writeStorage(PREFIX + boardId, key);
}

/**
 * The owner key an owner link (`/b/<id>#owner=<key>`) carries, taken out of the address bar at
 * once (a fragment never reaches the server, its logs or a Referer; nor should it stay on a
 * projected screen). Not kept yet: see `keepOwnerKey`.
 */
export function takeOwnerLink(): string | null {
  const key = new URLSearchParams(window.location.hash.slice(1)).get(LINK_PARAM);
  if (key === null) return null;
  window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
  return isKey(key) ? key : null;
}

/** The link that makes whoever opens it a co-owner of the board. */
export const ownerLink = (origin: string, boardId: string, key: string): string => `${origin}/b/${boardId}#${LINK_PARAM}=${key}`;

/** The board's view-only link: it opens the board read-only and never tells its id. */
export const viewLink = (origin: string, viewKey: string): string => `${origin}/v/${viewKey}`;
