import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { nameKey } from "../protocol";

/** A new owner or view key: 128 random bits, 22 URL-safe characters. */
export const newKey = (): string => randomBytes(16).toString("base64url");

/** What a store keeps of an owner key: its SHA-256 (the key is random, so no slow hash is needed). */
export const hashKey = (key: string): string => createHash("sha256").update(key).digest("base64url");

/**
 * A person's user id on a board: the same for the same browser and name each time they come, so
 * that their earlier strokes stay theirs (to erase on a board where only owners may erase others'),
 * and different on every board. It cannot be turned back into the browser's client id. `secret`
 * is the owned board's owner key hash, which no viewer knows: without it, a viewer who knows
 * their own client id, name and user id could try board ids until one gives that user id.
 */
export const userIdFor = (secret: string, boardId: string, clientId: string, name: string): string =>
  createHash("sha256").update(`${secret}\0${boardId}\0${clientId}\0${nameKey(name)}`).digest("base64url").slice(0, 22);

/**
 * Whether a presented secret is `expected` (never, when `expected` is empty). Hashes have one
 * length, so the comparison takes as long whatever was presented.
 */
export function secretMatcher(expected: string): (presented: string | undefined) => boolean {
  const hash = expected ? createHash("sha256").update(expected).digest() : undefined;
  return (presented) => hash !== undefined && presented !== undefined && timingSafeEqual(createHash("sha256").update(presented).digest(), hash);
}
