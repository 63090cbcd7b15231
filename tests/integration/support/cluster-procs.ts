/**
 * A cluster of real processes for fault tests: socket-server nodes on one Redis (each a process
 * of its own, killable with SIGKILL or pausable with SIGSTOP), the routing proxy in front of them,
 * and tabs that are the real client session (`BoardSession`) over a real socket.io-client socket
 * through the proxy, reconnecting as a browser does.
 */
import { io } from "socket.io-client";
import { BoardSession } from "@/lib/client/board-session";
import { selectView } from "@/lib/client/board-view";
import type { SessionSocket } from "@/lib/client/session-socket";
import type { ClientSocket } from "@/lib/client/socket";
import type { OpAck, OpRequest } from "@/lib/protocol";
import { startProxy, type Proxy } from "@/tools/cluster/proxy";
import { spawnServer, type ServerProcess } from "@/tools/lib/spawn-server";
import { strokeInput } from "../../unit/fixtures";
import { MemoryStorage } from "../../unit/support/socket-pair";

export const NODE_TIMEOUT_MS = 1_500;

export interface ClusterNode {
  id: string;
  proc: ServerProcess;
}

/** Starts socket-server processes on `redisUrl` under `prefix`, one per id, in parallel. */
export async function startNodes(redisUrl: string, prefix: string, ids: string[], env: Record<string, string> = {}): Promise<ClusterNode[]> {
  const started = await Promise.allSettled(
    ids.map(async (id) => ({
      id,
      proc: await spawnServer({
        entry: "socket",
        name: `node ${id}`,
        env: {
          REDIS_URL: redisUrl,
          REDIS_PREFIX: prefix,
          NODE_ID: id,
          NODE_TIMEOUT_MS: String(NODE_TIMEOUT_MS),
          LOG_LEVEL: "warn",
          // Three tabs of one address draw as fast as they can: the per-connection rate is not under test.
          OPS_PER_SECOND: "1000",
          ...env,
        },
      }),
    })),
  );
  const nodes = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) {
    await Promise.all(nodes.map((n) => n.proc.kill()));
    throw failed.reason;
  }
  return nodes;
}

/**
 * Counts the lines a node prints (stdout and stderr) that match `pattern`, from now on: its
 * `output()` keeps only its last 64 KB, which a busy node at info level soon outgrows.
 */
export function countLines(node: ClusterNode, pattern: RegExp): () => number {
  let count = 0;
  for (const stream of [node.proc.child.stdout, node.proc.child.stderr]) {
    let partial = "";
    stream?.on("data", (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split("\n");
      partial = lines.pop() ?? "";
      count += lines.filter((line) => pattern.test(line)).length;
    });
  }
  return () => count;
}

/** Starts a node again under its id, on the port it had (the proxy finds it there again). */
export async function restartNode(node: ClusterNode, redisUrl: string, prefix: string, env: Record<string, string> = {}): Promise<ClusterNode> {
  const [again] = await startNodes(redisUrl, prefix, [node.id], { PORT: String(node.proc.port), ...env });
  return again!;
}

export function startClusterProxy(nodes: ClusterNode[], spread: boolean): Promise<Proxy> {
  return startProxy({ nodes: nodes.map((n) => ({ id: n.id, url: n.proc.url })), spread, healthIntervalMs: 200 });
}

/** The node the proxy sends a request with this board and tab to now (its answer names it). */
export async function nodeFor(proxy: Proxy, board: string, tab: string): Promise<string> {
  const res = await fetch(`${proxy.url}/healthz?board=${encodeURIComponent(board)}&tab=${encodeURIComponent(tab)}`);
  await res.arrayBuffer();
  const node = res.headers.get("x-scribble-node");
  if (!node) throw new Error(`the proxy named no node for ${board}|${tab} (${res.status})`);
  return node;
}

