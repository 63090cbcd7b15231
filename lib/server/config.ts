import { hostname } from "node:os";
import { hostPattern } from "./host-names";
import { LIMITS } from "../protocol";
import { isRedisUrl } from "./redis/connection";
import { LOG_LEVELS, type LogLevel } from "./log";
import { SQLITE_SYNCHRONOUS_MODES, STORAGE_KINDS, type SqliteSynchronous, type StorageKind } from "./storage";

export interface Config {
  port: number;
  host: string;
  dev: boolean;
  logLevel: LogLevel;
  /** Socket.IO heartbeat: a silent (crashed) tab is dropped after about interval + timeout. */
  pingIntervalMs: number;
  pingTimeoutMs: number;
  maxHttpBufferSize: number;
  /** Bytes the server may have queued for one connection that is not reading; past this it is closed. */
  outboundMaxBytes: number;
  /**
   * Bytes the server may have queued for all connections together; past this the connection adding
   * to it is closed if it is not keeping up, else the one with the largest queue.
   */
  outboundTotalMaxBytes: number;
  /** How long a connection may have something queued and take no message of it before it is closed. */
  outboundStallMs: number;
  /** The lobby's board list is sent at most once per this many ms. */
  lobbyThrottleMs: number;
  /** How long a graceful shutdown may take before the remaining connections are cut. */
  shutdownGraceMs: number;
  /** A TCP connection that makes no request, or a transport that joins no namespace, within this long is closed. */
  connectTimeoutMs: number;
  /** Cursor batches go out at most once per this many ms per board. */
  cursorTickMs: number;
  /** `coalesce`: one batch per tick per member; `relay`: every update to every peer (for comparison). */
  cursorMode: CursorMode;
  /** Chat messages one person may send at once, and the rate the allowance refills. */
  chatBurst: number;
  chatPerSecond: number;
  /** `sqlite` (a file under dataDir), `memory` (gone at exit), or `redis` (cluster mode: set by REDIS_URL). */
  storage: StorageKind;
  /** Cluster mode: the Redis every node shares (see docs/DEPLOY.md); unset, one process serves everything. */
  redisUrl?: string;
  /** What every Redis key and channel of this deployment starts with. */
  redisPrefix: string;
  /** This node's name in a cluster: the connection badge shows it, logs and /healthz say it. */
  nodeId: string;
  /**
   * Cluster mode: a node that has not said it is alive for this long is taken for dead, and its
   * people leave every board (it says so three times as often). Below the ping timeout, so that
   * its people are gone before their tabs would notice it themselves.
   */
  nodeTimeoutMs: number;
  dataDir: string;
  /** `normal` survives a killed process; `full` also a power cut, at some write speed. */
  sqliteSynchronous: SqliteSynchronous;
  /** A board's full state is stored once per this many ops, so opening it replays a short tail. */
  snapshotEvery: number;
  /**
   * What a board's kept ops (its history) may take as JSON before snapshots let the oldest go:
   * less in cluster mode, where Redis keeps them in memory.
   */
  historyBytes: number;
  /** A board nobody is on leaves memory after this long (it stays stored). */
  boardIdleMs: number;
  /** Bytes one connection may send per second, whatever it sends (four seconds' worth at once). */
  inboundBytesPerSecond: number;
  /** People one board admits at once; the next is refused with TOO_MANY_PEOPLE. */
  maxPeoplePerBoard: number;
  /** Tabs one person may have open on one board. */
  maxTabsPerPerson: number;
  /** Ops one connection may send per second (twice that at once); more get RATE_LIMITED. */
  opsPerSecond: number;
  /**
   * Bytes of ops (what they add to storage) one client address may send per second, shared by
   * all its connections, and how many at once; more get RATE_LIMITED.
   */
  writeBytesPerSecond: number;
  writeBytesBurst: number;
  /** What one board's strokes, erased ones included, may take as JSON; a stroke beyond gets BOARD_FULL. */
  boardMaxBytes: number;
  /** Joins one connection may make per minute; more get RATE_LIMITED. */
  joinsPerMinute: number;
  maxConnectionsPerIp: number;
  /** Origins besides the server's own that browsers may connect from (`ALLOWED_ORIGINS`, comma-separated). */
  allowedOrigins: string[];
  /** Take the client address from X-Forwarded-For (set when behind a reverse proxy). */
  trustProxy: boolean;
  /**
   * Host names, besides this machine's, HOST and those of ALLOWED_ORIGINS, that requests may be
   * addressed to (`ALLOWED_HOSTS`, comma-separated, `*.domain` for any name under it).
   */
  allowedHosts: string[];
  /** A secret that shows /healthz's details to other machines (`Authorization: Bearer`); empty: loopback only. */
  healthToken: string;
  /** The secret that opens the `/admin` namespace and page; empty: /admin refuses everyone. */
  adminToken: string;
}

