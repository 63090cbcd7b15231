import type { Redis } from "ioredis";
import { recordOf, type HistoryRecord, type PersistedAccess, type PersistedBoard, type RosterChange, type StoredChat, type TabRecord } from "../../board";
import { LIMITS, type AppliedOp, type Stroke } from "../../protocol";
import { connectRedis } from "../redis/connection";
import { notCreated, PositionTaken, storeClosed, type BoardStore, type SharedStore, type StoredBoard } from "./board-store";
import { strokeChunks } from "./snapshot-chunks";
import { upgradeOp } from "./upgrade";

/**
 * The keys of one board. `{boardId}` is a hash tag: a board's keys share one slot, so each of
 * the scripts below touches one board atomically (and could run on a Redis Cluster shard).
 */
function boardKeys(prefix: string, boardId: string) {
  const k = (name: string) => `${prefix}:{${boardId}}:${name}`;
  return {
    /** HASH: epoch, seq (the last op's), snapSeq, opsBytes, chatId (the last message's), access, viewKey. */
    meta: k("meta"),
    /** STREAM: one entry per op, id `<seq>-0`, field `op`: the op as JSON. */
    ops: k("ops"),
    /** STREAM: the same ids, field `rec`: each op as the history keeps it (no points). */
    hist: k("hist"),
    /** LIST: the snapshot's head (JSON without strokes), then its strokes in chunks. */
    snap: k("snap"),
    /** LIST: the last LIMITS.chatHistory messages, oldest first. */
    chat: k("chat"),
    /** The board's sharded Pub/Sub channel: what was stored, in the order it was (see BoardFeed). */
    feed: k("feed"),
    /** STRING: how many times a board under this id was deleted (see `freshEpoch`); only once one was. */
    generation: k("gen"),
    /** Who is on the board now, across the cluster (never durable: it is rebuilt from live tabs). */
    roster: {
      /** STRING: the roster's version, the number of its last change. */
      version: k("rv"),
      /** HASH: socket id → TabRecord. */
      tabs: k("tabs"),
      /** STREAM: the latest changes, id `<version>-0`, field `c`: for a node that missed some. */
      log: k("rlog"),
    },
  };
}

/** Roster changes kept for nodes that missed some; one further behind loads the roster afresh. */
const ROSTER_LOG_MAX = 1_000;
/** Presence outlives its last change by a day at most: a board's people are rebuilt from live tabs. */
const PRESENCE_TTL_S = 86_400;

/** Errors the scripts answer with, as `error_reply`: the store turns them into its own. */
const NOT_CREATED = "SCRIBBLE_NOT_CREATED";
const TAKEN = "SCRIBBLE_TAKEN";
const VIEW_KEY_TAKEN = "SCRIBBLE_VIEW_KEY_TAKEN";

/**
 * Each script checks the board exists and, for what is numbered, that the number is the next one:
 * two nodes that take the same number for different things cannot both succeed (compare and set;
 * the loser catches up and decides again). Each publishes what it stored on the board's channel,
 * in the same atomic step, so every node hears a board's changes in the order they were made.
 */
