import type { IncomingMessage, RequestListener } from "node:http";
import type { Duplex } from "node:stream";
import type { Config } from "./config";
import { reachableNames } from "./host-names";
import type { Logger } from "./log";

/** Names the setting, never the Host: a refusal does not echo what the client sent. */
const REFUSAL = "This server is not reached by that host name. Its operator can allow the name with ALLOWED_HOSTS.\n";
const LOGGED_HOST_CHARS = 100;

export interface HostGuard {
  /** `handler`, behind the Host check: a request for another name gets 421 Misdirected Request. */
  request(handler: RequestListener): RequestListener;
  /** Whether an upgrade may go on; if not, it has been answered 421 and its socket closes. */
  upgrade(req: IncomingMessage, socket: Duplex): boolean;
}

/**
 * The Host check (see HostNames) for the HTTP answers and upgrades that are not Socket.IO's
 * (pages, /healthz, Next's hot reload): a page on a rebinding domain could read them too.
 * Socket.IO's own requests are checked by `originAllowed`. `refused` counts each refusal.
 */
export function hostGuard(config: Config, log: Logger, refused: () => void): HostGuard {
  const names = reachableNames(config);
  const allowed = (req: IncomingMessage) => {
    if (names.allows(req.headers.host)) return true;
    refused();
    log.warn("request refused: host not allowed", { host: req.headers.host?.slice(0, LOGGED_HOST_CHARS) });
    return false;
  };
  return {
    request: (handler) => (req, res) => {
      if (allowed(req)) return handler(req, res);
      res.writeHead(421, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", connection: "close" });
      res.end(REFUSAL);
    },
    upgrade(req, socket) {
      if (allowed(req)) return true;
      // Node takes its error handler off an upgraded socket: a reset must not become an uncaught error.
      socket.on("error", () => socket.destroy());
      socket.end(
        "HTTP/1.1 421 Misdirected Request\r\nContent-Type: text/plain; charset=utf-8\r\n" +
          `Content-Length: ${Buffer.byteLength(REFUSAL)}\r\nConnection: close\r\n\r\n${REFUSAL}`,
        () => socket.destroy(),
      );
      return false;
    },
  };
}
