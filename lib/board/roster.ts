import { nameKey, type ActivityState, type Color, type Dismissal, type Role, type User } from "../protocol";
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

/**
 * One tab on the board as a cluster's nodes share it (see BoardRoom): the person it is, on which
 * browser, and its own activity. A roster is made again from its tabs' records in `since` order.
 */
export interface TabRecord {
  socketId: string;
  clientId: string;
  user: User;
  state: ActivityState;
  /** The node the tab is connected to (its instance: see lib/server/cluster.ts). */
  node: string;
  /** The roster's version when the tab joined: the order tabs are placed in again. */
  since: number;
}

/** A change to who is on the board: in a cluster every node applies the same ones in the same order. */
export type RosterChange =
  | { type: "join"; tab: TabRecord }
  /** Tabs leaving; taken off by an owner or the operator when `dismissal` says why. */
  | { type: "leave"; socketIds: string[]; dismissal?: Dismissal }
  | { type: "state"; socketId: string; state: ActivityState }
  | { type: "role"; userIds: string[]; role: Role };

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

  /** Who a tab joining under this name would be: the person holding it, or a new one with the least worn colour. */
  userFor(args: { name: string; role: Role; newUserId: () => string }): User {
    return this.byName.get(nameKey(args.name))?.user ?? { id: args.newUserId(), name: args.name, color: pickPersonColor(this.colors()), state: "active", role: args.role };
  }

  /**
   * Adds a tab as `user` (from `userFor`, here or on another node): their tab, or their first. The
   * caller checks `isAvailable` first and removes the tab's old place.
   */
  place(socketId: string, clientId: string, user: User, state: ActivityState): RosterJoin {
    if (!this.isAvailable(user.name, clientId)) throw new Error(`name "${user.name}" is taken`);
    if (this.bySocket.has(socketId)) throw new Error(`socket ${socketId} is on the board already`);
    const existing = this.byName.get(nameKey(user.name));
    if (existing) {
      existing.sockets.set(socketId, state);
      this.bySocket.set(socketId, existing);
      const changed = this.updateState(existing);
      return { user: existing.user, isNew: false, changed };
    }
    const person: Person = { user: { ...user, state }, clientId, sockets: new Map([[socketId, state]]) };
    this.byName.set(nameKey(user.name), person);
    this.bySocket.set(socketId, person);
    return { user: person.user, isNew: true, changed: false };
  }

  /** A roster of these tabs, placed in `since` order (see TabRecord). */
  static fromRecords(records: readonly TabRecord[]): Roster {
    const roster = new Roster();
    for (const r of [...records].sort((a, b) => a.since - b.since)) roster.place(r.socketId, r.clientId, r.user, r.state);
    return roster;
  }

  /** One tab's activity, as its record keeps it. */
  stateOf(socketId: string): ActivityState | undefined {
    return this.bySocket.get(socketId)?.sockets.get(socketId);
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
