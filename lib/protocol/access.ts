/**
 * Who may do what on a board. Shared by both sides: the server refuses with these words
 * (FORBIDDEN), and a tab disables the same controls with the same words as their tooltip.
 */

/**
 * owner: holds the board's owner key (the browser that made it, or one given the owner link).
 * editor: came by the board's link. viewer: came by the view-only link, or was made one.
 */
export const ROLES = ["owner", "editor", "viewer"] as const;
export type Role = (typeof ROLES)[number];

/** What an owner may give one person: owners are made by the owner key only. */
export const GRANTABLE_ROLES = ["editor", "viewer"] as const;
export type GrantableRole = (typeof GRANTABLE_ROLES)[number];

export interface BoardSettings {
  /** Everyone but owners is a viewer. */
  locked: boolean;
  /** Editors may erase (and bring back) others' strokes and clear the board. */
  editorsMayErase: boolean;
  /** Editors may post in the chat. */
  chat: boolean;
  /** Whose cursors editors and viewers see: everyone's, or the owners' only (owners see all). */
  cursors: "everyone" | "owners";
  /** Who may point with the laser. */
  laser: "owners" | "everyone";
  /** The board shows in every lobby, with its head count. */
  listed: boolean;
}

/** A board nobody owns (made before owners existed, or by a client that sent no owner key): anyone with the link may do anything, as before. */
export const OPEN_BOARD: BoardSettings = { locked: false, editorsMayErase: true, chat: true, cursors: "everyone", laser: "everyone", listed: false };

/** A new owned board: editors draw and erase their own strokes, and chat. */
export const OWNED_BOARD_DEFAULTS: BoardSettings = { locked: false, editorsMayErase: false, chat: true, cursors: "everyone", laser: "owners", listed: false };

/** A person's role as it applies now: a lock makes everyone but owners a viewer. */
export function effectiveRole(role: Role, settings: BoardSettings): Role {
  return role !== "owner" && settings.locked ? "viewer" : role;
}

/** Everything a board checks before it takes a change or relays something. */
export type Action =
  | "draw"
  /** Erase or bring back strokes of one's own. */
  | "erase-own"
  /** Erase or bring back strokes others drew. */
  | "erase-others"
  | "clear"
  | "circle"
  | "chat"
  | "laser"
  | "cursor"
  /** Look at the board's history in one's own tab. */
  | "history"
  /** Bring back an earlier moment of the board for everyone. */
  | "restore";

/**
 * Why `role` (already effective) may not do `action` on a board with `settings`, in words for the
 * person; undefined when it may.
 */
export function forbiddenReason(role: Role, settings: BoardSettings, action: Action): string | undefined {
  if (role === "owner") return undefined;
  if (action === "restore") return "Only the board's owners can bring back an earlier moment.";
  if (role === "viewer") {
    if (action === "cursor") return "Viewers have no cursor on the board.";
    if (action === "history") return "Viewers see the board as it is now, not its history.";
    return settings.locked ? "The board is locked: only its owners can change it." : "You can look at this board but not change it.";
  }
  switch (action) {
    case "erase-others":
    case "clear":
      return settings.editorsMayErase ? undefined : "Only the board's owners can erase others' strokes or clear the board.";
    case "chat":
      return settings.chat ? undefined : "The board's owners turned the chat off.";
    case "laser":
      return settings.laser === "everyone" ? undefined : "Only the board's owners can use the laser here.";
    default:
      return undefined;
  }
}

/** Someone an owner removed, as owners see them: by the id and name they had. */
export interface RemovedPerson {
  userId: string;
  name: string;
  /** Server time of the removal, ms since the epoch. */
  at: number;
}

/** What only owners are told: the view-only link's key and who is kept out. */
export interface OwnerView {
  viewKey: string;
  removed: RemovedPerson[];
}

/** A change owners made, as everyone on the board hears of it (`by` is the owner's user id). */
export type AccessChange =
  | { type: "settings"; by: string; settings: BoardSettings }
  | { type: "role"; by: string; userId: string; role: GrantableRole }
  | { type: "removed"; by: string; userId: string; name: string }
  | { type: "readmitted"; by: string; name: string }
  | { type: "ended"; by: string };

/** Why a tab was taken off a board (`deleted`: the server's operator deleted it). */
export type Dismissal = { reason: "removed" | "ended" | "deleted"; by: string };