const SCRIPTS = {
  create: {
    // ARGV: epoch, board id, then the numbers it starts after: seq, chat id, access version
    keys: 2,
    lua: `
      if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
      redis.call('HSET', KEYS[1], 'epoch', ARGV[1], 'seq', ARGV[3], 'snapSeq', 0, 'opsBytes', 0, 'chatId', ARGV[4], 'accessV', ARGV[5])
      redis.call('ZADD', KEYS[2], 0, ARGV[2])
      return 1`,
  },
  append: {
    keys: 4,
    lua: `
      local seq = redis.call('HGET', KEYS[1], 'seq')
      if not seq then return redis.error_reply('${NOT_CREATED}') end
      if tonumber(seq) + 1 ~= tonumber(ARGV[1]) then return redis.error_reply('${TAKEN} ' .. seq) end
      local id = ARGV[1] .. '-0'
      redis.call('XADD', KEYS[2], id, 'op', ARGV[2])
      redis.call('XADD', KEYS[3], id, 'rec', ARGV[3])
      redis.call('HSET', KEYS[1], 'seq', ARGV[1])
      redis.call('HINCRBY', KEYS[1], 'opsBytes', #ARGV[2])
      redis.call('SPUBLISH', KEYS[4], '{"kind":"op","op":' .. ARGV[2] .. '}')
      return 1`,
  },
  snapshot: {
    // ARGV: seq, history budget, head, chunks...
    keys: 4,
    lua: `
      local snapSeq = redis.call('HGET', KEYS[1], 'snapSeq')
      if not snapSeq then return redis.error_reply('${NOT_CREATED}') end
      local seq = tonumber(ARGV[1])
      -- Two nodes may snapshot a board at once: an older snapshot never replaces a newer one.
      if seq < tonumber(snapSeq) then return 0 end
      redis.call('DEL', KEYS[4])
      redis.call('RPUSH', KEYS[4], unpack(ARGV, 3))
      redis.call('HSET', KEYS[1], 'snapSeq', seq)
      -- A board copied in (a migration) may start from a snapshot: its next op follows it.
      if tonumber(redis.call('HGET', KEYS[1], 'seq')) < seq then redis.call('HSET', KEYS[1], 'seq', seq) end
      -- The oldest ops the snapshot covers go once all of them pass the history's budget.
      local budget = tonumber(ARGV[2])
      local bytes = tonumber(redis.call('HGET', KEYS[1], 'opsBytes'))
      while bytes > budget do
        local oldest = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)[1]
        if not oldest or tonumber(string.match(oldest[1], '^(%d+)')) > seq then break end
        redis.call('XDEL', KEYS[2], oldest[1])
        redis.call('XDEL', KEYS[3], oldest[1])
        bytes = bytes - #oldest[2][2]
      end
      redis.call('HSET', KEYS[1], 'opsBytes', bytes)
      return 1`,
  },
  load: {
    keys: 4,
    lua: `
      local meta = redis.call('HGETALL', KEYS[1])
      if #meta == 0 then return false end
      local snapSeq = redis.call('HGET', KEYS[1], 'snapSeq')
      return { meta, redis.call('XRANGE', KEYS[2], '(' .. snapSeq .. '-0', '+'), redis.call('LRANGE', KEYS[3], 0, -1), redis.call('LRANGE', KEYS[4], 0, -1) }`,
  },
  appendChat: {
    // ARGV: message id, entry, history length
    keys: 3,
    lua: `
      local last = redis.call('HGET', KEYS[1], 'chatId')
      if not last then return redis.error_reply('${NOT_CREATED}') end
      if tonumber(last) + 1 ~= tonumber(ARGV[1]) then return redis.error_reply('${TAKEN} ' .. last) end
      redis.call('RPUSH', KEYS[2], ARGV[2])
      redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1)
      redis.call('HSET', KEYS[1], 'chatId', ARGV[1])
      redis.call('SPUBLISH', KEYS[3], '{"kind":"chat","chat":' .. ARGV[2] .. '}')
      return 1`,
  },
  saveAccess: {
    // KEYS: meta, view keys, listed, feed. ARGV: board id, access, view key, listed (1/0), version ('' when not counted)
    keys: 4,
    lua: `
      if redis.call('EXISTS', KEYS[1]) == 0 then return redis.error_reply('${NOT_CREATED}') end
      local last = tonumber(redis.call('HGET', KEYS[1], 'accessV') or '0')
      if ARGV[5] ~= '' then
        if last + 1 ~= tonumber(ARGV[5]) then return redis.error_reply('${TAKEN} ' .. last) end
        redis.call('HSET', KEYS[1], 'accessV', ARGV[5])
      end
      local holder = redis.call('HGET', KEYS[2], ARGV[3])
      if holder and holder ~= ARGV[1] then return redis.error_reply('${VIEW_KEY_TAKEN}') end
      local old = redis.call('HGET', KEYS[1], 'viewKey')
      if old and old ~= ARGV[3] then redis.call('HDEL', KEYS[2], old) end
      redis.call('HSET', KEYS[2], ARGV[3], ARGV[1])
      redis.call('HSET', KEYS[1], 'access', ARGV[2], 'viewKey', ARGV[3])
      if ARGV[4] == '1' then redis.call('ZADD', KEYS[3], 0, ARGV[1]) else redis.call('ZREM', KEYS[3], ARGV[1]) end
      redis.call('SPUBLISH', KEYS[4], '{"kind":"access","access":' .. ARGV[2] .. '}')
      return 1`,
  },
  changeRoster: {
    // KEYS: version, tabs, log, feed. ARGV: version, change, ms an empty roster's version is kept,
    // count of records set, then socket id and record for each, then socket ids deleted
    keys: 4,
    lua: `
      local last = tonumber(redis.call('GET', KEYS[1]) or '0')
      if last + 1 ~= tonumber(ARGV[1]) then return redis.error_reply('${TAKEN} ' .. last) end
      local sets = tonumber(ARGV[4])
      for i = 0, sets - 1 do redis.call('HSET', KEYS[2], ARGV[5 + 2 * i], ARGV[6 + 2 * i]) end
      for i = 5 + 2 * sets, #ARGV do redis.call('HDEL', KEYS[2], ARGV[i]) end
      if redis.call('EXISTS', KEYS[2]) == 1 then
        redis.call('SET', KEYS[1], ARGV[1], 'EX', ${PRESENCE_TTL_S})
        redis.call('EXPIRE', KEYS[2], ${PRESENCE_TTL_S})
        redis.call('XADD', KEYS[3], 'MAXLEN', '~', ${ROSTER_LOG_MAX}, ARGV[1] .. '-0', 'c', ARGV[2])
        redis.call('EXPIRE', KEYS[3], ${PRESENCE_TTL_S})
      else
        -- Nobody left: the version outlives the nodes' memory of the board, and nothing else stays.
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
        redis.call('DEL', KEYS[3])
      end
      redis.call('SPUBLISH', KEYS[4], '{"kind":"roster","version":' .. ARGV[1] .. ',"change":' .. ARGV[2] .. '}')
      return 1`,
  },
  deleteBoard: {
    // KEYS: meta, ops, hist, snap, chat, view keys, listed, boards, feed, generation. ARGV: board id
    keys: 10,
    lua: `
      local viewKey = redis.call('HGET', KEYS[1], 'viewKey')
      if viewKey then redis.call('HDEL', KEYS[6], viewKey) end
      redis.call('ZREM', KEYS[7], ARGV[1])
      redis.call('ZREM', KEYS[8], ARGV[1])
      local existed = redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])
      if existed > 0 then
        redis.call('INCR', KEYS[10])
        redis.call('SPUBLISH', KEYS[9], '{"kind":"deleted"}')
      end
      return existed`,
  },
} as const;