/** Tab ids, one for each wanted node (a node may be named more than once), that the proxy (with `spread`) sends to that node. */
export async function tabsOnNodes(proxy: Proxy, board: string, wanted: string[]): Promise<string[]> {
  const need = new Map<string, number>();
  for (const node of wanted) need.set(node, (need.get(node) ?? 0) + 1);
  const found = new Map<string, string[]>();
  const missing = () => [...need].some(([node, n]) => (found.get(node)?.length ?? 0) < n);
  for (let i = 0; i < 500 && missing(); i++) {
    const tab = `tab-${i}`;
    const node = await nodeFor(proxy, board, tab);
    const tabs = found.get(node) ?? [];
    if (tabs.length < (need.get(node) ?? 0)) found.set(node, [...tabs, tab]);
  }
  if (missing()) throw new Error(`no tab ids go to all of ${wanted.join(", ")}`);
  return wanted.map((node) => found.get(node)!.shift()!);
}

export interface OpRecord {
  req: OpRequest;
  /** Every answer the server gave to a send of this op (a resend gets one too). */
  answers: OpAck[];
  /** When the tab first sent it, and when the first answer came (Date.now()). */
  sentAt: number;
  answeredAt?: number;
}

export interface TabOptions {
  proxy: Proxy;
  board: string;
  name: string;
  /** The `tab` query parameter: with `spread`, the proxy routes by board and tab. */
  tab: string;
  clientId?: string;
  transports?: ("polling" | "websocket")[];
  /** Default true: reconnects through the proxy as a browser does. */
  reconnection?: boolean;
}

let clientCounter = 0;

/**
 * One browser tab: the real BoardSession over a real socket.io-client socket through the proxy,
 * with every op answer recorded (the session's socket is the real one, seen through a tap).
 */
export class TestTab {
  readonly socket: ClientSocket;
  readonly session: BoardSession;
  readonly clientId: string;
  /** Every op this tab sent, by opId, with the answers it got. */
  readonly ops = new Map<string, OpRecord>();
  /** Stroke ids this tab drew, in order. */
  readonly drawn: string[] = [];
  /** How many times the socket connected (1 for the first connection). */
  connects = 0;
  disconnects = 0;
  /** What each join answered: for failure messages. */
  readonly joins: { seq: number; epoch: string; sync: string; at: number }[] = [];
  /** The seqs of the ops heard since the last join answer (not acks): for failure messages. */
  private heard: number[] = [];
  /** The seqs of the ops acked with the op since the last join answer: for failure messages. */
  private ackedSinceJoin: number[] = [];
  private drawing: Promise<void> = Promise.resolve();

  constructor(readonly opts: TabOptions) {
    this.clientId = opts.clientId ?? `fault-client-${++clientCounter}-${Math.random().toString(36).slice(2, 8)}`;
    this.socket = io(opts.proxy.url, {
      forceNew: true,
      query: { board: opts.board, tab: opts.tab },
      transports: opts.transports ?? ["websocket"],
      reconnection: opts.reconnection ?? true,
      reconnectionDelay: 100,
      reconnectionDelayMax: 500,
    }) as ClientSocket;
    this.socket.on("connect", () => void (this.connects += 1));
    this.socket.on("disconnect", () => void (this.disconnects += 1));
    this.socket.on("op", (op) => void this.heard.push(op.seq));
    this.session = new BoardSession({
      socket: tap(
        this.socket,
        (req) => this.sent(req),
        (req, res) => this.answered(req, res),
        (res) => {
          this.joins.push({ ...res, at: Date.now() });
          this.heard = [];
          this.ackedSinceJoin = [];
        },
      ),
      board: { boardId: opts.board },
      name: opts.name,
      clientId: this.clientId,
      storage: new MemoryStorage(),
      tabId: opts.tab,
      watchActivity: () => ({ stop() {}, current: () => "active" }),
    });
    this.session.start();
  }

  get name(): string {
    return this.opts.name;
  }

  /** The replica's state now. */
  get replica() {
    return this.session.state.replica.getState();
  }

  get joined(): boolean {
    return this.session.state.session.getState().phase === "joined" && this.socket.connected && !this.replica.loading;
  }

