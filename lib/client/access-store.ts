import { createStore, type StoreApi } from "zustand/vanilla";
import { effectiveRole, forbiddenReason, OPEN_BOARD, type Action, type BoardSettings, type OwnerView, type RemovedPerson, type Role } from "../protocol";

/** The board's rules as this tab knows them; each person's role is on their `User` (presence). */
export interface AccessStore {
  /** Whether the board has owners (one without is open to anyone with its link). */
  owned: boolean;
  settings: BoardSettings;
  /** What only owners are told; null for everyone else. */
  owner: OwnerView | null;
  reset(access: { owned: boolean; settings: BoardSettings; owner?: OwnerView }): void;
  setSettings(settings: BoardSettings): void;
  setRemoved(removed: RemovedPerson[]): void;
  setViewKey(viewKey: string): void;
}

export const createAccessStore = (): StoreApi<AccessStore> =>
  createStore<AccessStore>((set, get) => ({
    owned: false,
    settings: OPEN_BOARD,
    owner: null,
    reset: ({ owned, settings, owner }) => set({ owned, settings, owner: owner ?? null }),
    setSettings: (settings) => set({ settings }),
    setRemoved: (removed) => {
      const { owner } = get();
      if (owner) set({ owner: { ...owner, removed } });
    },
    setViewKey: (viewKey) => {
      const { owner } = get();
      if (owner) set({ owner: { ...owner, viewKey } });
    },
  }));

/**
 * Why someone with this role may not do `action` under these settings now (the words the server
 * refuses with), or undefined. No role yet (not joined) may do nothing.
 */
export function whyNot(role: Role | undefined, settings: BoardSettings, action: Action): string | undefined {
  if (!role) return "Not on the board yet.";
  return forbiddenReason(effectiveRole(role, settings), settings, action);
}
