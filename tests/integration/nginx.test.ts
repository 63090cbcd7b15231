/**
 * The nginx site docs/DEPLOY.md documents (docs/nginx/scribble.conf), run by Debian's nginx in
 * front of three real node processes on one real Redis: WebSocket and long-polling tabs through
 * it, a board's tabs on one node, boards spread over the nodes, the client's address passed on.
 */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { io, type ManagerOptions, type SocketOptions } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClientSocket } from "@/lib/client/socket";
import { PROTOCOL_VERSION, type AppliedOp } from "@/lib/protocol";
import { startRedis, type RedisProcess } from "@/tools/cluster/redis-process";
import { REPO_ROOT, spawnServer, type ServerProcess } from "@/tools/lib/spawn-server";
import { addOp, commit, join as joinBoard, newClientId, strokeInput } from "./harness";
import { NGINX_BIN, NGINX_PACKAGE, SITE_CONF, startNginx, type Nginx } from "./support/nginx";

const installed = existsSync(NGINX_BIN);
/** Skipped on a machine without nginx, unless in CI: there a missing nginx is a failed test. */
const skip = !installed && !process.env.CI;
const SKIPPED = `skipped: ${NGINX_BIN} is not installed (apt-get install ${NGINX_PACKAGE})`;
if (skip) console.warn(`nginx.test.ts: ${SKIPPED}`);

const ADMIN_TOKEN = "nginx-test-admin-token-0123456789";
const NODE_IDS = ["n1", "n2", "n3"];

type Transport = "polling" | "websocket";

