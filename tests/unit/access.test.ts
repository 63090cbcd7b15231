import { describe, expect, it } from "vitest";
import { BoardAccess } from "@/lib/board";
import {
  effectiveRole,
  forbiddenReason,
  LIMITS,
  OPEN_BOARD,
  OWNED_BOARD_DEFAULTS,
  ROLES,
  type Action,
  type BoardSettings,
} from "@/lib/protocol";

const ACTIONS: Action[] = ["draw", "erase-own", "erase-others", "clear", "circle", "chat", "laser", "cursor"];
const LOCKED: BoardSettings = { ...OWNED_BOARD_DEFAULTS, locked: true };
/** Every setting at its most closed. */
const CLOSED: BoardSettings = { locked: true, editorsMayErase: false, chat: false, cursors: "owners", laser: "owners", listed: false };
const VIEWER_REASON = "You can look at this board but not change it.";
const LOCKED_REASON = "The board is locked: only its owners can change it.";

/** What `role` may do under `settings`: the actions allowed, the rest with their reasons. */
function allowed(role: (typeof ROLES)[number], settings: BoardSettings) {
  return Object.fromEntries(ACTIONS.map((action) => [action, forbiddenReason(role, settings, action) ?? "allowed"]));
}

describe("effectiveRole", () => {
  it("makes everyone but owners a viewer on a locked board, and changes nobody on an unlocked one", () => {
    expect(ROLES.map((role) => effectiveRole(role, LOCKED))).toEqual(["owner", "viewer", "viewer"]);
    expect(ROLES.map((role) => effectiveRole(role, OWNED_BOARD_DEFAULTS))).toEqual(["owner", "editor", "viewer"]);
  });
});

describe("forbiddenReason", () => {
  it("lets owners do anything, however closed the board", () => {
    for (const settings of [CLOSED, OWNED_BOARD_DEFAULTS, OPEN_BOARD]) {
      expect(allowed("owner", settings)).toEqual(Object.fromEntries(ACTIONS.map((a) => [a, "allowed"])));
    }
  });

  it("lets editors on a board nobody owns do anything", () => {
    expect(allowed("editor", OPEN_BOARD)).toEqual(Object.fromEntries(ACTIONS.map((a) => [a, "allowed"])));
  });

  it("lets editors on a new owned board draw, erase their own strokes and chat, not erase others', clear or point the laser", () => {
    const owners = "Only the board's owners can erase others' strokes or clear the board.";
    expect(allowed("editor", OWNED_BOARD_DEFAULTS)).toEqual({
      draw: "allowed",
      "erase-own": "allowed",
      "erase-others": owners,
      clear: owners,
      circle: "allowed",
      chat: "allowed",
      laser: "Only the board's owners can use the laser here.",
      cursor: "allowed",
    });
  });

  it("follows each setting for editors", () => {
    const editor = (patch: Partial<BoardSettings>, action: Action) => forbiddenReason("editor", { ...OWNED_BOARD_DEFAULTS, ...patch }, action);
    expect(editor({ editorsMayErase: true }, "erase-others")).toBeUndefined();
    expect(editor({ editorsMayErase: true }, "clear")).toBeUndefined();
    expect(editor({ chat: false }, "chat")).toBe("The board's owners turned the chat off.");
    expect(editor({ laser: "everyone" }, "laser")).toBeUndefined();
    // Whose cursors are shown is the audience's business: an editor still has one.
    expect(editor({ cursors: "owners" }, "cursor")).toBeUndefined();
  });

  it("lets viewers do nothing, saying why: a lock, or the view-only link", () => {
    const expected = (reason: string) => ({ ...Object.fromEntries(ACTIONS.map((a) => [a, reason])), cursor: "Viewers have no cursor on the board." });
    expect(allowed("viewer", OWNED_BOARD_DEFAULTS)).toEqual(expected(VIEWER_REASON));
    expect(allowed("viewer", OPEN_BOARD)).toEqual(expected(VIEWER_REASON));
    expect(allowed("viewer", LOCKED)).toEqual(expected(LOCKED_REASON));
  });

  it("takes the effective role: an editor on a locked board is refused as a viewer", () => {
    expect(forbiddenReason(effectiveRole("editor", LOCKED), LOCKED, "draw")).toBe(LOCKED_REASON);
  });
});

