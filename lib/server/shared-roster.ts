import { Roster, type RosterChange, type TabRecord } from "../board";
import type { Ack, Refusal } from "../protocol";
import type { RoomEvents } from "./board-room";
import { InOrder } from "./in-order";
import { PositionTaken, type SharedStore } from "./storage";

/**
 * Who is on one board, and how it changes. One node: a change takes effect at once. Cluster
 * mode: each change is decided on this node's copy, stored in Redis as the roster's next version
 * (refused if another node took that version first: this node then reads what it missed and
 * decides again), and applied by every node in version order; each node tells its own tabs of
 * what a change did (RoomEvents).
 */
export class SharedRoster {
  private rosterValue = new Roster();
  /** Cluster mode: each tab's record (see TabRecord), as Redis keeps them. */
  private tabs = new Map<string, TabRecord>();
  /** How many changes made the roster. */
  private version = 0;
  /** This node's changes, one at a time: each is decided on what the one before left. */
  private changing: Promise<unknown> = Promise.resolve();
  /** Changes as they come; `here` on those this node made (it tells the lobbies: one node does). */
  private readonly changes: InOrder<{ version: number; change: RosterChange; here?: true }>;

  constructor(
    private readonly boardId: string,
    private readonly events: RoomEvents,
    private readonly shared?: SharedStore,
    /** Cluster mode: this node, in the records of the tabs it serves. */
    private readonly node = "",
  ) {
    this.changes = new InOrder({
      at: () => this.version,
      numberOf: (c) => c.version,
      apply: (c) => {
        this.apply(c.change, c.here ?? false);
        this.version = c.version;
      },
      readAfter: (version) => shared!.rosterAfter(boardId, version),
    });
  }

  get roster(): Roster {
    return this.rosterValue;
  }

  /** The record a tab joining now would have. */
  tab(record: Omit<TabRecord, "node" | "since">): TabRecord {
    return { ...record, node: this.node, since: this.version + 1 };
  }

  /**
   * Makes a change built by `build` on the roster as it is (null: no change; a refusal: none
   * made). In a cluster `build` is asked again each time another node changed the roster first.
   */
  change(build: () => RosterChange | Refusal | null): Promise<Ack> {
    const { shared } = this;
    if (!shared) {
      const change = build();
      if (change === null) return Promise.resolve({ ok: true });
      if ("ok" in change) return Promise.resolve(change);
      this.apply(change, true);
      this.version += 1;
      return Promise.resolve({ ok: true });
    }
    const next = this.changing.then(async (): Promise<Ack> => {
      for (;;) {
        const change = build();
        if (change === null) return { ok: true };
        if ("ok" in change) return change;
        const version = this.version + 1;
        try {
          await shared.changeRoster(this.boardId, version, change, this.recordsAfter(change));
        } catch (err) {
          if (!(err instanceof PositionTaken) || err.last < version) throw err;
          await this.changes.reach(err.last);
          continue;
        }
        this.changes.take({ version, change, here: true });
        return { ok: true };
      }
    });
    this.changing = next.catch(() => undefined);
    return next;
  }

  /** Cluster mode: who is on the board as the nodes share it in Redis, for a room just loaded. */
  load(records: readonly TabRecord[], version: number): void {
    this.rosterValue = Roster.fromRecords(records);
    this.tabs = new Map(records.map((r) => [r.socketId, r]));
    this.version = version;
  }

  /** Cluster mode: a change made on any node (each is applied once, in order). */
  receive(version: number, change: RosterChange): void {
    this.changes.take({ version, change });
  }

  /** Cluster mode: reads back the changes this node missed. */
  fill(): Promise<void> {
    return this.changes.fill();
  }

  /** Cluster mode: the nodes serving the board's tabs. */
  nodes(): Set<string> {
    return new Set([...this.tabs.values()].map((t) => t.node));
  }

  /** Cluster mode: takes off the board the tabs `which` picks (those of a node that stopped, say): their people leave everyone's lists. */
  drop(which: (tab: TabRecord) => boolean): Promise<Ack> {
    return this.change(() => {
      const socketIds = [...this.tabs.values()].filter(which).map((t) => t.socketId);
      return socketIds.length > 0 ? { type: "leave", socketIds } : null;
    });
  }

  /** The tab records a change sets (the rest it names are deleted): what Redis keeps of the roster. */
  private recordsAfter(change: RosterChange): { set: TabRecord[]; del: string[] } {
    switch (change.type) {
      case "join":
        return { set: [change.tab], del: [] };
      case "leave":
        return { set: [], del: change.socketIds };
      case "state":
        return { set: [{ ...this.tabs.get(change.socketId)!, state: change.state }], del: [] };
      case "role": {
        const ids = new Set(change.userIds);
        return { set: [...this.tabs.values()].filter((t) => ids.has(t.user.id)).map((t) => ({ ...t, user: { ...t.user, role: change.role } })), del: [] };
      }
    }
  }

  /** A change takes effect; this node's tabs hear of what it changed. */
  private apply(change: RosterChange, here: boolean): void {
    const { boardId, events, rosterValue: roster } = this;
    const people = roster.size;
    if (this.shared) for (const record of this.recordsAfter(change).set) this.tabs.set(record.socketId, record);
    switch (change.type) {
      case "join": {
        const { socketId, clientId, user, state } = change.tab;
        const res = roster.place(socketId, clientId, user, state);
        if (res.isNew) events.joined(boardId, res.user, socketId);
        if (res.changed) events.state(boardId, res.user);
        break;
      }
      case "leave":
        for (const socketId of change.socketIds) {
          this.tabs.delete(socketId);
          const res = roster.leave(socketId);
          if (res?.gone) events.left(boardId, res.user, change.socketIds);
          else if (res?.changed) events.state(boardId, res.user, change.socketIds);
        }
        if (change.dismissal) events.dismissed(boardId, change.socketIds, change.dismissal);
        else events.tabsOff(boardId, change.socketIds);
        break;
      case "state": {
        const changed = roster.setActivity(change.socketId, change.state);
        if (changed) events.state(boardId, changed);
        break;
      }
      case "role":
        for (const userId of change.userIds) roster.setRole(userId, change.role);
        break;
    }
    if (here && roster.size !== people) events.counted(boardId);
  }
}
