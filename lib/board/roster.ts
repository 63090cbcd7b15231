import { nameKey, type ActivityState, type Color, type Role, type User } from "../protocol";
import { pickPersonColor } from "./colors";

export interface RosterJoin {
  user: User;
  /** The person was not on the board before this tab. */
  isNew: boolean;
  /** The person was on the board, and their state changed with this tab (another tab of someone idle or away). */
  changed: boolean;
}

export interface RosterLeave {
  /** The person as they are now, or as they were when `gone`. */
  user: User;
  /** That was their last tab: they are off the board. */
  gone: boolean;
  /** They stay, and their state changed with this tab gone (it was their active one). */
  changed: boolean;
}

/** One person on the board: a name, the browser that holds it, and its tabs. */
interface Person {
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
  private readonly byName = new Map<string, Person>();
  private readonly bySocket = new Map<string, Person>();

  /** Whether this browser may take the name: nobody holds it, or this browser already does. */
  isAvailable(name: string, clientId: string): boolean {
    const holder = this.byName.get(nameKey(name));
    return !holder || holder.clientId === clientId;
  }

  /** Adds a tab under a name; the caller checks `isAvailable` first and removes the tab's old place. */
  join(args: { socketId: string; clientId: string; name: string; role: Role; newUserId: () => string }): RosterJoin {
    if (!this.isAvailable(args.name, args.clientId)) throw new Error(`name "${args.name}" is taken`);
    if (this.bySocket.has(args.socketId)) throw new Error(`socket ${args.socketId} is on the board already`);
    const existing = this.byName.get(nameKey(args.name));
    if (existing) {
      existing.sockets.set(args.socketId, "active");
      this.bySocket.set(args.socketId, existing);
      const changed = this.updateState(existing);
      return { user: existing.user, isNew: false, changed };
    }
    const person: Person = {
      user: { id: args.newUserId(), name: args.name, color: pickPersonColor(this.colors()), state: "active", role: args.role },
      clientId: args.clientId,
      sockets: new Map([[args.socketId, "active"]]),
    };
    this.byName.set(nameKey(args.name), person);
    this.bySocket.set(args.socketId, person);
    return { user: person.user, isNew: true, changed: false };
  }

  /** Removes one tab; undefined for a socket that is not on the board. */
  leave(socketId: string): RosterLeave | undefined {
    const person = this.bySocket.get(socketId);
    if (!person) return undefined;
    this.bySocket.delete(socketId);
    person.sockets.delete(socketId);
    if (person.sockets.size > 0) {
      const changed = this.updateState(person);
      return { user: person.user, gone: false, changed };
    }
    this.byName.delete(nameKey(person.user.name));
    return { user: person.user, gone: true, changed: false };
  }

  /** Records one tab's activity; returns the person when their state changed with it. */
  setActivity(socketId: string, state: ActivityState): User | undefined {
    const person = this.bySocket.get(socketId);
    if (!person) return undefined;
    person.sockets.set(socketId, state);
    return this.updateState(person) ? person.user : undefined;
  }

  /** Gives the person a role; false when nobody on the board has that id. */
  setRole(userId: string, role: Role): boolean {
    const person = this.personById(userId);
    if (!person) return false;
    person.user = { ...person.user, role };
    return true;
  }

  /** Every tab of one browser on the board, under any name. */
  socketsOfClient(clientId: string): string[] {
    return [...this.bySocket].filter(([, p]) => p.clientId === clientId).map(([socketId]) => socketId);
  }

  /** Every tab on the board, with the person on it. */
  tabs(): [socketId: string, user: User][] {
    return [...this.bySocket].map(([socketId, p]) => [socketId, p.user]);
  }

  byId(userId: string): User | undefined {
    return this.personById(userId)?.user;
  }

  /** The browser a person is on, by user id. */
  clientOfUser(userId: string): string | undefined {
    return this.personById(userId)?.clientId;
  }

  clientOf(socketId: string): string | undefined {
    return this.bySocket.get(socketId)?.clientId;
  }

  private personById(userId: string): Person | undefined {
    for (const p of this.byName.values()) if (p.user.id === userId) return p;
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
    return [...this.byName.values()].map((p) => p.user);
  }

  get size(): number {
    return this.byName.size;
  }

  /** Sets the person's state from their tabs'; whether it changed. */
  private updateState(person: Person): boolean {
    const states = new Set(person.sockets.values());
    const state = PRESENCE_ORDER.find((s) => states.has(s)) ?? "away";
    if (state === person.user.state) return false;
    person.user = { ...person.user, state };
    return true;
  }

  /** One entry per person, shared colours repeated, so that the least worn can be told. */
  private colors(): Color[] {
    return [...this.byName.values()].map((p) => p.user.color);
  }
}