  get pending(): number {
    return this.replica.pending.length;
  }

  get seq(): number {
    return this.replica.board.seq;
  }

  get epoch(): string | null {
    return this.replica.epoch;
  }

  /** The ids of the strokes on the board as the server ordered it (pending ones not included), in z-order. */
  boardStrokeIds(): string[] {
    return this.replica.board.visibleStrokes().map((s) => s.id);
  }

  /** What the tab shows: the board plus its own pending changes. */
  shownStrokeIds(): string[] {
    return selectView(this.replica).strokes.map((s) => s.id);
  }

  /** Names of the people the tab's presence list shows. */
  people(): string[] {
    return this.session.state.presence.getState().users.map((u) => u.name);
  }

  /** Stroke ids whose op the server acked as applied (not refused). */
  ackedStrokeIds(): string[] {
    return [...this.ops.values()].filter((r) => r.answers.some((a) => a.ok) && r.req.type === "stroke:add").map((r) => (r.req as { stroke: { id: string } }).stroke.id);
  }

  /** Ops the server refused (other than for a rate or for not being joined, which the session sends again). */
  refusals(): { opId: string; code: string; message: string }[] {
    return [...this.ops.values()].flatMap((r) =>
      r.answers.flatMap((a) => (!a.ok && a.error.code !== "RATE_LIMITED" && a.error.code !== "NOT_JOINED" ? [{ opId: r.req.opId, code: a.error.code, message: a.error.message }] : [])),
    );
  }

  /**
   * Ops the tab gave up on: never acked, and no longer pending (the session dropped them and told
   * the person), with the last refusal each got.
   */
  dropped(): { opId: string; strokeId?: string; code: string }[] {
    const pending = new Set(this.replica.pending.map((p) => p.opId));
    return [...this.ops.values()].flatMap((r) => {
      const last = r.answers.at(-1);
      if (pending.has(r.req.opId) || r.answers.some((a) => a.ok) || !last || last.ok) return [];
      return [{ opId: r.req.opId, strokeId: r.req.type === "stroke:add" ? r.req.stroke.id : undefined, code: last.error.code }];
    });
  }

  /** The node serving the tab's connection now (a round trip). */
  async node(): Promise<string> {
    const res = await this.socket.timeout(5_000).emitWithAck("ping");
    if (!res.ok || !res.node) throw new Error(`ping named no node: ${JSON.stringify(res)}`);
    return res.node;
  }

  /**
   * Draws `count` strokes `${prefix}-0`... through the session, `gapMs` apart, without waiting for
   * acks (the session queues them); resolves once all are handed to the session.
   */
  draw(prefix: string, count: number, gapMs = 5, onEach?: (i: number) => void): Promise<void> {
    const run = async () => {
      for (let i = 0; i < count; i++) {
        const id = `${prefix}-${i}`;
        this.drawn.push(id);
        this.session.addStroke(strokeInput(id, { points: [10 + i, 20, 0.5, 30 + i, 40, 0.5] }));
        onEach?.(i);
        if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
      }
    };
    this.drawing = this.drawing.then(run);
    return this.drawing;
  }

  /** Where the tab stands, for failure messages. */
  describe(): string {
    const join = this.joins.at(-1);
    const heard = this.heard.length > 0 ? `${Math.min(...this.heard)}..${Math.max(...this.heard)} (${this.heard.length})` : "none";
    const unanswered = [...this.ops.values()].filter((r) => r.answers.length === 0).length;
    const lastAnswers = [...this.ops.values()].flatMap((r) => r.answers).slice(-2);
    // An ack without the op: the tab applies it only when the op comes as a broadcast.
    const bare = [...this.ops.values()].flatMap((r) => r.answers.flatMap((a) => (a.ok && !a.applied ? [a.seq] : [])));
    return (
      `${this.name}: connected=${this.socket.connected} phase=${this.session.state.session.getState().phase} seq=${this.seq} pending=${this.pending} ` +
      `strokes=${this.boardStrokeIds().length} connects=${this.connects} people=[${this.people().join(",")}] ` +
      `lastJoin=${JSON.stringify(join)} heardSinceJoin=${heard} notHeard=${this.notHeard()} acksWithoutOp=${JSON.stringify(bare)} unanswered=${unanswered} lastAnswers=${JSON.stringify(lastAnswers.map((a) => (a.ok ? { seq: a.seq } : a.error.code)))} ` +
      `refusals=${JSON.stringify(this.refusals().slice(0, 3))} dropped=${JSON.stringify(this.dropped().slice(0, 3))}`
    );
  }

