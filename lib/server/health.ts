import type { IncomingMessage, ServerResponse } from "node:http";
import { isIPv4 } from "node:net";
import { clientAddress } from "./admission";
import type { Config } from "./config";
import { secretMatcher } from "./keys";
import type { SocketServer } from "./socket-server";

export const HEALTH_PATH = "/healthz";

/** Headers a proxy adds: a request bearing one was relayed, whatever its socket's address. */
const FORWARDING_HEADERS = ["x-forwarded-for", "forwarded", "x-real-ip"] as const;

/**
 * `GET /healthz`. Anyone learns that the server is alive (`{ ok: true }`); the numbers worth
 * watching (connections, boards, memory, refusals) only this machine, or a monitor showing
 * HEALTH_TOKEN: to anyone else they tell how close the server is to its limits.
 */
export function healthHandler(
  sockets: SocketServer,
  storage: string,
  config: Pick<Config, "trustProxy" | "healthToken" | "redisUrl" | "nodeId">,
): (req: IncomingMessage, res: ServerResponse) => void {
  const startedAt = Date.now();
  const isToken = secretMatcher(config.healthToken);
  const showsToken = (req: IncomingMessage) => isToken(/^Bearer +(\S+)$/i.exec(req.headers.authorization ?? "")?.[1]);
  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" });
      res.end("Method not allowed\n");
      return;
    }
    const details = fromThisMachine(req, config.trustProxy) || showsToken(req);
    const body = details
      ? {
          ok: true,
          uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
          storage,
          ...(config.redisUrl && { node: config.nodeId }),
          connections: sockets.io.engine.clientsCount,
          activeBoards: sockets.boards.activeBoards().length,
          boardsInMemory: sockets.boards.loadedCount,
          memoryMb: Math.round(process.memoryUsage().rss / 1_048_576),
          counters: sockets.metrics.counters,
        }
      : { ok: true };
    res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(body));
  };
}

/**
 * Whether the request comes from a program on this machine: over loopback and not relayed by a
 * proxy on it. Behind a trusted proxy, the hop it appended to X-Forwarded-For decides.
 */
function fromThisMachine(req: IncomingMessage, trustProxy: boolean): boolean {
  const socketAddress = req.socket.remoteAddress ?? "";
  if (!isLoopback(socketAddress)) return false;
  if (!FORWARDING_HEADERS.some((header) => req.headers[header] !== undefined)) return true;
  return trustProxy && req.headers["x-forwarded-for"] !== undefined && isLoopback(clientAddress(req.headers, socketAddress, true));
}

/** 127.0.0.0/8 (also as an IPv4-mapped IPv6 address) or ::1. */
function isLoopback(address: string): boolean {
  const v4 = address.startsWith("::ffff:") ? address.slice("::ffff:".length) : address;
  return (isIPv4(v4) && v4.startsWith("127.")) || address === "::1";
}