type ScriptName = keyof typeof SCRIPTS;

/**
 * Boards in Redis: the store of cluster mode, which every node shares (see docs/DEPLOY.md). A
 * board's ops are numbered by its nodes and checked here: `append` stores op `seq` only if the
 * board's last op is `seq - 1`, else it rejects with `PositionTaken` (another node stored that
 * seq first), so that ops taken on different nodes get one gap-free order. Chat messages are
 * numbered the same way. Acked means what Redis's persistence makes it: with `appendonly yes`
 * and `appendfsync always`, on disk.
 */
export class RedisStore implements BoardStore, SharedStore {
  readonly kind = "redis";
  private readonly redis: Redis;
  private closing: Promise<void> | null = null;
  private readonly global;

  constructor(
    url: string,
    readonly prefix = "scribble",
    private readonly historyBytes: number = LIMITS.historyBytesMax,
    /**
     * How long an empty board's roster version is kept: longer than any node keeps a board nobody
     * is on in memory (BOARD_IDLE_MS), so that none holds a version Redis has forgotten. Nothing
     * else of a board only looked at stays in Redis.
     */
    private readonly emptyRosterMs = 360_000,
  ) {
    this.redis = connectRedis(url);
    // Logged by whoever uses the store, once per failing call: not here on every reconnect.
    this.redis.on("error", () => undefined);
    for (const [name, { keys, lua }] of Object.entries(SCRIPTS)) this.redis.defineCommand(name, { numberOfKeys: keys, lua });
    this.global = { viewKeys: `${prefix}:viewkeys`, listed: `${prefix}:listed`, boards: `${prefix}:boards` };
  }

  /** The channel on which a board's stored changes are published (see BoardFeed). */
  feedChannel(boardId: string): string {
    return boardKeys(this.prefix, boardId).feed;
  }

  async load(boardId: string): Promise<StoredBoard | null> {
    const k = boardKeys(this.prefix, boardId);
    const res = (await this.run("load", [k.meta, k.ops, k.snap, k.chat])) as [string[], [string, string[]][], string[], string[]] | null;
    if (!res) return null;
    const [metaList, opEntries, snap, chat] = res;
    const meta = pairs(metaList);
    return {
      epoch: meta.epoch!,
      snapshot: snap.length > 0 ? snapshotOf(snap) : null,
      ops: opEntries.map(([, fields]) => JSON.parse(fields[1]!) as AppliedOp),
      chat: chat.map((entry) => JSON.parse(entry) as StoredChat),
      access: meta.access ? (JSON.parse(meta.access) as PersistedAccess) : null,
    };
  }

