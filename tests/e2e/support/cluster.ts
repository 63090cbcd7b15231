import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test as base } from "@playwright/test";
import { Redis } from "ioredis";
import { startProxy, type Proxy } from "../../../tools/cluster/proxy";
import { startRedis, type RedisProcess } from "../../../tools/cluster/redis-process";
import type { ServerProcess } from "../../../tools/lib/spawn-server";
import { startAppServer } from "./app-server";

/**
 * A Scribble cluster for one test, the way `npm run cluster` makes one: a redis-server of its own
 * (unix socket in a temporary directory, AOF), production nodes (server.ts, as the other end-to-end
 * tests start theirs) sharing it, and the routing proxy (tools/cluster/proxy.ts) in front. Pages
 * are opened through the proxy; `?node=<id>` in a page's address pins its tab to that node while
 * the node lives.
 */
export interface E2eCluster {
  /** The proxy's base URL: what the browser opens. */
  url: string;
  proxy: Proxy;
  redis: RedisProcess;
  nodes: Map<string, ServerProcess>;
  /** What the proxy said (a node down, a node back), for failure messages. */
  proxyLog: string[];
  /**
   * The nodes (NODE_ID, without the instance suffix) of the tabs the cluster counts on a board,
   * as stored in Redis: the roster every node applies.
   */
  tabNodes(boardId: string): Promise<string[]>;
  /** SIGKILL: the node dies as in a crash; the proxy finds out by itself on its next connection there. */
  kill(id: string): Promise<void>;
  /** Everything stopped and its temporary files removed. */
  stop(): Promise<void>;
}

/** Tabs' heartbeats in tests, as the single-server fixture has them, and a node counted dead after 2 s of silence. */
const NODE_ENV = { NODE_TIMEOUT_MS: "2000", TRUST_PROXY: "1" };

export async function startCluster(ids: readonly string[] = ["n1", "n2"]): Promise<E2eCluster> {
  const dir = mkdtempSync(join(tmpdir(), "scribble-e2e-cluster-"));
  const prefix = `e2e-${Math.random().toString(36).slice(2, 10)}`;
  const nodes = new Map<string, ServerProcess>();
  const proxyLog: string[] = [];
  let redis: RedisProcess | undefined;
  let proxy: Proxy | undefined;
  let client: Redis | undefined;

  const stop = async () => {
    client?.disconnect();
    await proxy?.close();
    await Promise.all([...nodes.values()].map((n) => n.stop()));
    await redis?.stop();
    for (const n of nodes.values()) rmSync(n.dataDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    redis = await startRedis({ dir: join(dir, "redis") });
    const url = redis.url;
    const started = await Promise.all(
      ids.map((id) => startAppServer({ env: { ...NODE_ENV, REDIS_URL: url, REDIS_PREFIX: prefix, NODE_ID: id } }).then((node) => [id, node] as const)),
    );
    for (const [id, node] of started) nodes.set(id, node);
    proxy = await startProxy({
      nodes: ids.map((id) => ({ id, url: nodes.get(id)!.url })),
      log: (line) => proxyLog.push(`${new Date().toISOString()} ${line}`),
    });
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    url: proxy.url,
    proxy,
    redis,
    nodes,
    proxyLog,
    async tabNodes(boardId) {
      client ??= new Redis({ path: redis!.socketPath, lazyConnect: false, maxRetriesPerRequest: 1 });
      // Keys as lib/server/storage/redis-store.ts names them: `<prefix>:{<board>}:tabs`, socket id → TabRecord.
      const records = await client.hvals(`${prefix}:{${boardId}}:tabs`);
      return records.map((r) => String((JSON.parse(r) as { node: string }).node).split("~")[0]!).sort();
    },
    async kill(id) {
      const node = nodes.get(id);
      if (!node) throw new Error(`no node ${id}`);
      await node.kill();
    },
    stop,
  };
}

/** `test` with a fresh two-node cluster (n1, n2) per test: a test may kill its nodes. */
export const clusterTest = base.extend<{ cluster: E2eCluster }>({
  cluster: [
    async ({}, use, testInfo) => {
      const cluster = await startCluster(["n1", "n2"]);
      try {
        await use(cluster);
      } finally {
        if (testInfo.status !== testInfo.expectedStatus) {
          const outputs = [...cluster.nodes].map(([id, n]) => `--- ${id} (pid ${n.pid})\n${n.output().slice(-8_000)}`);
          await testInfo.attach("cluster-output", { body: [`--- proxy\n${cluster.proxyLog.join("\n")}`, ...outputs].join("\n\n"), contentType: "text/plain" });
        }
        await cluster.stop();
      }
    },
    // Two production servers starting side by side on a small machine.
    { timeout: 90_000 },
  ],
});
