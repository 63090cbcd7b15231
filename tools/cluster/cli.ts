/**
 * A Scribble cluster on this machine: `npm run cluster -- --nodes 3`. One Redis (unix socket,
 * AOF), N production nodes on free ports, and the routing proxy in front on PORT. Ctrl+C stops
 * the proxy, the nodes, then Redis. A node that dies is logged and its boards go to the others.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { killAllSpawned, REPO_ROOT, spawnServer, type ServerProcess } from "../lib/spawn-server";
import { startProxy, type Proxy } from "./proxy";
import { startRedis, type RedisProcess } from "./redis-process";

/** A node ends its own graceful stop within 5 s (docs/ARCHITECTURE.md, "Graceful shutdown"). */
const NODE_OWN_STOP_MS = 6_000;

const HELP = `Usage: npm run cluster -- [options]

  --nodes <n>                 number of Scribble nodes (default 3)
  --spread                    spread one board's tabs over all nodes (key: board and tab), to
                              exercise cross-node paths; default: each board on one node
  --port <n>                  the proxy's port (default $PORT, else 3000)
  --data <dir>                where Redis and the nodes keep their data (default ./cluster-data)
  --fsync always|everysec     Redis's appendfsync (default always)
  --restart                   start a node again (on its port) when it dies
  --help                      this text`;

const { values } = parseArgs({
  options: {
    nodes: { type: "string", default: "3" },
    spread: { type: "boolean", default: false },
    port: { type: "string" },
    data: { type: "string", default: "cluster-data" },
    fsync: { type: "string", default: "always" },
    restart: { type: "boolean", default: false },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  console.log(HELP);
  process.exit(0);
}

function usage(message: string): never {
  console.error(`${message}\n\n${HELP}`);
  process.exit(2);
}

function int(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) usage(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  return n;
}

const nodeCount = int("--nodes", values.nodes, 1, 16);
const port = int(values.port === undefined ? "PORT" : "--port", values.port ?? (process.env.PORT || "3000"), 0, 65_535);
const fsync = values.fsync;
if (fsync !== "always" && fsync !== "everysec") usage(`--fsync must be always or everysec, not "${fsync}"`);
const dataDir = resolve(values.data);
const ids = Array.from({ length: nodeCount }, (_, i) => `n${i + 1}`);

let redis: RedisProcess | undefined;
let proxy: Proxy | undefined;
const nodes = new Map<string, ServerProcess>();
let stopping = false;

// Whatever way this process ends, none of its children outlives it.
process.on("exit", () => {
  killAllSpawned();
  void redis?.kill();
});

function startNode(id: string, nodePort = 0): Promise<ServerProcess> {
  return spawnServer({
    entry: "app",
    name: id,
    dataDir: join(dataDir, id),
    env: { PORT: String(nodePort), REDIS_URL: redis!.url, NODE_ID: id, TRUST_PROXY: "1" },
    echoStderr: true,
    readyTimeoutMs: 60_000,
  }).then((node) => {
    nodes.set(id, node);
    node.child.once("exit", (code, signal) => void died(id, node, code ?? signal));
    return node;
  });
}

async function died(id: string, node: ServerProcess, how: number | string | null): Promise<void> {
  if (stopping) return;
  proxy?.markDown(id, `exited: ${how}`);
  console.error(`${id} (pid ${node.pid}) exited (${how}); the proxy sends its boards to the other nodes.`);
  if (!values.restart) return;
  try {
    const again = await startNode(id, node.port);
    if (!stopping) console.log(`${id} restarted: pid ${again.pid}; the proxy takes it back once it answers /healthz.`);
  } catch (err) {
    console.error(`${id} could not be restarted: ${(err as Error).message}`);
  }
}

/**
 * Stops the proxy, the nodes, then Redis. `fromTerminal`: the Ctrl+C reached the whole process
 * group, so the nodes are stopping already, and a second signal would end them at once: they
 * get their own shutdown's time first (Redis has a group of its own and is still up).
 */
async function stop(code: number, fromTerminal = false): Promise<never> {
  stopping = true;
  await proxy?.close();
  await Promise.all(
    [...nodes.values()].map(async (node) => {
      if (fromTerminal) await exitOrTimeout(node, NODE_OWN_STOP_MS);
      await node.stop();
    }),
  );
  await redis?.stop();
  console.log(code === 0 ? "Cluster stopped." : "Cluster stopped after a failure.");
  process.exit(code);
}

function exitOrTimeout(node: ServerProcess, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (node.child.exitCode !== null || node.child.signalCode !== null) return resolve();
    const timer = setTimeout(resolve, ms);
    node.child.once("exit", () => (clearTimeout(timer), resolve()));
  });
}

process.on("SIGINT", () => (stopping ? process.exit(1) : void stop(0, process.stdin.isTTY === true)));
process.on("SIGTERM", () => (stopping ? process.exit(1) : void stop(0)));

try {
  // As `npm start`'s prestart does: the nodes serve a production build, built now if stale.
  const build = spawnSync(process.execPath, ["--import", "tsx", join(REPO_ROOT, "scripts/ensure-build.ts")], { cwd: REPO_ROOT, stdio: "inherit" });
  if (build.status !== 0) throw new Error(`the production build failed (${build.status ?? build.signal})`);

  mkdirSync(dataDir, { recursive: true });
  redis = await startRedis({ dir: join(dataDir, "redis"), appendfsync: fsync });
  void redis.exited.then((code) => {
    if (stopping) return;
    const tail = redis!.output().trim().split("\n").slice(-5).join("\n");
    console.error(`redis-server exited (${code ?? "killed by a signal"}); the nodes cannot work without it: stopping the cluster. Its last lines:\n${tail}`);
    void stop(1);
  });
  console.log(`Starting ${nodeCount} node${nodeCount === 1 ? "" : "s"}...`);
  await Promise.all(ids.map((id) => startNode(id)));
  proxy = await startProxy({
    port,
    host: "127.0.0.1",
    nodes: ids.map((id) => ({ id, url: nodes.get(id)!.url })),
    spread: values.spread,
    log: (line) => console.log(`[proxy] ${line}`),
  });
} catch (err) {
  console.error(`The cluster did not start: ${(err as Error).message}`);
  await stop(1);
}

// A Ctrl+C while starting: stop() is ending the process.
if (stopping) await new Promise<never>(() => {});

const rows: [string, string, string][] = [
  ["proxy", proxy!.url, values.spread ? "spread: one board's tabs over all nodes" : "each board on one node"],
  ...ids.map((id): [string, string, string] => {
    const node = nodes.get(id)!;
    return [id, node.url, `pid ${node.pid}, data ${relative(process.cwd(), node.dataDir) || "."}`];
  }),
  ["redis", redis!.url, `pid ${redis!.pid}, appendfsync ${fsync}`],
];
const width = Math.max(...rows.map(([, url]) => url.length));
console.log(`\nScribble cluster: open ${proxy!.url}\n`);
for (const [name, url, detail] of rows) console.log(`  ${name.padEnd(6)} ${url.padEnd(width)}  ${detail}`);
console.log(`\nFailover: kill -9 <a node's pid>; its boards go to the other nodes${values.restart ? " until it is back" : ""}.`);
console.log("Ctrl+C stops the proxy, the nodes and Redis.");
