/**
 * The front of a local cluster: an HTTP and WebSocket reverse proxy that sends each board to one
 * node, so that a board's people usually meet there and its strokes, previews and cursors make
 * no hop between nodes (the cluster stays correct when they do not: the order is kept in Redis).
 *
 * A request's key is its `board` query parameter (a Socket.IO client sends it on every Engine.IO
 * request: the handshake, each long poll, the upgrade), else the id of a `/b/<id>` page, else
 * one fixed key, so that the lobby and the static assets come from one node. With `spread`,
 * the key is the board and the tab (`tab`, a per-tab random id; not `t`, which Engine.IO's
 * polling overwrites on every request with its cache buster), so one board's tabs spread over
 * every node while each tab stays on one.
 *
 * The node for a key is the live node ranked first by rendezvous hashing: losing a node moves
 * only the keys it had. Long polling needs every request of an Engine.IO session on the node
 * that made the session, and it gets that for as long as the set of live nodes does not change.
 * When it does (a node fails, or comes back), the sessions whose key moved get "Session ID
 * unknown" from their new node and reconnect, as they would have after losing their node anyway.
 */
import { createHash } from "node:crypto";
import { createServer, get, request, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";

export interface ProxyNode {
  id: string;
  /** Its base URL, e.g. http://127.0.0.1:41231. */
  url: string;
}

export interface ProxyOptions {
  nodes: ProxyNode[];
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Key by board and tab, so one board's tabs spread over every node. */
  spread?: boolean;
  /** How often a node that is down is asked for /healthz. Default 1 s. */
  healthIntervalMs?: number;
  /** Hears a node going down and coming back. */
  log?: (line: string) => void;
}

export interface Proxy {
  url: string;
  port: number;
  /** The ids of the nodes requests may go to now. */
  live(): string[];
  /** Sends no more requests to a node until it answers /healthz (the launcher knows of a death first). */
  markDown(id: string, reason: string): void;
  close(): Promise<void>;
}

interface Node extends ProxyNode {
  host: string;
  port: number;
  down: boolean;
}

const LOBBY_KEY = "/";
const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade"];
const UNAVAILABLE = "No Scribble node is reachable\n";

export async function startProxy(opts: ProxyOptions): Promise<Proxy> {
  const log = opts.log ?? (() => {});
  const nodes: Node[] = opts.nodes.map(({ id, url }) => {
    const target = new URL(url);
    return { id, url, host: target.hostname.replace(/^\[|\]$/g, ""), port: Number(target.port), down: false };
  });
  const tunnels = new Set<Socket>();
  const markDown = (node: Node, reason: string) => {
    if (node.down) return;
    node.down = true;
    log(`${node.id} is down (${reason}): its boards go to the other nodes`);
  };

  /** The live nodes in the order to try them: the pinned one (`node=`), then by rendezvous rank. */
  const candidates = (req: IncomingMessage): Node[] => {
    const url = parseUrl(req.url);
    const key = url ? routeKey(url, opts.spread ?? false) : LOBBY_KEY;
    const live = nodes.filter((n) => !n.down);
    const ranked = rank(key, live.map((n) => n.id)).map((id) => live.find((n) => n.id === id)!);
    const pinned = ranked.find((n) => n.id === url?.searchParams.get("node"));
    return pinned ? [pinned, ...ranked.filter((n) => n !== pinned)] : ranked;
  };

  const forward = (req: IncomingMessage, res: ServerResponse, order: Node[]): void => {
    const node = order.shift();
    if (!node) return void res.writeHead(502, { "content-type": "text/plain" }).end(UNAVAILABLE);
    // Until the connection is made nothing of the request's body has been read, so another node can take it whole.
    let started = false;
    const out = request({ host: node.host, port: node.port, method: req.method, path: req.url, headers: forwardedHeaders(req), agent: false });
    out.on("socket", (socket) =>
      socket.once("connect", () => {
        started = true;
        req.pipe(out);
      }),
    );
    out.on("response", (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, { ...without(answer.headers, HOP_BY_HOP), "x-scribble-node": node.id });
      answer.pipe(res);
      answer.on("close", () => answer.complete || res.destroy());
    });
    out.on("error", (err) => {
      if (res.destroyed || res.writableFinished) return;
      if (!started) {
        markDown(node, errorCode(err));
        forward(req, res, order);
      } else if (res.headersSent) res.destroy();
      else res.writeHead(502, { "content-type": "text/plain" }).end(`${node.id} failed: ${err.message}\n`);
    });
    // The client gone (a long poll given up, a tab closed): so is the node's request.
    res.on("close", () => res.writableFinished || out.destroy());
  };

  const tunnel = (req: IncomingMessage, client: Socket, head: Buffer, order: Node[]): void => {
    const node = order.shift();
    if (!node) return void client.end(`HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/plain\r\ncontent-length: ${UNAVAILABLE.length}\r\nconnection: close\r\n\r\n${UNAVAILABLE}`);
    const upstream = connect(node.port, node.host);
    let open = false;
    client.once("close", () => upstream.destroy());
    upstream.once("connect", () => {
      open = true;
      const headers = { ...forwardedHeaders(req), connection: "Upgrade", upgrade: req.headers.upgrade ?? "websocket" };
      upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headerLines(headers)}\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.setNoDelay(true);
      client.pipe(upstream);
      upstream.pipe(client);
      // A node that ends its side (or dies) ends the client's: written data is flushed first.
      upstream.once("close", () => client.end());
    });
    upstream.on("error", (err) => {
      if (!open && !client.destroyed) {
        upstream.destroy();
        markDown(node, errorCode(err));
        tunnel(req, client, head, order);
      } else client.destroy();
    });
  };

  const server = createServer((req, res) => forward(req, res, candidates(req)));
  server.on("upgrade", (req: IncomingMessage, client: Socket, head: Buffer) => {
    tunnels.add(client);
    client.once("close", () => tunnels.delete(client));
    client.on("error", () => client.destroy());
    client.setNoDelay(true);
    tunnel(req, client, head, candidates(req));
  });

  const healthIntervalMs = opts.healthIntervalMs ?? 1_000;
  const probe = (node: Node) => {
    const check = get({ host: node.host, port: node.port, path: "/healthz", agent: false, timeout: healthIntervalMs }, (res) => {
      res.resume();
      if (res.statusCode === 200 && node.down) {
        node.down = false;
        log(`${node.id} is back`);
      }
    });
    check.on("timeout", () => check.destroy());
    check.on("error", () => {});
  };
  const health = setInterval(() => nodes.filter((n) => n.down).forEach(probe), healthIntervalMs);

  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => (server.off("error", reject), resolve()));
  }).catch((err: unknown) => {
    clearInterval(health);
    throw new Error(`the proxy cannot listen on ${host}:${opts.port ?? 0}: ${(err as Error).message}`);
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    live: () => nodes.filter((n) => !n.down).map((n) => n.id),
    markDown: (id, reason) => nodes.filter((n) => n.id === id).forEach((n) => markDown(n, reason)),
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(health);
        server.close(() => resolve());
        for (const socket of tunnels) socket.destroy();
        server.closeAllConnections();
      }),
  };
}