  /**
   * Records a new board. A board copied in from elsewhere (`npm run migrate`) keeps its own
   * numbers: its first op, chat message and access version here follow `after`'s.
   */
  async create(boardId: string, epoch: string, after: { seq?: number; chatId?: number; accessVersion?: number } = {}): Promise<void> {
    const { seq = 0, chatId = 0, accessVersion = 0 } = after;
    await this.run("create", [boardKeys(this.prefix, boardId).meta, this.global.boards], [epoch, boardId, seq, chatId, accessVersion]);
  }

  async append(boardId: string, op: AppliedOp): Promise<void> {
    const k = boardKeys(this.prefix, boardId);
    await this.run("append", [k.meta, k.ops, k.hist, k.feed], [op.seq, JSON.stringify(op), JSON.stringify(recordOf(upgradeOp(op)))], boardId);
  }

  async saveSnapshot(boardId: string, snapshot: PersistedBoard): Promise<void> {
    const k = boardKeys(this.prefix, boardId);
    const { strokes, ...head } = snapshot;
    await this.run("snapshot", [k.meta, k.ops, k.hist, k.snap], [snapshot.seq, this.historyBytes, JSON.stringify(head), ...strokeChunks(strokes)], boardId);
  }

  async historyOf(boardId: string, limit: number): Promise<HistoryRecord[]> {
    this.checkOpen();
    const entries = await this.redis.xrevrange(boardKeys(this.prefix, boardId).hist, "+", "-", "COUNT", limit);
    return entries.reverse().map(([, fields]) => JSON.parse(fields[1]!) as HistoryRecord);
  }

  /** Ops after `seq`, up to `limit`: what a node that missed some (its feed dropped them) reads back. */
  async opsAfter(boardId: string, seq: number, limit = 1_000): Promise<AppliedOp[]> {
    this.checkOpen();
    const entries = await this.redis.xrange(boardKeys(this.prefix, boardId).ops, `(${seq}-0`, "+", "COUNT", limit);
    return entries.map(([, fields]) => JSON.parse(fields[1]!) as AppliedOp);
  }

  /** Chat messages after `id` that the store still keeps (the last LIMITS.chatHistory). */
  async chatAfter(boardId: string, id: number): Promise<StoredChat[]> {
    this.checkOpen();
    const kept = await this.redis.lrange(boardKeys(this.prefix, boardId).chat, 0, -1);
    return kept.map((entry) => JSON.parse(entry) as StoredChat).filter((c) => c.message.id > id);
  }

  async changeRoster(boardId: string, version: number, change: RosterChange, records: { set: TabRecord[]; del: string[] }): Promise<void> {
    const k = boardKeys(this.prefix, boardId);
    const sets = records.set.flatMap((r) => [r.socketId, JSON.stringify(r)]);
    await this.run("changeRoster", [k.roster.version, k.roster.tabs, k.roster.log, k.feed], [version, JSON.stringify(change), this.emptyRosterMs, records.set.length, ...sets, ...records.del]);
  }

  /** Who is on the board across the cluster: each tab's record, and the roster's version. */
  async rosterOf(boardId: string): Promise<{ version: number; records: TabRecord[] }> {
    this.checkOpen();
    const k = boardKeys(this.prefix, boardId).roster;
    const [[, version], [, tabs]] = (await this.redis.multi().get(k.version).hvals(k.tabs).exec()) as [[unknown, string | null], [unknown, string[]]];
    return { version: Number(version ?? 0), records: tabs.map((json) => JSON.parse(json) as TabRecord) };
  }

  async rosterAfter(boardId: string, version: number): Promise<{ version: number; change: RosterChange }[]> {
    this.checkOpen();
    const entries = await this.redis.xrange(boardKeys(this.prefix, boardId).roster.log, `(${version}-0`, "+", "COUNT", ROSTER_LOG_MAX);
    const changes = entries.map(([id, fields]) => ({ version: Number(id.split("-")[0]), change: JSON.parse(fields[1]!) as RosterChange }));
    if (changes.length > 0 && changes[0]!.version !== version + 1) throw new Error(`board ${boardId}: the roster's log no longer reaches back to version ${version}`);
    return changes;
  }

  /** The board's access as stored, or null for none. */
  async accessOf(boardId: string): Promise<PersistedAccess | null> {
    this.checkOpen();
    const json = await this.redis.hget(boardKeys(this.prefix, boardId).meta, "access");
    return json ? (JSON.parse(json) as PersistedAccess) : null;
  }

