import { nanoid } from "nanoid";

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

// Storage can be unavailable (private modes, blocked cookies): the app then works per tab.
const memory = new Map<string, string>();
function readStorage(key: string): string | null {
  try {
    return window.localStorage.getItem(key);
  } catch {
    return memory.get(key) ?? null;
  }
}
function writeStorage(key: string, value: string): void {
  try {
    window.localStorage.setItem(key, value);
  } catch {
    memory.set(key, value);
  }
}
