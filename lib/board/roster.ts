import { nameKey, type ActivityState, type Color, type User } from "../protocol";
import { pickPersonColor } from "./colors";

export interface RosterJoin {
  user: User;
  /** The person was not on the board before this tab. */
  isNew: boolean;
}

interface Member {
  user: User;
  clientId: string;
  /** Each tab's own activity; the person's is the most present of them. */
  sockets: Map<string, ActivityState>;
}

const PRESENCE_ORDER: readonly ActivityState[] = ["active", "idle", "away"];

/**
 * Who is on one board. A person is a name held by one browser (its clientId); the same browser
 * may hold it from several tabs (sockets). Names compare by `nameKey`: "Ada", "ada", "Ada" with
 * an invisible joiner and "Аda" with a Cyrillic "А" are one name. Pure: ids come from the caller.
 */
export class Roster {
  private readonly byName = new Map<string, Member>();
  private readonly bySocket = new Map<string, Member>();

  /** Whether this browser may take the name: nobody holds it, or this browser already does. */
  isAvailable(name: string, clientId: string): boolean {
    const holder = this.byName.get(nameKey(name));
    return !holder || holder.clientId === clientId;
  }

  /** Adds a tab under a name; the caller checks `isAvailable` first and removes the tab's old place. */
  join(args: { socketId: string; clientId: string; name: string; newUserId: () => string }): RosterJoin {
    if (!this.isAvailable(args.name, args.clientId)) throw new Error(`name "${args.name}" is taken`);
    if (this.bySocket.has(args.socketId)) throw new Error(`socket ${args.socketId} is on the board already`);
    const existing = this.byName.get(nameKey(args.name));
    if (existing) {
      existing.sockets.set(args.socketId, "active");
      existing.user = { ...existing.user, state: "active" };
      this.bySocket.set(args.socketId, existing);
      return { user: existing.user, isNew: false };
    }
    const member: Member = {
      user: { id: args.newUserId(), name: args.name, color: pickPersonColor(this.colors()), state: "active" },
      clientId: args.clientId,
      sockets: new Map([[args.socketId, "active"]]),
    };
    this.byName.set(nameKey(args.name), member);
    this.bySocket.set(args.socketId, member);
    return { user: member.user, isNew: true };
  }

  /** Removes one tab; returns the person when that was their last tab on the board. */
  leave(socketId: string): User | undefined {
    const member = this.bySocket.get(socketId);
    if (!member) return undefined;
    this.bySocket.delete(socketId);
    member.sockets.delete(socketId);
    if (member.sockets.size > 0) {
      this.updateState(member);
      return undefined;
    }
    this.byName.delete(nameKey(member.user.name));
    return member.user;
  }

  /** Records one tab's activity; returns the person when their state changed with it. */
  setActivity(socketId: string, state: ActivityState): User | undefined {
    const member = this.bySocket.get(socketId);
    if (!member) return undefined;
    member.sockets.set(socketId, state);
    return this.updateState(member) ? member.user : undefined;
  }

  byId(userId: string): User | undefined {
    return this.memberById(userId)?.user;
  }

  /** The browser a person is on, by user id. */
  clientOfUser(userId: string): string | undefined {
    return this.memberById(userId)?.clientId;
  }

  clientOf(socketId: string): string | undefined {
    return this.bySocket.get(socketId)?.clientId;
  }

  private memberById(userId: string): Member | undefined {
    for (const m of this.byName.values()) if (m.user.id === userId) return m;
    return undefined;
  }

  userOf(socketId: string): User | undefined {
    return this.bySocket.get(socketId)?.user;
  }

  /** How many tabs hold this name now (0 when nobody does). */
  tabsOf(name: string): number {
    return this.byName.get(nameKey(name))?.sockets.size ?? 0;
  }

  users(): User[] {
    return [...this.byName.values()].map((m) => m.user);
  }

  get size(): number {
    return this.byName.size;
  }

  private updateState(member: Member): boolean {
    const states = new Set(member.sockets.values());
    const state = PRESENCE_ORDER.find((s) => states.has(s)) ?? "away";
    if (state === member.user.state) return false;
    member.user = { ...member.user, state };
    return true;
  }

  /** One entry per person, shared colours repeated, so that the least worn can be told. */
  private colors(): Color[] {
    return [...this.byName.values()].map((m) => m.user.color);
  }
}
