import type { AppliedOp, User } from "../protocol";

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
