import { createStore } from "zustand/vanilla";
import type { ActivityState, User } from "../protocol";

export interface Notice {
  id: number;
  kind: "joined" | "left";
  user: User;
}

export interface PresenceStore {
  self: User | null;
  users: User[];
  /** The latest join and leave notices, oldest first. */
  notices: Notice[];
  reset(self: User, users: User[]): void;
  joined(user: User): void;
  left(userId: string): void;
  setState(userId: string, state: ActivityState): void;
}

const MAX_NOTICES = 5;
let noticeId = 0;

export const presenceStore = createStore<PresenceStore>((set, get) => {
  const notify = (kind: Notice["kind"], user: User) =>
    [...get().notices, { id: ++noticeId, kind, user }].slice(-MAX_NOTICES);
  return {
    self: null,
    users: [],
    notices: [],
    reset: (self, users) => set({ self, users: sortUsers(users) }),
    joined: (user) => {
      if (get().users.some((u) => u.id === user.id)) return;
      set({ users: sortUsers([...get().users, user]), notices: notify("joined", user) });
    },
    left: (userId) => {
      const user = get().users.find((u) => u.id === userId);
      if (!user) return;
      set({ users: get().users.filter((u) => u.id !== userId), notices: notify("left", user) });
    },
    setState: (userId, state) => {
      const { users, self } = get();
      if (!users.some((u) => u.id === userId && u.state !== state)) return;
      set({
        users: users.map((u) => (u.id === userId ? { ...u, state } : u)),
        self: self?.id === userId ? { ...self, state } : self,
      });
    },
  };
});

const sortUsers = (users: User[]) => [...users].sort((a, b) => a.name.localeCompare(b.name));
