import { createStore, type StoreApi } from "zustand/vanilla";
import type { ActivityState, User } from "../protocol";

export interface PresenceStore {
  self: User | null;
  users: User[];
  reset(self: User, users: User[]): void;
  joined(user: User): void;
  left(userId: string): void;
  setState(userId: string, state: ActivityState): void;
}

export const createPresenceStore = (): StoreApi<PresenceStore> => createStore<PresenceStore>((set, get) => ({
  self: null,
  users: [],
  reset: (self, users) => set({ self, users: sortUsers(users) }),
  joined: (user) => {
    if (get().users.some((u) => u.id === user.id)) return;
    set({ users: sortUsers([...get().users, user]) });
  },
  left: (userId) => set({ users: get().users.filter((u) => u.id !== userId) }),
  setState: (userId, state) => {
    const { users, self } = get();
    if (!users.some((u) => u.id === userId && u.state !== state)) return;
    set({
      users: users.map((u) => (u.id === userId ? { ...u, state } : u)),
      self: self?.id === userId ? { ...self, state } : self,
    });
  },
}));

const sortUsers = (users: User[]) => [...users].sort((a, b) => a.name.localeCompare(b.name));
