import { fork, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RpcClient, whenReady, type Api } from "./rpc";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Every bench child still running, so that no exit path of the parent can leave one behind. */
const live = new Set<ChildProcess>();

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
}

export interface ChildOptions {
  /** Path from the repo root, e.g. "bench/server.ts". */
  script: string;
  name: string;
  env?: Record<string, string>;
  readyTimeoutMs?: number;
  /** Safety net if the parent dies without cleaning up (SIGKILL). */
  maxLifetimeMs?: number;
  /** Extra Node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
}

const OUTPUT_KEEP = 8_000;
const STOP_GRACE_MS = 2_000;

/** Forks a TypeScript script under tsx and waits until it serves calls. */
export async function startChild<A extends Api, Ready>(opts: ChildOptions): Promise<Child<A, Ready>> {
  const child = fork(join(REPO_ROOT, opts.script), [], {
    cwd: REPO_ROOT,
    execArgv: ["--import", "tsx", ...(opts.nodeArgs ?? [])],
    env: { ...process.env, BENCH_MAX_LIFETIME_MS: String(opts.maxLifetimeMs ?? 120_000), ...opts.env },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  live.add(child);
  child.once("exit", () => live.delete(child));

  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEEP);
  };
  child.stdout?.on("data", keep);
  // Warnings from a child (a listener leak, a deprecation) are worth seeing, not swallowing.
  child.stderr?.on("data", (chunk: Buffer) => {
    keep(chunk);
    process.stderr.write(prefixLines(`[${opts.name}] `, chunk.toString()));
  });

  try {
    const ready = await whenReady<Ready>(child, opts.name, opts.readyTimeoutMs ?? 20_000);
    return {
      name: opts.name,
      pid: child.pid ?? -1,
      rpc: new RpcClient<A>(child, opts.name),
      ready,
      output: () => output,
      stop: () => stopChild(child),
    };
  } catch (err) {
    await stopChild(child);
    throw new Error(`${(err as Error).message}\n${output}`);
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  if (child.connected) child.disconnect();
  else child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/** Puts a process started some other way (spawn) under the same cleanup as the forked ones. */
export function track(child: ChildProcess): void {
  live.add(child);
  child.once("exit", () => live.delete(child));
}

/** Kills whatever is still running; synchronous, so it works from an `exit` handler too. */
export function killAllChildren(): void {
  for (const child of live) child.kill("SIGKILL");
  live.clear();
}

/** Ctrl-C, a kill or a crash of the parent takes every child with it. Call once, from the entry. */
export function installChildCleanup(): void {
  process.once("exit", killAllChildren);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      process.stderr.write(`\n${signal}: stopping ${live.size} bench process(es)\n`);
      killAllChildren();
      process.exit(130);
    });
  }
}

function prefixLines(prefix: string, text: string): string {
  return text.replace(/^(?=.)/gm, prefix);
}
