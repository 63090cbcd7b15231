/**
 * A redis-server of our own, as a child process: the cluster launcher's and the cluster tests'.
 * It listens on a unix socket in its directory and on no TCP port, so that runs never clash over
 * ports and nothing else on the machine reaches it; it appends every write to its AOF there.
 */
import { spawn } from "node:child_process";
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { supervise, type Spawned } from "../lib/spawn-server";

/** "Ready to accept connections" (TCP), or "...ready to accept connections at <socket>" (a unix socket alone, 7.0). */
const READY = /ready to accept connections/i;
const READY_TIMEOUT_MS = 10_000;
/** sun_path is 108 bytes on Linux, the terminating NUL included. */
const SOCKET_PATH_MAX = 107;

export interface RedisOptions {
  /** Its data directory (AOF, socket); made if missing. Default: a fresh temporary directory. */
  dir?: string;
  /** `always`: every write is on disk before Redis answers it; `everysec`: up to a second can be lost. */
  appendfsync?: "always" | "everysec";
  /** The redis-server binary. Default: /usr/bin/redis-server, else the first on PATH. */
  bin?: string;
  readyTimeoutMs?: number;
}

export interface RedisProcess extends Omit<Spawned<void>, "ready"> {
  /** What REDIS_URL takes: `unix:///abs/path/redis.sock`. */
  url: string;
  socketPath: string;
  dir: string;
}

export async function startRedis(opts: RedisOptions = {}): Promise<RedisProcess> {
  const bin = opts.bin ?? findRedisServer();
  const dir = resolve(opts.dir ?? mkdtempSync(join(tmpdir(), "scribble-redis-")));
  const socketPath = join(dir, "redis.sock");
  if (Buffer.byteLength(socketPath) > SOCKET_PATH_MAX) {
    throw new Error(`Redis's socket path is longer than a unix socket allows (${SOCKET_PATH_MAX} bytes): ${socketPath}; choose a shorter directory`);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Redis replaces a socket file it finds, so a second server on one directory would take the
  // first's socket and write to the same AOF.
  if (await answers(socketPath)) throw new Error(`a Redis already listens on ${socketPath}: another cluster is running on ${dir}`);

  const child = spawn(
    bin,
    ["--port", "0", "--unixsocket", socketPath, "--unixsocketperm", "700", "--dir", dir, "--appendonly", "yes", "--appendfsync", opts.appendfsync ?? "always", "--save", ""],
    // Its own process group: a Ctrl+C at a terminal reaches the whole foreground group, and
    // Redis must outlive the nodes that write to it while they stop; its starter stops it last.
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  const redis = await supervise(child, { name: bin, readyTimeoutMs: opts.readyTimeoutMs ?? READY_TIMEOUT_MS }, (proc, output) =>
    new Promise<void>((resolveReady) => {
      const onData = () => READY.test(output()) && resolveReady();
      proc.stdout!.on("data", onData);
      proc.stderr!.on("data", onData);
    }),
  );
  return { ...redis, url: `unix://${socketPath}`, socketPath, dir };
}

function findRedisServer(): string {
  const candidates = ["/usr/bin/redis-server", ...(process.env.PATH ?? "").split(delimiter).filter(Boolean).map((d) => join(d, "redis-server"))];
  const found = candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!found) throw new Error('redis-server not found: install it with "apt-get install redis-server" (Debian/Ubuntu)');
  return found;
}

/** Whether something accepts connections on this unix socket. */
function answers(socketPath: string): Promise<boolean> {
  if (!existsSync(socketPath)) return Promise.resolve(false);
  return new Promise((resolveAnswer) => {
    const socket = connect(socketPath, () => (socket.destroy(), resolveAnswer(true)));
    socket.on("error", () => resolveAnswer(false));
  });
}