function routeKey(url: URL, spread: boolean): string {
  const page = /^\/b\/([^/]+)/.exec(url.pathname)?.[1];
  const board = url.searchParams.get("board") ?? (page === undefined ? undefined : safeDecode(page));
  if (!board) return LOBBY_KEY;
  const tab = spread ? url.searchParams.get("tab") : null;
  return tab ? `${board}|${tab}` : board;
}

/**
 * Nodes in the order a key goes to them (rendezvous hashing): the same on every run and every
 * machine, and removing a node moves only the keys it had.
 */
export function rank(key: string, nodeIds: readonly string[]): string[] {
  const score = (id: string) => createHash("sha1").update(`${key}|${id}`).digest().readUIntBE(0, 6);
  return [...nodeIds].sort((a, b) => score(b) - score(a));
}

/** The request's headers for a node: hop-by-hop ones dropped, Host kept, the client's address appended. */
function forwardedHeaders(req: IncomingMessage): IncomingHttpHeaders {
  const prior = req.headers["x-forwarded-for"];
  const address = req.socket.remoteAddress ?? "unknown";
  return {
    ...without(req.headers, HOP_BY_HOP),
    "x-forwarded-for": prior ? `${prior}, ${address}` : address,
    "x-forwarded-proto": "http",
  };
}

function without(headers: IncomingHttpHeaders, names: string[]): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name, value]) => value !== undefined && !names.includes(name)));
}

function headerLines(headers: IncomingHttpHeaders): string {
  return Object.entries(headers)
    .flatMap(([name, value]) => [value ?? []].flat().map((v) => `${name}: ${v}\r\n`))
    .join("");
}

function parseUrl(path: string | undefined): URL | undefined {
  try {
    return new URL(path ?? "/", "http://proxy");
  } catch {
    return undefined;
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const errorCode = (err: Error) => (err as NodeJS.ErrnoException).code ?? err.message;
