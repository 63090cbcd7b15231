import { killAllSpawned, spawnedCount, spawnProcess } from "../../tools/lib/spawn-server";
import { RpcClient, whenReady, type Api } from "./rpc";

export interface Child<A extends Api, Ready> {
  name: string;
  pid: number;
  rpc: RpcClient<A>;
  /** What the child announced when it was ready (its port, its config). */
  ready: Ready;
  /** The child's recent output, for error messages. */
  output(): string;
  /** Closes the IPC channel (the child exits on it), then kills it if it lingers. */
  stop(): Promise<void>;
  /** SIGKILL: a crash (the cluster case's failover). */
  kill(): Promise<void>;
}

export interface ChildOptions {
  /** Path from the repo root, e.g. "bench/processes/server.ts". */
  script: string;
  name: string;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  /** Safety net if the parent dies without cleaning up (SIGKILL). */
  maxLifetimeMs?: number;
  /** Extra Node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
}

const STOP_GRACE_MS = 2_000;

/** Starts a bench child (bench/processes/) with an IPC channel and waits until it serves calls. */
export async function startChild<A extends Api, Ready>(opts: ChildOptions): Promise<Child<A, Ready>> {
  const spawned = await spawnProcess(
    {
      script: opts.script,
      name: opts.name,
      nodeArgs: opts.nodeArgs,
      ipc: true,
      // Warnings from a child (a listener leak, a deprecation) are worth seeing, not swallowing.
      echoStderr: true,
      readyTimeoutMs: opts.readyTimeoutMs ?? 20_000,
      env: { BENCH_MAX_LIFETIME_MS: String(opts.maxLifetimeMs ?? 120_000), ...opts.env },
    },
    (child) => whenReady<Ready>(child),
  );
  return {
    name: opts.name,
    pid: spawned.pid,
    rpc: new RpcClient<A>(spawned.child, opts.name),
    ready: spawned.ready,
    output: spawned.output,
    stop: async () => {
      await spawned.stop(STOP_GRACE_MS);
    },
    kill: async () => {
      await spawned.kill();
    },
  };
}

/** Ctrl-C, a kill or a crash of the parent takes every child with it. Call once, from the entry. */
export function installChildCleanup(): void {
  process.once("exit", killAllSpawned);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping ${spawnedCount()} bench process(es)\n`);
      killAllSpawned();
      process.exit(130);
    });
  }
}
