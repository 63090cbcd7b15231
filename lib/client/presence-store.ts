import { createStore, type StoreApi } from "zustand/vanilla";
import type { ActivityState, Role, User } from "../protocol";

export interface PresenceStore {
  self: User | null;
  users: User[];
  reset(self: User, users: User[]): void;
  joined(user: User): void;
  left(userId: string): void;
  setState(userId: string, state: ActivityState): void;
  setRole(userId: string, role: Role): void;
}

export const createPresenceStore = (): StoreApi<PresenceStore> =>
  createStore<PresenceStore>((set, get) => {
    /** Changes one person, in the list and as `self`; nothing when nothing changes. */
    const update = (userId: string, change: Partial<Pick<User, "state" | "role">>) => {
      const { users, self } = get();
      const person = users.find((u) => u.id === userId);
      if (!person || Object.entries(change).every(([k, v]) => person[k as keyof User] === v)) return;
      set({
        users: users.map((u) => (u.id === userId ? { ...u, ...change } : u)),
        self: self?.id === userId ? { ...self, ...change } : self,
      });
    };
    return {
      self: null,
      users: [],
      reset: (self, users) => set({ self, users: sortUsers(users) }),
      joined: (user) => {
        if (get().users.some((u) => u.id === user.id)) return;
        set({ users: sortUsers([...get().users, user]) });
      },
      left: (userId) => set({ users: get().users.filter((u) => u.id !== userId) }),
      setState: (userId, state) => update(userId, { state }),
      setRole: (userId, role) => update(userId, { role }),
    };
  });

const sortUsers = (users: User[]) => [...users].sort((a, b) => a.name.localeCompare(b.name));