describe(`nginx in front of a cluster, as docs/DEPLOY.md configures it${skip ? ` (${SKIPPED})` : ""}`, () => {
  let redis: RedisProcess | undefined;
  const nodes = new Map<string, ServerProcess>();
  let nginx: Nginx | undefined;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    if (!installed) return;
    redis = await startRedis();
    const prefix = "nginx-test";
    await Promise.all(
      NODE_IDS.map(async (id) => {
        const env = { REDIS_URL: redis!.url, REDIS_PREFIX: prefix, NODE_ID: id, TRUST_PROXY: "1", LOG_LEVEL: "warn", ADMIN_TOKEN };
        nodes.set(id, await spawnServer({ entry: "socket", name: id, env }));
      }),
    );
    nginx = await startNginx(NODE_IDS.map((id) => `127.0.0.1:${nodes.get(id)!.port}`));
  }, 60_000);

  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await nginx?.stop();
    await Promise.all([...nodes.values()].map((node) => node.stop()));
    await redis?.stop();
    for (const dir of [redis?.dir, ...[...nodes.values()].map((node) => node.dataDir)]) if (dir) rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  /** A client as a tab makes it: `board` and `tab` on every request, through nginx unless told a node's URL. */
  function connect(opts: { transports: Transport[]; board?: string; url?: string; extraHeaders?: Record<string, string> }): Promise<ClientSocket> {
    const tab = Math.random().toString(36).slice(2, 10);
    const query = { ...(opts.board && { board: opts.board }), tab };
    const socket: ClientSocket = io(opts.url ?? nginx!.url, {
      forceNew: true,
      reconnection: false,
      transports: opts.transports,
      query,
      ...(opts.extraHeaders && { extraHeaders: opts.extraHeaders }),
    });
    sockets.push(socket);
    return new Promise((resolve, reject) => {
      socket.once("connect", () => resolve(socket));
      socket.once("connect_error", reject);
    });
  }

  /** The node serving a connection: in cluster mode the ping ack names it. */
  async function nodeOf(socket: ClientSocket): Promise<string> {
    const res = await socket.emitWithAck("ping");
    if (!res.ok || !res.node) throw new Error(`ping answered no node: ${JSON.stringify(res)}`);
    return res.node;
  }

  const nextOp = (socket: ClientSocket) => new Promise<AppliedOp>((resolve) => socket.once("op", resolve));

  /** A tab through nginx and one straight on another node, on one board: each hears the other's ops. */
  async function exchange(board: string, transports: Transport[], extraHeaders?: Record<string, string>): Promise<{ viaNginx: ClientSocket; node: string }> {
    const viaNginx = await connect({ transports, board, extraHeaders });
    const node = await nodeOf(viaNginx);
    const other = NODE_IDS.find((id) => id !== node)!;
    const direct = await connect({ transports: ["websocket"], board, url: nodes.get(other)!.url });
    expect(await nodeOf(direct)).toBe(other);
    await joinBoard(viaNginx, board, "Ada");
    await joinBoard(direct, board, "Bob");

    const toDirect = nextOp(direct);
    const mine = await commit(viaNginx, addOp(`${board}-a`, strokeInput(`${board}-a`)));
    expect(await toDirect).toEqual(mine);
    const toNginx = nextOp(viaNginx);
    const theirs = await commit(direct, addOp(`${board}-b`, strokeInput(`${board}-b`)));
    expect(await toNginx).toEqual(theirs);
    expect(theirs.seq).toBe(mine.seq + 1);
    return { viaNginx, node };
  }

  // CI installs nginx (.ci/run): there a missing one is a failure, said as such, not a skip.
  if (!installed && !skip) {
    it(`has ${NGINX_BIN} to run`, () => {
      throw new Error(`${NGINX_BIN} is not installed: CI must install it with "apt-get install ${NGINX_PACKAGE}"`);
    });
  }

  it.skipIf(!installed)("runs the very site docs/DEPLOY.md shows", () => {
    const deploy = readFileSync(join(REPO_ROOT, "docs/DEPLOY.md"), "utf8");
    const blocks = [...deploy.matchAll(/```nginx\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks).toContain(readFileSync(SITE_CONF, "utf8"));
    // Only the addresses differ from the documented file.
    const documented = readFileSync(SITE_CONF, "utf8").split("\n");
    const changed = nginx!.site.split("\n").filter((line) => !documented.includes(line));
    expect(changed.every((line) => /^\s*(server 127\.0\.0\.1:\d+|listen 127\.0\.0\.1:\d+);$/.test(line))).toBe(true);
  });

  it.skipIf(!installed)("carries a WebSocket tab: it joins a board and exchanges ops with a tab on another node", async () => {
    await exchange("ws-board", ["websocket"]);
  });

  it.skipIf(!installed)("carries a long-polling tab, every request of it on one node, the browser's Origin accepted", async () => {
    // A page served through nginx on its port: its Origin must match the Host the node sees.
    const { viaNginx, node } = await exchange("poll-board", ["polling"], { origin: nginx!.url });
    expect(viaNginx.io.engine.transport.name).toBe("polling");
    // Each ping is a request of its own on the same Engine.IO session: a wrong node would not know it.
    for (let i = 0; i < 5; i++) expect(await nodeOf(viaNginx)).toBe(node);
  });

  it.skipIf(!installed)("upgrades a tab from long polling to a WebSocket on the same node", async () => {
    const socket = await connect({ transports: ["polling", "websocket"], board: "upgrade-board" });
    const node = await nodeOf(socket);
    if (socket.io.engine.transport.name !== "websocket") await new Promise((resolve) => socket.io.engine.once("upgrade", resolve));
    expect(await nodeOf(socket)).toBe(node);
  });

  it.skipIf(!installed)("sends every tab of a board to one node, and spreads boards over all the nodes", async () => {
    const boards = Array.from({ length: 40 }, (_, i) => `spread-${i}`);
    const transports: Transport[][] = [["websocket"], ["polling"], ["polling", "websocket"]];
    const nodesByBoard = await Promise.all(
      boards.map(async (board) => {
        const tabs = await Promise.all(transports.map((t) => connect({ transports: t, board })));
        const seen = await Promise.all(tabs.map(nodeOf));
        for (const tab of tabs) tab.disconnect();
        return seen;
      }),
    );
    for (const seen of nodesByBoard) expect(new Set(seen).size).toBe(1);
    expect(new Set(nodesByBoard.map((seen) => seen[0])).size).toBe(NODE_IDS.length);
  });

  it.skipIf(!installed)("keeps a viewer's long-polling tab, which names no board, on one node by its tab", async () => {
    const viewer = await connect({ transports: ["polling"] });
    const node = await nodeOf(viewer);
    for (let i = 0; i < 5; i++) expect(await nodeOf(viewer)).toBe(node);
  });

  it.skipIf(!installed)("passes the client's address on: the node takes nginx's hop, not what the client claims", async () => {
    // From 127.0.0.5 (loopback all the same), claiming another address: nginx connects to the
    // node from 127.0.0.1 and appends 127.0.0.5, which the node (TRUST_PROXY=1) takes.
    // `localAddress` goes to the WebSocket's connection (engine.io-client passes it on; its types omit it).
    const options: Partial<ManagerOptions & SocketOptions> & { localAddress: string } = {
      forceNew: true,
      reconnection: false,
      transports: ["websocket"],
      query: { board: "xff" },
      auth: { token: "not-the-admin-token-at-all" },
      extraHeaders: { "x-forwarded-for": "203.0.113.7" },
      localAddress: "127.0.0.5",
    };
    const admin = io(`${nginx!.url}/admin`, options);
    sockets.push(admin as unknown as ClientSocket);
    const refused = await new Promise<Error>((resolve) => admin.once("connect_error", resolve));
    expect(refused.message).toBe("Wrong admin token.");
    const node = await nodeOf(await connect({ transports: ["websocket"], board: "xff" }));
    await expect.poll(() => nodes.get(node)!.output()).toMatch(/admin: wrong token refused.*"address":"127\.0\.0\.5"/);
    expect(nodes.get(node)!.output()).not.toContain("203.0.113.7");
  });

  // Last: it kills a node.
  it.skipIf(!installed)("moves a board's tabs to another node when its node dies: they resume from where they were", async () => {
    const board = "failover";
    const socket: ClientSocket = io(nginx!.url, { forceNew: true, transports: ["websocket"], query: { board, tab: "t-failover" }, reconnectionDelay: 50, reconnectionDelayMax: 200 });
    sockets.push(socket);
    await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
    const dead = await nodeOf(socket);
    const clientId = newClientId();
    const joined = await joinBoard(socket, board, "Ada", clientId);
    const drawn = await commit(socket, addOp("before", strokeInput("before")));

    const reconnected = new Promise((resolve) => socket.io.once("reconnect", resolve));
    await nodes.get(dead)!.kill();
    await reconnected;
    const now = await nodeOf(socket);
    expect(now).not.toBe(dead);
    const res = await socket.emitWithAck("board:join", { protocol: PROTOCOL_VERSION, boardId: board, name: "Ada", clientId, resume: { epoch: joined.epoch, seq: drawn.seq } });
    expect(res).toMatchObject({ ok: true, sync: "delta", epoch: joined.epoch, seq: drawn.seq });
    expect((await commit(socket, addOp("after", strokeInput("after")))).seq).toBe(drawn.seq + 1);
  });
});