export const CURSOR_MODES = ["coalesce", "relay"] as const;
export type CursorMode = (typeof CURSOR_MODES)[number];

type Env = Record<string, string | undefined>;

/** A board's history in Redis (cluster mode): RAM, not disk, so an eighth of what a file keeps. */
const REDIS_HISTORY_BYTES = 32_000_000;

/** Reads the configuration from the environment; every setting has an embedded default. */
export function loadConfig(env: Env = process.env, argv: readonly string[] = process.argv): Config {
  const logLevel = oneOf(env, "LOG_LEVEL", LOG_LEVELS, "info");
  const cursorMode = oneOf(env, "CURSOR_MODE", CURSOR_MODES, "coalesce");
  const redisUrl = env.REDIS_URL || undefined;
  if (redisUrl !== undefined && !isRedisUrl(redisUrl)) throw new Error("REDIS_URL must be redis://host:port, rediss://host:port or unix:///path/to/redis.sock");
  // REDIS_URL switches cluster mode on: every node keeps its boards in that Redis.
  const storage = oneOf(env, "STORAGE", STORAGE_KINDS, redisUrl ? "redis" : "sqlite");
  if ((storage === "redis") !== (redisUrl !== undefined)) throw new Error("STORAGE=redis goes with REDIS_URL (cluster mode), and only with it");
  const redisPrefix = env.REDIS_PREFIX || "scribble";
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(redisPrefix)) throw new Error("REDIS_PREFIX may hold only letters, digits, '_', '.' and '-' (at most 64)");
  const nodeId = env.NODE_ID || hostname();
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(nodeId)) throw new Error("NODE_ID may hold only letters, digits, '_', '.' and '-' (at most 64)");
  const sqliteSynchronous = oneOf(env, "SQLITE_SYNCHRONOUS", SQLITE_SYNCHRONOUS_MODES, "normal");
  return {
    port: int(env, "PORT", 3000, 0, 65535),
    host: env.HOST || "localhost",
    dev: argv.includes("--dev"),
    logLevel,
    pingIntervalMs: int(env, "PING_INTERVAL_MS", 10_000, 100, 600_000),
    pingTimeoutMs: int(env, "PING_TIMEOUT_MS", 5_000, 100, 600_000),
    maxHttpBufferSize: int(env, "MAX_HTTP_BUFFER_SIZE", 1_000_000, 1_024, 100_000_000),
    outboundMaxBytes: int(env, "OUTBOUND_MAX_BYTES", 4_000_000, 100_000, 1_000_000_000),
    outboundTotalMaxBytes: int(env, "OUTBOUND_TOTAL_MAX_BYTES", 256_000_000, 1_000_000, 100_000_000_000),
    outboundStallMs: int(env, "OUTBOUND_STALL_MS", 30_000, 100, 3_600_000),
    lobbyThrottleMs: int(env, "LOBBY_THROTTLE_MS", 250, 0, 60_000),
    shutdownGraceMs: int(env, "SHUTDOWN_GRACE_MS", 4_000, 0, 60_000),
    connectTimeoutMs: int(env, "CONNECT_TIMEOUT_MS", 10_000, 100, 600_000),
    cursorTickMs: int(env, "CURSOR_TICK_MS", 33, 5, 1_000),
    cursorMode,
    chatBurst: int(env, "CHAT_BURST", 5, 1, 1_000),
    chatPerSecond: int(env, "CHAT_PER_SECOND", 1, 1, 1_000),
    storage,
    redisUrl,
    redisPrefix,
    nodeId,
    nodeTimeoutMs: int(env, "NODE_TIMEOUT_MS", 9_000, 300, 600_000),
    dataDir: env.DATA_DIR || "./data",
    sqliteSynchronous,
    snapshotEvery: int(env, "SNAPSHOT_EVERY", 500, 1, 1_000_000),
    historyBytes: int(env, "HISTORY_BYTES", storage === "redis" ? REDIS_HISTORY_BYTES : LIMITS.historyBytesMax, 1_000_000, 10_000_000_000),
    boardIdleMs: int(env, "BOARD_IDLE_MS", 300_000, 0, 86_400_000),
    inboundBytesPerSecond: int(env, "INBOUND_BYTES_PER_SECOND", 1_000_000, 1_000, 1_000_000_000),
    maxPeoplePerBoard: int(env, "MAX_PEOPLE_PER_BOARD", 200, 1, 10_000),
    maxTabsPerPerson: int(env, "MAX_TABS_PER_PERSON", 10, 1, 1_000),
    opsPerSecond: int(env, "OPS_PER_SECOND", 60, 1, 100_000),
    writeBytesPerSecond: int(env, "WRITE_BYTES_PER_SECOND", 1_000_000, 1_000, 1_000_000_000),
    writeBytesBurst: int(env, "WRITE_BYTES_BURST", 4_000_000, 1_000, 1_000_000_000),
    // 20,000 hand-drawn strokes (4-5 KB of JSON each) with room to spare.
    boardMaxBytes: int(env, "BOARD_MAX_BYTES", 120_000_000, 10_000, 1_000_000_000),
    joinsPerMinute: int(env, "JOINS_PER_MINUTE", 30, 1, 100_000),
    maxConnectionsPerIp: int(env, "MAX_CONNECTIONS_PER_IP", 200, 1, 1_000_000),
    allowedOrigins: (env.ALLOWED_ORIGINS ?? "")
      .split(",")
      .map((o) => o.trim().replace(/\/$/, ""))
      .filter(Boolean),
    trustProxy: env.TRUST_PROXY === "1" || env.TRUST_PROXY === "true",
    allowedHosts: (env.ALLOWED_HOSTS ?? "")
      .split(",")
      .filter((h) => h.trim())
      .map(allowedHost),
    healthToken: secret("HEALTH_TOKEN", env.HEALTH_TOKEN ?? ""),
    adminToken: secret("ADMIN_TOKEN", env.ADMIN_TOKEN ?? ""),
  };
}

function allowedHost(entry: string): string {
  const pattern = hostPattern(entry);
  if (!pattern) throw new Error(`ALLOWED_HOSTS must list host names or *.domain (no scheme, port or path), not "${entry.trim()}"`);
  return pattern;
}

/** Never quoted in the error: it is a secret. */
function secret(key: string, token: string): string {
  if (token && token.length < 16) throw new Error(`${key} must be at least 16 characters long`);
  return token;
}

function oneOf<T extends string>(env: Env, key: string, allowed: readonly T[], fallback: T): T {
  const value = (env[key] || fallback) as T;
  if (!allowed.includes(value)) throw new Error(`${key} must be one of ${allowed.join(", ")}, not "${env[key]}"`);
  return value;
}

function int(env: Env, key: string, fallback: number, min: number, max: number): number {
  const raw = env[key];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new Error(`${key} must be an integer from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}
