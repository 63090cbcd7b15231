/**
 * Copies every board of a single node's SQLite file into the Redis of a cluster, so that a
 * deployment can move from one node to several (docs/DEPLOY.md, "Moving from one node"):
 *   npm run migrate -- --data ./data --redis redis://10.0.0.5:6379 [--prefix scribble]
 *
 * Each board goes through the stores themselves: loaded from SqliteStore, written with
 * RedisStore's own calls (create, append, saveSnapshot, appendChat, saveAccess), so that Redis
 * holds it as a node would have stored it. Its whole op log is copied, the history before the
 * snapshot included, then the snapshot at its place in the log, the chat the file keeps, and
 * its access (owners, roles, removals, settings, view-only link, listing).
 */
import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import type { Redis } from "ioredis";
import type { AppliedOp } from "../lib/protocol";
import { loadConfig } from "../lib/server/config";
import { connectRedis, isRedisUrl } from "../lib/server/redis/connection";
import { databaseFile, RedisStore, SqliteStore, type StoredBoard } from "../lib/server/storage";

const HELP = `Usage: npm run migrate -- --redis <url> [options]

Copies every board of a single Scribble node (its SQLite file, DATA_DIR/scribble.db) into the
Redis that a cluster's nodes share: strokes, snapshots and history, chat, owners, roles,
removals, settings and view-only links.

Stop the Scribble server first: a change it takes while the copy runs would not be copied.
Back the file up first (npm run backup -- <file>); boards are only read from it.

A board Redis has already is never overwritten: it is named, left as it is, and the run
exits with status 1 at the end (unless --skip-existing).

  --data <dir>        the node's DATA_DIR (default $DATA_DIR, else ./data)
  --redis <url>       redis://[user:password@]host:port[/db], rediss://... or
                      unix:///path/to/redis.sock (default $REDIS_URL)
  --prefix <name>     the REDIS_PREFIX the nodes will run with (default $REDIS_PREFIX,
                      else scribble)
  --skip-existing     boards Redis has already are skipped without failing the run
  --help              this text`;

/** Ops read from the file, and sent to Redis without waiting for each answer, at once. */
const OPS_PAGE = 1_000;
const PROGRESS_EVERY_MS = 5_000;
const PREFIX = /^[A-Za-z0-9_.-]{1,64}$/;