  /**
   * The epoch every node gives a board not stored yet, written nowhere (a board only looked at
   * leaves nothing in Redis): the same on every node until a board under this id is deleted, so
   * that a tab that knew the deleted board starts over on the new one.
   */
  async freshEpoch(boardId: string): Promise<string> {
    this.checkOpen();
    return `fresh-${(await this.redis.get(boardKeys(this.prefix, boardId).generation)) ?? 0}`;
  }

  async renewEpoch(boardId: string, epoch: string): Promise<void> {
    this.checkOpen();
    const meta = boardKeys(this.prefix, boardId).meta;
    // Only a board that exists: HSET alone would make a meta hash with nothing else in it.
    await this.redis.eval(`if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'epoch', ARGV[1]) end`, 1, meta, epoch);
  }

  /** The board's epoch, or null for a board never created. */
  async epochOf(boardId: string): Promise<string | null> {
    this.checkOpen();
    return this.redis.hget(boardKeys(this.prefix, boardId).meta, "epoch");
  }

  async appendChat(boardId: string, chat: StoredChat): Promise<void> {
    const k = boardKeys(this.prefix, boardId);
    await this.run("appendChat", [k.meta, k.chat, k.feed], [chat.message.id, JSON.stringify(chat), LIMITS.chatHistory], boardId);
  }

  async saveAccess(boardId: string, access: PersistedAccess): Promise<void> {
    const k = boardKeys(this.prefix, boardId);
    await this.run(
      "saveAccess",
      [k.meta, this.global.viewKeys, this.global.listed, k.feed],
      [boardId, JSON.stringify(access), access.viewKey, access.settings.listed ? 1 : 0, access.version ?? ""],
      boardId,
    );
  }

  async findByViewKey(viewKey: string): Promise<string | null> {
    this.checkOpen();
    return this.redis.hget(this.global.viewKeys, viewKey);
  }

  async deleteBoard(boardId: string): Promise<void> {
    const k = boardKeys(this.prefix, boardId);
    const { viewKeys, listed, boards } = this.global;
    await this.run("deleteBoard", [k.meta, k.ops, k.hist, k.snap, k.chat, viewKeys, listed, boards, k.feed, k.generation], [boardId]);
  }

  async listedBoards(limit: number): Promise<string[]> {
    this.checkOpen();
    // Every member has score 0: ZRANGE orders them by id.
    return limit > 0 ? this.redis.zrange(this.global.listed, 0, limit - 1) : [];
  }

  /** Every board stored, by id, `count` at a time from `cursor` (0 to start; 0 back when done). */
  async boardIds(cursor: number, count: number): Promise<{ ids: string[]; cursor: number }> {
    this.checkOpen();
    const [next, flat] = await this.redis.zscan(this.global.boards, cursor, "COUNT", count);
    return { ids: flat.filter((_, i) => i % 2 === 0), cursor: Number(next) };
  }

  /** QUIT waits for the replies to every command sent before it: the writes in flight finish. */
  close(): Promise<void> {
    this.closing ??= this.redis.quit().then(
      () => undefined,
      () => this.redis.disconnect(),
    );
    return this.closing;
  }

  private checkOpen(): void {
    if (this.closing) throw storeClosed();
  }

  /** Runs a script, turning its error replies into the store's errors. */
  private async run(name: ScriptName, keys: string[], args: (string | number)[] = [], boardId?: string): Promise<unknown> {
    this.checkOpen();
    const command = (this.redis as unknown as Record<ScriptName, (...a: (string | number)[]) => Promise<unknown>>)[name];
    try {
      return await command.call(this.redis, ...keys, ...args);
    } catch (err) {
      // Redis puts "ERR " before a script's error reply.
      const message = err instanceof Error ? err.message.replace(/^ERR /, "") : String(err);
      if (message === NOT_CREATED) throw notCreated(boardId ?? "?");
      if (message.startsWith(`${TAKEN} `)) throw new PositionTaken(Number(message.slice(TAKEN.length + 1)));
      if (message === VIEW_KEY_TAKEN) throw new Error("that view key is another board's");
      throw err;
    }
  }
}

/** HGETALL's flat list as an object. */
function pairs(flat: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}

/** A snapshot from its head and chunks. */
function snapshotOf([head, ...chunks]: string[]): PersistedBoard {
  const strokes: Stroke[] = [];
  for (const chunk of chunks) for (const stroke of JSON.parse(chunk) as Stroke[]) strokes.push(stroke);
  return { ...(JSON.parse(head!) as Omit<PersistedBoard, "strokes">), strokes };
}
