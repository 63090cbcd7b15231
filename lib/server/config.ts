import { LOG_LEVELS, type LogLevel } from "./log";
import { STORAGE_KINDS, type StorageKind } from "./storage";

export interface Config {
  port: number;
  host: string;
  dev: boolean;
  logLevel: LogLevel;
  /** Socket.IO heartbeat: a silent (crashed) tab is dropped after about interval + timeout. */
  pingIntervalMs: number;
  pingTimeoutMs: number;
  maxHttpBufferSize: number;
  /** The lobby's board list is sent at most once per this many ms. */
  lobbyThrottleMs: number;
  /** How long a graceful shutdown may take before the remaining connections are cut. */
  shutdownGraceMs: number;
  /** Cursor batches go out at most once per this many ms per board. */
  cursorTickMs: number;
  /** `coalesce`: one batch per tick per member; `relay`: every update to every peer (for comparison). */
  cursorMode: CursorMode;
  /** Chat messages one person may send at once, and the rate the allowance refills. */
  chatBurst: number;
  chatPerSecond: number;
  /** `sqlite` (a file under dataDir) or `memory` (gone at exit). */
  storage: StorageKind;
  dataDir: string;
  /** A board's full state is stored once per this many ops, so opening it replays a short tail. */
  snapshotEvery: number;
  /** A board nobody is on leaves memory after this long (it stays stored). */
  boardIdleMs: number;
  /**
   * How long Socket.IO keeps a dropped session (and the broadcasts it missed) for a quick
   * resume; 0 turns connection state recovery off.
   */
  recoveryMs: number;
  /** Ops one connection may send per second (twice that at once); more get RATE_LIMITED. */
  opsPerSecond: number;
  /** Joins one connection may make per minute; more get RATE_LIMITED. */
  joinsPerMinute: number;
  maxConnectionsPerIp: number;
  /** Origins besides the server's own that browsers may connect from (`ALLOWED_ORIGINS`, comma-separated). */
  allowedOrigins: string[];
  /** Take the client address from X-Forwarded-For (set when behind a reverse proxy). */
  trustProxy: boolean;
}

export const CURSOR_MODES = ["coalesce", "relay"] as const;
export type CursorMode = (typeof CURSOR_MODES)[number];

type Env = Record<string, string | undefined>;

/** Reads the configuration from the environment; every setting has an embedded default. */
export function loadConfig(env: Env = process.env, argv: readonly string[] = process.argv): Config {
  const logLevel = (env.LOG_LEVEL || "info") as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, not "${env.LOG_LEVEL}"`);
  }
  const cursorMode = (env.CURSOR_MODE || "coalesce") as CursorMode;
  if (!CURSOR_MODES.includes(cursorMode)) {
    throw new Error(`CURSOR_MODE must be one of ${CURSOR_MODES.join(", ")}, not "${env.CURSOR_MODE}"`);
  }
  const storage = (env.STORAGE || "sqlite") as StorageKind;
  if (!STORAGE_KINDS.includes(storage)) {
    throw new Error(`STORAGE must be one of ${STORAGE_KINDS.join(", ")}, not "${env.STORAGE}"`);
  }
  return {
    port: int(env, "PORT", 3000, 0, 65535),
    host: env.HOST || "localhost",
    dev: argv.includes("--dev"),
    logLevel,
    pingIntervalMs: int(env, "PING_INTERVAL_MS", 10_000, 100, 600_000),
    pingTimeoutMs: int(env, "PING_TIMEOUT_MS", 5_000, 100, 600_000),
    maxHttpBufferSize: int(env, "MAX_HTTP_BUFFER_SIZE", 1_000_000, 1_024, 100_000_000),
    lobbyThrottleMs: int(env, "LOBBY_THROTTLE_MS", 250, 0, 60_000),
    shutdownGraceMs: int(env, "SHUTDOWN_GRACE_MS", 4_000, 0, 60_000),
    cursorTickMs: int(env, "CURSOR_TICK_MS", 33, 5, 1_000),
    cursorMode,
    chatBurst: int(env, "CHAT_BURST", 5, 1, 1_000),
    chatPerSecond: int(env, "CHAT_PER_SECOND", 1, 1, 1_000),
    storage,
    dataDir: env.DATA_DIR || "./data",
    snapshotEvery: int(env, "SNAPSHOT_EVERY", 500, 1, 1_000_000),
    boardIdleMs: int(env, "BOARD_IDLE_MS", 300_000, 0, 86_400_000),
    recoveryMs: int(env, "RECOVERY_MS", 120_000, 0, 3_600_000),
    opsPerSecond: int(env, "OPS_PER_SECOND", 60, 1, 100_000),
    joinsPerMinute: int(env, "JOINS_PER_MINUTE", 30, 1, 100_000),
    maxConnectionsPerIp: int(env, "MAX_CONNECTIONS_PER_IP", 200, 1, 1_000_000),
    allowedOrigins: (env.ALLOWED_ORIGINS ?? "")
      .split(",")
      .map((o) => o.trim().replace(/\/$/, ""))
      .filter(Boolean),
    trustProxy: env.TRUST_PROXY === "1" || env.TRUST_PROXY === "true",
  };
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