describe("BoardAccess", () => {
  const viaLink = (clientId: string, ownerKeyHash?: string) => ({ clientId, ownerKeyHash, viaView: false });
  const viaView = (clientId: string) => ({ clientId, viaView: true });
  const owned = () => BoardAccess.owned("owner-hash", "view-key");

  it("a board nobody owns: open settings, no view key, editors only, nothing to store", () => {
    const open = BoardAccess.open();
    expect(open.owned).toBe(false);
    expect(open.settings).toEqual(OPEN_BOARD);
    expect(open.viewKey).toBeUndefined();
    expect(open.isOwner(undefined)).toBe(false);
    expect(open.isOwner("any-hash")).toBe(false);
    expect(open.roleOf(viaLink("c-1", "any-hash"))).toBe("editor");
    expect(open.toPersisted()).toBeNull();
    expect(BoardAccess.fromPersisted(null).owned).toBe(false);
  });

  it("an owned board: the key's holder is owner, the link gives editors, the view link viewers, and a role given beats both but not the key", () => {
    const access = owned();
    expect(access.settings).toEqual(OWNED_BOARD_DEFAULTS);
    expect(access.viewKey).toBe("view-key");
    expect(access.isOwner(undefined)).toBe(false);
    expect(access.roleOf(viaLink("c-owner", "owner-hash"))).toBe("owner");
    expect(access.roleOf(viaLink("c-1"))).toBe("editor");
    expect(access.roleOf(viaLink("c-1", "other-hash"))).toBe("editor");
    expect(access.roleOf(viaView("c-1"))).toBe("viewer");

    access.grant("c-1", "viewer");
    access.grant("c-2", "editor");
    access.grant("c-owner", "viewer");
    expect(access.roleOf(viaLink("c-1"))).toBe("viewer");
    expect(access.roleOf(viaView("c-2"))).toBe("editor");
    expect(access.roleOf(viaLink("c-owner", "owner-hash"))).toBe("owner");
  });

  it("changes settings by patch", () => {
    const access = owned();
    expect(access.changeSettings({ locked: true })).toEqual(LOCKED);
    expect(access.changeSettings({ chat: false })).toEqual({ ...LOCKED, chat: false });
    expect(access.settings).toEqual({ ...LOCKED, chat: false });
  });

  it("removes by browser, shows owners the removed without their browser, latest last, and readmits by user id", () => {
    const access = owned();
    access.remove({ clientId: "c-1", userId: "u-1", name: "Tim", at: 1 });
    access.remove({ clientId: "c-2", userId: "u-2", name: "Tam", at: 2 });
    expect(access.isRemoved("c-1")).toBe(true);
    expect(access.isRemoved("c-3")).toBe(false);
    expect(access.removed()).toEqual([
      { userId: "u-1", name: "Tim", at: 1 },
      { userId: "u-2", name: "Tam", at: 2 },
    ]);

    expect(access.readmit("u-1")).toBe("Tim");
    expect(access.readmit("u-1")).toBeUndefined();
    expect(access.readmit("u-unknown")).toBeUndefined();
    expect(access.isRemoved("c-1")).toBe(false);
    expect(access.removed()).toEqual([{ userId: "u-2", name: "Tam", at: 2 }]);
  });

  it("remembers at most LIMITS.grantsMax roles, forgetting the least recently given", () => {
    const access = owned();
    const extra = 5;
    for (let i = 0; i < LIMITS.grantsMax + extra; i++) access.grant(`c-${i}`, "viewer");
    // Given again, the oldest becomes the newest and outlives the next one given.
    access.grant(`c-${extra}`, "viewer");
    access.grant("c-last", "viewer");

    const grants = access.toPersisted()!.grants;
    expect(grants).toHaveLength(LIMITS.grantsMax);
    for (let i = 0; i <= extra; i++) expect(access.roleOf(viaLink(`c-${i}`))).toBe(i === extra ? "viewer" : "editor");
    expect(access.roleOf(viaLink(`c-${extra + 1}`))).toBe("editor");
    expect(access.roleOf(viaLink(`c-${extra + 2}`))).toBe("viewer");
    expect(grants.slice(-2)).toEqual([
      [`c-${extra}`, "viewer"],
      ["c-last", "viewer"],
    ]);
  });

  it("remembers at most LIMITS.removedMax removals, forgetting the oldest", () => {
    const access = owned();
    const extra = 5;
    for (let i = 0; i < LIMITS.removedMax + extra; i++) access.remove({ clientId: `c-${i}`, userId: `u-${i}`, name: `P${i}`, at: i });
    expect(access.removed()).toHaveLength(LIMITS.removedMax);
    expect(access.toPersisted()!.removed).toHaveLength(LIMITS.removedMax);
    expect(access.isRemoved(`c-${extra - 1}`)).toBe(false);
    expect(access.isRemoved(`c-${extra}`)).toBe(true);
    expect(access.removed()[0]!.userId).toBe(`u-${extra}`);
  });

  it("comes back from what it stored as it was; a copy changes apart from its original", () => {
    const access = owned();
    access.changeSettings({ locked: true, cursors: "owners" });
    access.grant("c-1", "viewer");
    access.remove({ clientId: "c-2", userId: "u-2", name: "Tam", at: 2 });

    const copy = BoardAccess.fromPersisted(access.toPersisted());
    expect(copy.toPersisted()).toEqual(access.toPersisted());
    expect(copy.roleOf(viaLink("c-1"))).toBe("viewer");
    expect(copy.isRemoved("c-2")).toBe(true);

    copy.changeSettings({ locked: false });
    copy.grant("c-1", "editor");
    copy.readmit("u-2");
    expect(access.settings.locked).toBe(true);
    expect(access.roleOf(viaLink("c-1"))).toBe("viewer");
    expect(access.isRemoved("c-2")).toBe(true);
  });

  it("gives settings a stored board lacks (added by a later version) their defaults", () => {
    const stored = owned().toPersisted()!;
    const { laser: _laser, listed: _listed, ...older } = stored.settings;
    const access = BoardAccess.fromPersisted({ ...stored, settings: { ...older, locked: true } as BoardSettings });
    expect(access.settings).toEqual({ ...OWNED_BOARD_DEFAULTS, locked: true });
  });
});
