import type { AccessChange, AppliedOp, BoardSettings, User } from "../protocol";

const list = (parts: string[]) => (parts.length <= 1 ? parts.join("") : `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}`);

/**
 * What a change someone made says in the chat panel after their name ("cleared the board",
 * "erased 3 of Ada's strokes", "brought back 12 of Ada's strokes and 4 of Bob's strokes"), or
 * null for a change nobody needs telling about: drawing, the circle, and erasing or restoring
 * only one's own strokes. `authorOf` gives a stroke's author (a user id); `nameOf` a user id's
 * name, undefined for someone this tab never saw on the board (their strokes are counted apart).
 */
export function whoDidWhat(
  applied: AppliedOp,
  authorOf: (strokeId: string) => string | undefined,
  nameOf: (userId: string) => User["name"] | undefined,
): string | null {
  const { op, author } = applied;
  if (op.type === "board:clear") return op.strokeIds.length > 0 ? "cleared the board" : null;
  if (op.type !== "stroke:erase" && op.type !== "stroke:restore") return null;
  const byName = new Map<string | undefined, number>();
  for (const id of op.strokeIds) {
    const owner = authorOf(id);
    if (owner === undefined || owner === author) continue;
    const name = nameOf(owner);
    byName.set(name, (byName.get(name) ?? 0) + 1);
  }
  if (byName.size === 0) return null;
  const parts = [...byName].map(([name, n]) =>
    name === undefined ? `${n} ${n === 1 ? "stroke" : "strokes"} by people who have left` : `${n} of ${name}'s strokes`,
  );
  return `${op.type === "stroke:erase" ? "erased" : "brought back"} ${list(parts)}`;
}

/** What each setting's new value says, after the owner's name. */
const SETTING_WORDS: { [K in keyof BoardSettings]: (value: BoardSettings[K]) => string } = {
  locked: (on) => (on ? "locked the board" : "unlocked the board"),
  editorsMayErase: (on) => (on ? "let everyone erase others' strokes and clear the board" : "let only owners erase others' strokes and clear the board"),
  chat: (on) => (on ? "turned the chat on" : "turned the chat off"),
  cursors: (who) => (who === "owners" ? "showed only the owners' cursors" : "showed everyone's cursors"),
  laser: (who) => (who === "everyone" ? "let everyone use the laser" : "kept the laser for owners"),
  listed: (on) => (on ? "listed the board in the lobby" : "took the board out of the lobby"),
};

/**
 * What an owner's change says in the chat panel after their name ("locked the board", "made Bob
 * a viewer", "removed Eve"), or null when it changed nothing this tab can tell. `before` is the
 * settings as they were; `selfId` this tab's person, told "you" rather than their name.
 */
export function accessLine(
  change: AccessChange,
  before: BoardSettings,
  nameOf: (userId: string) => User["name"] | undefined,
  selfId: string | undefined,
): string | null {
  const who = (userId: string, name?: string) => (userId === selfId ? "you" : (name ?? nameOf(userId) ?? "someone who has left"));
  switch (change.type) {
    case "settings": {
      const keys = (Object.keys(SETTING_WORDS) as (keyof BoardSettings)[]).filter((k) => change.settings[k] !== before[k]);
      const parts = keys.map((k) => (SETTING_WORDS[k] as (v: unknown) => string)(change.settings[k]));
      return parts.length > 0 ? list(parts) : null;
    }
    case "role":
      return `made ${who(change.userId)} ${change.role === "viewer" ? "a viewer" : "an editor"}`;
    case "removed":
      return `removed ${who(change.userId, change.name)} from the board`;
    case "readmitted":
      return `let ${change.name} back in`;
    case "ended":
      return "ended the session";
  }
}
