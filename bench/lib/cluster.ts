/**
 * A Scribble cluster for one bench cell: a redis-server of its own (tools/cluster/redis-process.ts:
 * unix socket in a temporary directory, AOF with the asked appendfsync) and N real socket servers
 * (bench/processes/server.ts, so that each answers `counters` like every server the bench measures)
 * in cluster mode on it. Nodes are reached directly, each client at its node's own URL: the routing
 * proxy of `npm run cluster` is a test tool (a Node process relaying every byte, whose CPU would be
 * in the figures); a deployment puts nginx or HAProxy there (docs/DEPLOY.md).
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rank } from "../../tools/cluster/proxy";
import { startRedis, type RedisProcess } from "../../tools/cluster/redis-process";
import { childrenNamed } from "./proc-tree";
import { startBenchServer, type BenchServer } from "./server-process";

export type Fsync = "always" | "everysec";
export const FSYNC_MODES: readonly Fsync[] = ["always", "everysec"];

export interface BenchRedis {
  url: string;
  /** The root of its process tree (coreutils' timeout, redis-server under it): sample its CPU with watchTrees. */
  pid: number;
  fsync: Fsync;
  stop(): Promise<void>;
}

export interface BenchNode extends BenchServer {
  id: string;
}

export interface BenchCluster {
  redis: BenchRedis;
  nodes: BenchNode[];
  stop(): Promise<void>;
}

const REDIS_BIN = "/usr/bin/redis-server";

/**
 * redis-server in a temporary directory, under coreutils' timeout like every other bench child
 * (it ends after `maxLifetimeMs` even if this process is killed outright; startRedis starts it in a
 * process group of its own, out of reach of a Ctrl-C). Stopped with SIGTERM, which timeout hands on.
 */
export async function startBenchRedis(opts: { fsync: Fsync; maxLifetimeMs: number }): Promise<BenchRedis> {
  const dir = mkdtempSync(join(tmpdir(), "scribble-bench-redis-"));
  const wrapper = join(dir, "redis-server.sh");
  writeFileSync(wrapper, `#!/bin/sh\nexec timeout -k 5 ${Math.ceil(opts.maxLifetimeMs / 1000)} ${REDIS_BIN} "$@"\n`);
  chmodSync(wrapper, 0o700);
  let redis: RedisProcess;
  try {
    redis = await startRedis({ dir: join(dir, "data"), appendfsync: opts.fsync, bin: wrapper });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  // This process ending any other way than through stop() (a thrown error, Ctrl-C) takes Redis
  // along. The spawner's own cleanup SIGKILLs the wrapper alone, so redis-server is named here.
  const tree = [...childrenNamed(redis.pid, /^redis-server$/), redis.pid];
  const killTree = () => {
    for (const pid of tree) {
      // Only while the pid is still ours: the wrapper, or the redis-server it ran.
      if (!/^(timeout|redis-server)$/.test(commandOf(pid))) continue;
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Gone already.
      }
    }
  };
  const onExit = () => {
    killTree();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once("exit", onExit);
  return {
    url: redis.url,
    pid: redis.pid,
    fsync: opts.fsync,
    async stop() {
      process.off("exit", onExit);
      await redis.stop(3_000);
      killTree();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return "";
  }
}

/**
 * Redis, then `nodes` servers in cluster mode on it (NODE_ID n1…nN), in parallel. `env` goes to
 * every node (on top of the bench's raised limits).
 */
export async function startBenchCluster(opts: {
  nodes: number;
  fsync: Fsync;
  maxLifetimeMs: number;
  env?: Record<string, string>;
}): Promise<BenchCluster> {
  const redis = await startBenchRedis({ fsync: opts.fsync, maxLifetimeMs: opts.maxLifetimeMs });
  const prefix = `bench-${Math.random().toString(36).slice(2, 10)}`;
  const ids = Array.from({ length: opts.nodes }, (_, i) => `n${i + 1}`);
  const started = await Promise.allSettled(
    ids.map(async (id): Promise<BenchNode> => {
      const server = await startBenchServer({
        maxLifetimeMs: opts.maxLifetimeMs,
        env: { STORAGE: "redis", REDIS_URL: redis.url, REDIS_PREFIX: prefix, NODE_ID: id, ...opts.env },
      });
      return Object.assign(server, { id });
    }),
  );
  const nodes = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop().catch(() => undefined)));
    await redis.stop();
  };
  const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) {
    await stop();
    throw failed.reason;
  }
  return { redis, nodes, stop };
}

/** The node a board's people meet on: where the cluster's proxy sends them (tools/cluster/proxy.ts). */
export function nodeForBoard(boardId: string, nodeIds: readonly string[]): string {
  return rank(boardId, nodeIds)[0]!;
}
