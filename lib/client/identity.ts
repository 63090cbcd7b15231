import { nanoid } from "nanoid";
import { boardIdSchema, LIMITS } from "../protocol";

const CLIENT_ID_KEY = "scribble.clientId";
const NAME_KEY = "scribble.name";

/**
 * This browser's id: the tabs of one browser share it, so the same person may hold their name
 * from several tabs, while another browser asking for that name is refused.
 */
export function clientId(): string {
  let id = readStorage(CLIENT_ID_KEY);
  if (!id) {
    id = nanoid();
    writeStorage(CLIENT_ID_KEY, id);
  }
  return id;
}

export const rememberedName = (): string => readStorage(NAME_KEY) ?? "";
export const rememberName = (name: string): void => writeStorage(NAME_KEY, name);

const RECENT_KEY = "scribble.recentBoards";
/** As many as a lobby may watch. */
const RECENT_MAX = LIMITS.lobbyBoardsMax;

/**
 * The boards this browser opened, newest first. Kept here, not on the server: the lobby shows
 * these and no others, so a board's id stays known to those it was shared with.
 */
export function recentBoards(): { boardId: string; at: number }[] {
  try {
    const list = JSON.parse(readStorage(RECENT_KEY) ?? "[]") as unknown;
    return Array.isArray(list)
      ? list
          .filter((b): b is { boardId: string; at: number } => boardIdSchema.safeParse(b?.boardId).success && typeof b.at === "number")
          .slice(0, RECENT_MAX)
      : [];
  } catch {
    return [];
  }
}

export function rememberBoard(boardId: string): void {
  const rest = recentBoards().filter((b) => b.boardId !== boardId);
  writeStorage(RECENT_KEY, JSON.stringify([{ boardId, at: Date.now() }, ...rest].slice(0, RECENT_MAX)));
}

// Storage can be unavailable (private modes, blocked cookies): the app then works per tab, and
// other modules keep their own entries through these.
const memory = new Map<string, string>();
export function readStorage(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return memory.get(key) ?? null;
  }
}
export function writeStorage(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    memory.set(key, value);
  }
}