  /** The first seqs after the board's that the tab has heard nothing of since its last join (a gap it waits on). */
  private notHeard(): string {
    const heard = new Set(this.heard);
    const acked = new Set(this.ackedSinceJoin);
    const top = Math.max(0, ...this.heard, ...acked);
    const missing: number[] = [];
    for (let seq = this.seq + 1; seq <= top && missing.length < 5; seq++) if (!heard.has(seq) && !acked.has(seq)) missing.push(seq);
    return JSON.stringify(missing);
  }

  close(): void {
    this.session.stop();
    this.socket.disconnect();
  }

  private sent(req: OpRequest): void {
    if (!this.ops.has(req.opId)) this.ops.set(req.opId, { req, answers: [], sentAt: Date.now() });
  }

  private answered(req: OpRequest, res: OpAck): void {
    const record = this.ops.get(req.opId) ?? { req, answers: [], sentAt: Date.now() };
    record.answers.push(res);
    record.answeredAt ??= Date.now();
    if (res.ok && res.applied) this.ackedSinceJoin.push(res.seq);
    this.ops.set(req.opId, record);
  }
}

/** The socket as the session sees it: every op sent is handed to `onSend`, and its answer to `onOp` before the session gets it. */
function tap(
  socket: ClientSocket,
  onSend: (req: OpRequest) => void,
  onOp: (req: OpRequest, res: OpAck) => void,
  onJoin: (res: { seq: number; epoch: string; sync: string }) => void,
): SessionSocket {
  const tapped = {
    get connected() {
      return socket.connected;
    },
    on: socket.on.bind(socket),
    off: socket.off.bind(socket),
    emit: socket.emit.bind(socket),
    get volatile() {
      return socket.volatile;
    },
    timeout(ms: number) {
      const timed = socket.timeout(ms) as unknown as {
        emit: (...args: unknown[]) => unknown;
        emitWithAck: (...args: unknown[]) => Promise<unknown>;
      };
      return {
        emit: (...args: unknown[]) => {
          const ack = args.at(-1);
          if (args[0] !== "board:join" || typeof ack !== "function") return timed.emit(...args);
          return timed.emit(...args.slice(0, -1), (err: unknown, res: { ok: boolean; seq: number; epoch: string; sync: string }) => {
            if (!err && res?.ok) onJoin({ seq: res.seq, epoch: res.epoch, sync: res.sync });
            (ack as (e: unknown, r: unknown) => void)(err, res);
          });
        },
        emitWithAck: async (event: string, ...args: unknown[]) => {
          if (event === "op") onSend(args[0] as OpRequest);
          const res = await timed.emitWithAck(event, ...args);
          if (event === "op") onOp(args[0] as OpRequest, res as OpAck);
          return res;
        },
      };
    },
  };
  return tapped as unknown as SessionSocket;
}

/**
 * Waits until `check` holds, looking again every 25 ms (state, not time: no fixed sleep decides
 * anything); fails after `timeoutMs` with `describe()`.
 */
export async function until(what: string, check: () => boolean | Promise<boolean>, describe: () => string = () => "", timeoutMs = 25_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}\n${describe()}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Every tab has nothing pending, is joined, and all hold the same seq. */
export function converged(tabs: readonly TestTab[]): boolean {
  return tabs.every((t) => t.joined && t.pending === 0 && t.seq === tabs[0]!.seq);
}
