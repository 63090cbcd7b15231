/**
 * Starting a server (or any TypeScript entry) as a process of its own and waiting until it is
 * ready: the end-to-end fixtures, the crash tests and the bench all start theirs here.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { READY_LINE } from "../../lib/server/ready-line";

export const REPO_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The entries that serve Scribble: the whole app (a production build), or its socket server alone. */
export const SERVER_ENTRIES = { app: "server.ts", socket: "tools/socket-server.ts" } as const;
export type ServerEntry = keyof typeof SERVER_ENTRIES;

const OUTPUT_KEEP = 64_000;
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 8_000;
const FAILED_START_GRACE_MS = 2_000;

export interface SpawnOptions {
  /** The TypeScript file to run under tsx, from the repository's root. */
  script: string;
  /** How failure messages and echoed lines name it. */
  name: string;
  env?: Record<string, string>;
  /** Node flags, e.g. --cpu-prof or --expose-gc. */
  nodeArgs?: string[];
  /** Opens an IPC channel (the bench's RPC children); `stop` then disconnects it rather than signalling. */
  ipc?: boolean;
  /** Ends it after this long even if this process is killed outright (coreutils' timeout; not with `ipc`). */
  maxLifetimeMs?: number;
  readyTimeoutMs?: number;
  /** Copies its stderr to ours, each line prefixed with the name: warnings worth seeing. */
  echoStderr?: boolean;
}

export interface Spawned<Ready> {
  child: ChildProcess;
  pid: number;
  /** What `ready` resolved with once the process was ready. */
  ready: Ready;
  /** Resolves with its exit code (null when a signal ended it) once it has exited, for whatever reason. */
  exited: Promise<number | null>;
  /** What it printed (the last OUTPUT_KEEP characters), for failure messages. */
  output(): string;
  /**
   * The graceful path: closes the IPC channel when there is one, else SIGTERM; SIGKILL if it is
   * still running after the grace. Resolves with its exit code (null when a signal ended it).
   */
  stop(graceMs?: number): Promise<number | null>;
  /** SIGKILL: a crash. */
  kill(): Promise<number | null>;
}

/** Every process started here and still running, so that no exit path of ours leaves one behind. */
const live = new Set<ChildProcess>();

/**
 * Spawns `script` under tsx and resolves once `ready` does (given the process and its output so
 * far). Exiting first, or not being ready in time, kills it and rejects with what it printed.
 */
export function spawnProcess<Ready>(
  opts: SpawnOptions,
  ready: (child: ChildProcess, output: () => string) => Promise<Ready>,
): Promise<Spawned<Ready>> {
  const node = [process.execPath, ...["--import", "tsx", ...(opts.nodeArgs ?? [])], join(REPO_ROOT, opts.script)];
  const command = opts.maxLifetimeMs && !opts.ipc ? ["timeout", "-k", "5", String(Math.ceil(opts.maxLifetimeMs / 1000)), ...node] : node;
  const child = spawn(command[0]!, command.slice(1), {
    cwd: REPO_ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe", ...(opts.ipc ? ["ipc" as const] : [])],
  });
  return supervise(child, opts, ready);
}

/**
 * Watches a child just spawned (with stdout and stderr piped) until `ready` resolves: it is
 * tracked from then on so that no exit path of ours leaves it behind. Exiting first, failing to
 * start at all, or not being ready in time stops it and rejects with what it printed.
 */
export async function supervise<Ready>(
  child: ChildProcess,
  opts: Pick<SpawnOptions, "name" | "readyTimeoutMs" | "echoStderr">,
  ready: (child: ChildProcess, output: () => string) => Promise<Ready>,
): Promise<Spawned<Ready>> {
  live.add(child);
  // A binary that cannot be run emits an error and then "close", never "exit".
  let spawnError: Error | undefined;
  child.on("error", (err) => (spawnError ??= err));
  const exited = new Promise<number | null>((resolveExit) => {
    child.once("exit", resolveExit);
    child.once("close", resolveExit);
  });
  void exited.then(() => live.delete(child));

  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEEP);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  if (opts.echoStderr) child.stderr!.on("data", (chunk: Buffer) => process.stderr.write(chunk.toString().replace(/^(?=.)/gm, `[${opts.name}] `)));

  const running = () => child.exitCode === null && child.signalCode === null;
  const kill = async () => {
    if (running()) child.kill("SIGKILL");
    return exited;
  };
  const stop = async (graceMs = STOP_GRACE_MS) => {
    if (!running()) return exited;
    if (child.connected) child.disconnect();
    else child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };

  const timeoutMs = opts.readyTimeoutMs ?? READY_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  try {
    const value = await Promise.race([
      ready(child, () => output),
      exited.then((code) =>
        Promise.reject(new Error(spawnError ? `cannot run ${opts.name}: ${spawnError.message}` : `${opts.name} exited (${code ?? child.signalCode}) before it was ready`)),
      ),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${opts.name} was not ready after ${timeoutMs} ms`)), timeoutMs))),
    ]);
    return { child, pid: child.pid ?? -1, ready: value, exited, output: () => output, stop, kill };
  } catch (err) {
    // SIGTERM first: under coreutils' timeout (maxLifetimeMs) a SIGKILL would end the wrapper
    // alone and leave the process it runs behind, while a SIGTERM is passed on to it.
    await stop(FAILED_START_GRACE_MS);
    throw new Error(`${(err as Error).message}:\n${output}`);
  } finally {
    clearTimeout(timer);
  }
}

export interface ServerProcess extends Spawned<{ url: string; port: number }> {
  url: string;
  port: number;
  /** Its DATA_DIR (where SQLite keeps the boards): another server started on it sees what survived. Left in place. */
  dataDir: string;
}

export interface ServerSpawnOptions extends Partial<Omit<SpawnOptions, "script" | "ipc">> {
  entry: ServerEntry;
  /** Default: a fresh temporary directory. */
  dataDir?: string;
}

/**
 * Starts server.ts (`app`: as `npm start` runs it, NODE_ENV=production) or tools/socket-server.ts
 * (`socket`) on 127.0.0.1 and, unless `env` says otherwise, any free port; resolves once it has
 * printed its ready line.
 */
export async function spawnServer(opts: ServerSpawnOptions): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), `scribble-${opts.entry}-`));
  const spawned = await spawnProcess(
    {
      ...opts,
      script: SERVER_ENTRIES[opts.entry],
      name: opts.name ?? `${opts.entry} server`,
      env: { ...(opts.entry === "app" ? { NODE_ENV: "production" } : {}), PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, ...opts.env },
    },
    (child, output) =>
      new Promise<{ url: string; port: number }>((resolve) => {
        const onData = () => {
          const m = READY_LINE.exec(output());
          if (!m) return;
          child.stdout!.off("data", onData);
          resolve({ url: m[1]!, port: Number(m[2]) });
        };
        child.stdout!.on("data", onData);
      }),
  ).catch((err: unknown) => {
    // A directory made here for a server that never started holds nothing anyone needs.
    if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  return { ...spawned, url: spawned.ready.url, port: spawned.ready.port, dataDir };
}

/** Kills every process started here that still runs; synchronous, so that it works from an `exit` handler. */
export function killAllSpawned(): void {
  for (const child of live) child.kill("SIGKILL");
  live.clear();
}

/** How many processes started here still run. */
export const spawnedCount = () => live.size;
