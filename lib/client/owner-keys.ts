import { nanoid } from "nanoid";
import { keySchema } from "../protocol";
import { readStorage, writeStorage } from "./identity";

const PREFIX = "scribble.ownerKey.";
const LINK_PARAM = "owner";

/**
 * This browser's owner key for a board, made on its first visit. Sent with every join: it makes
 * the browser the board's owner when the board is new (or when it is the board's key already),
 * and nothing otherwise. It never leaves this browser but in an owner link.
 */
export function ownerKeyFor(boardId: string): string {
  const kept = readStorage(PREFIX + boardId);
  if (kept && keySchema("owner key").safeParse(kept).success) return kept;
  const key = nanoid(22);
  writeStorage(PREFIX + boardId, key);
  return key;
}

/**
 * Takes the owner key from an owner link (`/b/<id>#owner=<key>`) into this browser, and the key
 * out of the address bar (a fragment never reaches the server, its logs or a Referer).
 */
export function adoptOwnerLink(boardId: string): void {
  const key = new URLSearchParams(window.location.hash.slice(1)).get(LINK_PARAM);
  if (key === null) return;
  if (keySchema("owner key").safeParse(key).success) writeStorage(PREFIX + boardId, key);
  window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
}

/** The link that makes whoever opens it a co-owner of the board. */
export const ownerLink = (origin: string, boardId: string, key: string): string => `${origin}/b/${boardId}#${LINK_PARAM}=${key}`;

/** The board's view-only link: it opens the board read-only and never tells its id. */
export const viewLink = (origin: string, viewKey: string): string => `${origin}/v/${viewKey}`;
