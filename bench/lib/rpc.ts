import type { ChildProcess } from "node:child_process";

/**
 * Request/response over a forked child's IPC channel. Each kind of child declares its methods as
 * one `Api` type, which both sides import, so a call and its handler cannot drift apart.
 */
export type Api = Record<string, { params: unknown; result: unknown }>;

type Handlers<A extends Api> = {
  [K in keyof A]: (params: A[K]["params"]) => A[K]["result"] | Promise<A[K]["result"]>;
};

type ToChild = { kind: "req"; id: number; method: string; params: unknown };
type FromChild =
  | { kind: "ready"; info: unknown }
  | { kind: "res"; id: number; result: unknown }
  | { kind: "res"; id: number; error: string };

/** Child side. Also makes the child die with its parent: a bench child has nothing to do alone. */
export function serve<A extends Api, Ready>(handlers: Handlers<A>, ready: Ready): void {
  if (!process.send) throw new Error("this script is a bench child: start it with child_process.fork");
  // A reply after the parent has gone (it gave up on a slow call, or was stopped) is dropped,
  // not an EPIPE that crashes the child.
  const send = (msg: FromChild) => {
    if (process.connected) process.send?.(msg, undefined, {}, () => undefined);
  };
  process.on("disconnect", () => process.exit(0));
  // The parent's exit handlers cover Ctrl-C; this covers a parent killed with SIGKILL.
  const lifetimeMs = Number(process.env.BENCH_MAX_LIFETIME_MS ?? 0);
  if (lifetimeMs > 0) setTimeout(() => process.exit(3), lifetimeMs).unref();

  process.on("message", (raw) => {
    const msg = raw as ToChild;
    if (msg?.kind !== "req") return;
    const handler = handlers[msg.method as keyof A];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`no method ${msg.method}`);
        return handler(msg.params as A[keyof A]["params"]);
      })
      .then(
        (result) => send({ kind: "res", id: msg.id, result }),
        (err: unknown) => send({ kind: "res", id: msg.id, error: err instanceof Error ? err.stack ?? err.message : String(err) }),
      );
  });
  send({ kind: "ready", info: ready });
}

/** Parent side: typed calls to one child, each with a deadline. */
export class RpcClient<A extends Api> {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer: NodeJS.Timeout }>();

  constructor(
    private readonly child: ChildProcess,
    private readonly name: string,
  ) {
    child.on("message", (raw) => {
      const msg = raw as FromChild;
      if (msg?.kind !== "res") return;
      const call = this.pending.get(msg.id);
      if (!call) return;
      this.pending.delete(msg.id);
      clearTimeout(call.timer);
      if ("error" in msg) call.reject(new Error(`${this.name}: ${msg.error}`));
      else call.resolve(msg.result);
    });
    child.once("exit", (code, signal) => this.failAll(new Error(`${this.name} exited (${signal ?? code})`)));
  }

  call<K extends keyof A & string>(method: K, params: A[K]["params"], timeoutMs = 30_000): Promise<A[K]["result"]> {
    if (!this.child.connected) return Promise.reject(new Error(`${this.name} is not running`));
    const id = this.nextId++;
    return new Promise<A[K]["result"]>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.name}: ${method} took more than ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.child.send({ kind: "req", id, method, params } satisfies ToChild);
    });
  }

  private failAll(err: Error): void {
    for (const call of this.pending.values()) {
      clearTimeout(call.timer);
      call.reject(err);
    }
    this.pending.clear();
  }
}

/** Resolves with what the child passed to `serve` once it is listening for calls (the spawner times it out). */
export function whenReady<Ready>(child: ChildProcess): Promise<Ready> {
  return new Promise<Ready>((resolve) => {
    const onMessage = (raw: unknown) => {
      const msg = raw as FromChild;
      if (msg?.kind !== "ready") return;
      child.off("message", onMessage);
      resolve(msg.info as Ready);
    };
    child.on("message", onMessage);
  });
}