function usage(message: string): never {
  console.error(`${message}\n\n${HELP}`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    data: { type: "string" },
    redis: { type: "string" },
    prefix: { type: "string" },
    "skip-existing": { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}

let defaults: { dataDir: string; redisUrl?: string; redisPrefix: string };
try {
  defaults = loadConfig();
} catch (err) {
  usage(`The environment is not valid: ${(err as Error).message}`);
}
const dataDir = values.data ?? defaults.dataDir;
const url = values.redis ?? defaults.redisUrl;
const prefix = values.prefix ?? defaults.redisPrefix;
const skipExisting = values["skip-existing"];
if (!url) usage("Name the Redis to copy to: --redis <url> (or REDIS_URL).");
if (!isRedisUrl(url)) usage(`--redis must be redis://host:port, rediss://host:port or unix:///path/to/redis.sock, not "${redact(url)}"`);
if (!PREFIX.test(prefix)) usage("--prefix may hold only letters, digits, '_', '.' and '-' (at most 64)");
const file = databaseFile(dataDir);
if (!existsSync(file)) usage(`There is no board database at ${file}: point --data at the node's DATA_DIR.`);

/** The URL as it may be printed: without its password. */
function redact(raw: string): string {
  try {
    const parsed = new URL(raw);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return raw.replace(/\/\/[^@/]*@/, "//***@");
  }
}

/**
 * Boards this tool has begun and not finished copying, kept in Redis: a run that was cut off
 * (Ctrl+C, a lost connection) leaves the board it was on half-copied, and the next run deletes
 * it and copies it again instead of taking it for a board Redis had.
 */
const partialKey = `${prefix}:migrate:partial`;

const started = performance.now();
const sqlite = new SqliteStore(file);
const redis = new RedisStore(url, prefix);
const raw: Redis = connectRedis(url);
/** What the connection last failed with: ioredis's own error for a command says only that it gave up. */
let connectionError = "";
raw.on("error", (err: Error) => (connectionError = err.message));

let status = 0;
try {
  await checkRedis();
  await finishInterrupted();
  status = await migrate();
} catch (err) {
  console.error(`The migration stopped: ${(err as Error).message}`);
  status = 1;
} finally {
  await Promise.allSettled([redis.close(), sqlite.close(), raw.quit()]);
}
process.exit(status);

async function checkRedis(): Promise<void> {
  let info: string;
  try {
    info = await raw.info("server");
  } catch (err) {
    throw new Error(`cannot reach Redis at ${redact(url!)}: ${connectionError || (err as Error).message}`);
  }
  const version = /redis_version:(\d+)\.(\d+)/.exec(info);
  if (version && Number(version[1]) < 7) throw new Error(`Redis ${version[1]}.${version[2]} is too old: cluster mode needs Redis 7.0 or newer (sharded Pub/Sub)`);
  try {
    const [, appendonly] = (await raw.config("GET", "appendonly")) as [string, string];
    if (appendonly === "no") console.warn(`Warning: this Redis keeps no append-only file (appendonly no): what is copied would not survive its restart. See docs/DEPLOY.md.`);
  } catch {
    // CONFIG is often disabled on a managed Redis: nothing to say then.
  }
}

async function finishInterrupted(): Promise<void> {
  for (const boardId of await raw.smembers(partialKey)) {
    console.log(`Board ${boardId} was half-copied by a run that was cut off: deleting it from Redis to copy it again.`);
    await redis.deleteBoard(boardId);
    await raw.srem(partialKey, boardId);
  }
}

async function migrate(): Promise<number> {
  const ids = await sqlite.boardIds();
  console.log(`Copying ${ids.length} board${ids.length === 1 ? "" : "s"} from ${file} to ${redact(url!)} under the prefix "${prefix}"...`);
  const totals = { boards: 0, ops: 0, messages: 0 };
  const existing: string[] = [];
  const failed: string[] = [];
  let reported = performance.now();
  for (const [i, boardId] of ids.entries()) {
    try {
      const copied = await copyBoard(boardId);
      if (copied === "exists") {
        existing.push(boardId);
        console.log(`Board ${boardId}: Redis has a board under this id already; left as it is, not copied.`);
      } else {
        totals.boards += 1;
        totals.ops += copied.ops;
        totals.messages += copied.messages;
      }
    } catch (err) {
      failed.push(boardId);
      console.error(`Board ${boardId} was not copied: ${(err as Error).message}`);
      if (raw.status !== "ready") throw new Error(`the connection to Redis was lost after ${totals.boards} boards were copied; run again to copy the rest`);
    }
    if (performance.now() - reported > PROGRESS_EVERY_MS) {
      reported = performance.now();
      console.log(`... ${i + 1} of ${ids.length} boards`);
    }
  }

  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`Copied ${totals.boards} board${totals.boards === 1 ? "" : "s"} (${totals.ops} ops, ${totals.messages} chat messages) in ${seconds} s.`);
  if (existing.length > 0) {
    console.log(`Skipped ${existing.length} board${existing.length === 1 ? "" : "s"} Redis has already: ${existing.join(", ")}.`);
    if (!skipExisting) console.log("Nothing was overwritten. To copy them, delete them from the cluster first (the admin view's Delete) and run again; --skip-existing keeps Redis's and exits 0.");
  }
  if (failed.length > 0) console.error(`Failed: ${failed.join(", ")} (see above). Run again to copy them.`);
  return failed.length > 0 || (existing.length > 0 && !skipExisting) ? 1 : 0;
}

async function copyBoard(boardId: string): Promise<{ ops: number; messages: number } | "exists"> {
  const stored = await sqlite.load(boardId);
  if (!stored) throw new Error("it left the SQLite file while it was copied: is the server running?");
  if ((await redis.epochOf(boardId)) !== null) return "exists";
  await raw.sadd(partialKey, boardId);
  try {
    // The file's numbers go on: its history, its kept chat and its access record need not start at 1.
    const [first] = await sqlite.opsAfter(boardId, 0, 1);
    await redis.create(boardId, stored.epoch, {
      seq: first ? first.seq - 1 : (stored.snapshot?.seq ?? 0),
      chatId: (stored.chat[0]?.message.id ?? 1) - 1,
      accessVersion: (stored.access?.version ?? 1) - 1,
    });
    // `create` leaves a board that is there alone: one made meanwhile is not this run's.
    if ((await redis.epochOf(boardId)) !== stored.epoch) {
      await raw.srem(partialKey, boardId);
      return "exists";
    }
    const ops = await copyOps(boardId, stored);
    const messages = await copyChat(boardId, stored);
    if (stored.access) await redis.saveAccess(boardId, stored.access);
    await raw.srem(partialKey, boardId);
    return { ops, messages };
  } catch (err) {
    const undone = await redis.deleteBoard(boardId).then(
      () => raw.srem(partialKey, boardId).then(() => true),
      () => false,
    );
    const what = undone ? "nothing of it is left in Redis" : "what Redis has of it is deleted by the next run";
    throw new Error(`${(err as Error).message} (${what})`);
  }
}

/**
 * The board's whole op log, oldest first, each op appended as the next; the snapshot is saved
 * where it stands in the log (after its own seq, before the ops that follow it), so that Redis
 * keeps the same history the file does and opens the board from the same snapshot.
 */
async function copyOps(boardId: string, stored: StoredBoard): Promise<number> {
  const { snapshot } = stored;
  const snapSeq = snapshot?.seq ?? 0;
  let snapshotSaved = snapshot === null;
  let copied = 0;
  let afterSnapshot = 0;
  const saveSnapshot = async () => {
    await redis.saveSnapshot(boardId, snapshot!);
    snapshotSaved = true;
  };
  for (let from = 0; ; ) {
    const page: AppliedOp[] = await sqlite.opsAfter(boardId, from, OPS_PAGE);
    if (page.length === 0) break;
    // One connection answers in order: the page's ops go out together, each still checked as the next.
    const writes: Promise<void>[] = [];
    const settle = () => Promise.all(writes.splice(0));
    for (const op of page) {
      if (!snapshotSaved && op.seq > snapSeq) {
        await settle();
        await saveSnapshot();
      }
      writes.push(redis.append(boardId, op));
      copied += 1;
      if (op.seq > snapSeq) afterSnapshot += 1;
    }
    await settle();
    from = page.at(-1)!.seq;
  }
  if (!snapshotSaved) await saveSnapshot();
  if (afterSnapshot !== stored.ops.length) throw new Error("its ops changed while it was copied: is the server running?");
  return copied;
}

/** The chat messages the file keeps (its last 200), under their own ids. */
async function copyChat(boardId: string, stored: StoredBoard): Promise<number> {
  await Promise.all(stored.chat.map((chat) => redis.appendChat(boardId, chat)));
  return stored.chat.length;
}
