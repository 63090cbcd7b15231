import {
  LIMITS,
  OPEN_BOARD,
  OWNED_BOARD_DEFAULTS,
  type BoardSettings,
  type GrantableRole,
  type RemovedPerson,
  type Role,
} from "../protocol";

/** Someone kept out of the board: by browser, with the name and user id owners knew them by. */
interface Removal extends RemovedPerson {
  clientId: string;
}

/** Who owns a board and what they decided, as a store keeps it. */
export interface PersistedAccess {
  /**
   * The owner key's hash (see `hashKey` on the server): the key itself is never kept. Null on a
   * board nobody owns whose settings the server's operator changed.
   */
  ownerKeyHash: string | null;
  viewKey: string;
  settings: BoardSettings;
  /** Roles owners gave, by browser. */
  grants: [clientId: string, role: GrantableRole][];
  removed: Removal[];
  /**
   * How many times the record was stored (absent before it was counted). In a cluster two nodes
   * cannot both store change n: the second reads the first's and decides again.
   */
  version?: number;
}

/** How a tab came to the board. */
export interface Credentials {
  clientId: string;
  /** The hash of the owner key the tab sent, if it sent one. */
  ownerKeyHash?: string;
  /** It came by the view-only link. */
  viaView: boolean;
}

/**
 * Who may do what on one board: its owners (whoever holds the owner key), the roles owners gave,
 * the people they removed, and the board's settings. A board without an owner is open: everyone
 * is an editor who may do anything. Pure: keys arrive hashed, new keys from the caller.
 */
export class BoardAccess {
  private settingsValue: BoardSettings;
  private readonly grants: Map<string, GrantableRole>;
  private readonly removals: Map<string, Removal>;

  private constructor(private readonly persisted: PersistedAccess | null) {
    this.settingsValue = persisted?.settings ?? OPEN_BOARD;
    this.grants = new Map(persisted?.grants);
    this.removals = new Map(persisted?.removed.map((r) => [r.clientId, r]));
  }

  /** A board nobody owns. */
  static open(): BoardAccess {
    return new BoardAccess(null);
  }

  /** A board made by the browser holding the key with this hash. */
  static owned(ownerKeyHash: string, viewKey: string): BoardAccess {
    return new BoardAccess({ ownerKeyHash, viewKey, settings: OWNED_BOARD_DEFAULTS, grants: [], removed: [] });
  }

  /** A board nobody owns, now with settings the server's operator changed (from /admin). */
  static operated(viewKey: string): BoardAccess {
    return new BoardAccess({ ownerKeyHash: null, viewKey, settings: OPEN_BOARD, grants: [], removed: [] });
  }

  static fromPersisted(persisted: PersistedAccess | null | undefined): BoardAccess {
    if (!persisted) return new BoardAccess(null);
    // Settings added by later versions take their defaults on boards stored before them.
    const defaults = persisted.ownerKeyHash === null ? OPEN_BOARD : OWNED_BOARD_DEFAULTS;
    return new BoardAccess({ ...persisted, settings: { ...defaults, ...persisted.settings } });
  }

  /** See PersistedAccess.version: 0 for a board nobody owns nor the operator changed. */
  get version(): number {
    return this.persisted?.version ?? 0;
  }

  get owned(): boolean {
    return (this.persisted?.ownerKeyHash ?? null) !== null;
  }

  get settings(): BoardSettings {
    return this.settingsValue;
  }

  /** The view-only link's key; undefined on a board nobody owns (its owners would hand it out). */
  get viewKey(): string | undefined {
    return this.owned ? this.persisted?.viewKey : undefined;
  }

  /** What user ids on the board are made with besides its id (see `userIdFor`): a secret of owned boards, empty on others. */
  get idSecret(): string {
    return this.persisted?.ownerKeyHash ?? "";
  }

  isOwner(ownerKeyHash: string | undefined): boolean {
    return ownerKeyHash !== undefined && ownerKeyHash === this.persisted?.ownerKeyHash;
  }

  isRemoved(clientId: string): boolean {
    return this.removals.has(clientId);
  }

  /** The role a tab joins with (before a lock applies: see `effectiveRole`). */
  roleOf({ clientId, ownerKeyHash, viaView }: Credentials): Role {
    if (this.isOwner(ownerKeyHash)) return "owner";
    return this.grants.get(clientId) ?? (viaView ? "viewer" : "editor");
  }

  /** Gives the board a new view-only link's key; the old one names no board any more. */
  newViewKey(viewKey: string): void {
    if (!this.persisted) throw new Error("a board nobody owns has no view-only link");
    this.persisted.viewKey = viewKey;
  }

  changeSettings(patch: Partial<BoardSettings>): BoardSettings {
    this.settingsValue = { ...this.settingsValue, ...patch };
    return this.settingsValue;
  }

  grant(clientId: string, role: GrantableRole): void {
    this.grants.delete(clientId);
    this.grants.set(clientId, role);
    dropOldest(this.grants, LIMITS.grantsMax);
  }

  remove(removal: Removal): void {
    this.removals.delete(removal.clientId);
    this.removals.set(removal.clientId, removal);
    dropOldest(this.removals, LIMITS.removedMax);
  }

  /** Lets a removed person back in; their name, or undefined when nobody removed has that id. */
  readmit(userId: string): string | undefined {
    for (const [clientId, r] of this.removals) {
      if (r.userId !== userId) continue;
      this.removals.delete(clientId);
      return r.name;
    }
    return undefined;
  }

  /** The people kept out, latest last, as owners see them (never their browser). */
  removed(): RemovedPerson[] {
    return [...this.removals.values()].map(({ userId, name, at }) => ({ userId, name, at }));
  }

  /** Null for a board nobody owns nor the operator changed: there is nothing to keep. */
  toPersisted(): PersistedAccess | null {
    if (!this.persisted) return null;
    return { ...this.persisted, settings: this.settingsValue, grants: [...this.grants], removed: [...this.removals.values()] };
  }
}

/** Maps keep insertion order: the first entries are the oldest. */
function dropOldest<K, V>(map: Map<K, V>, max: number): void {
  for (const key of map.keys()) {
    if (map.size <= max) return;
    map.delete(key);
  }
}
