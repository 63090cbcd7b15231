import type { IncomingMessage } from "node:http";
import type { Config } from "./config";
import { reachableNames } from "./host-names";

/**
 * Whether a connection attempt may come in from where it says it comes from. Its `Host` must be
 * a name this server is reached by (`hostAllowed`). Browsers send `Origin`: it must be this
 * server itself, or one of ALLOWED_ORIGINS (WebSockets are not held to CORS by browsers, so this
 * is the only check that keeps another site's page out). Clients that are not browsers (bots,
 * tests) send no Origin and are let through.
 */
export function originAllowed(req: IncomingMessage, config: Config): boolean {
  if (!hostAllowed(req, config)) return false;
  const origin = req.headers.origin;
  if (!origin) return true;
  if (config.allowedOrigins.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/**
 * Whether the request's `Host` is a name this server is reached by. Comparing Origin with Host
 * is not enough: a page on a rebinding domain (attacker.example made to resolve to this server)
 * sends the same name in both.
 */
export function hostAllowed(req: IncomingMessage, config: Config): boolean {
  return reachableNames(config).allows(req.headers.host);
}

/**
 * The client's address: the socket's, or behind a trusted proxy the last X-Forwarded-For hop,
 * the one the proxy itself appended (earlier hops are whatever the client chose to send).
 */
export function clientAddress(headers: IncomingMessage["headers"], socketAddress: string, trustProxy: boolean): string {
  const forwarded = headers["x-forwarded-for"];
  const last = (Array.isArray(forwarded) ? forwarded.at(-1) : forwarded)?.split(",").at(-1)?.trim();
  return trustProxy && last ? last : socketAddress;
}

/** Open connections per client address, so that one address cannot take every connection. */
export class ConnectionCounter {
  private readonly open = new Map<string, number>();

  constructor(private readonly max: number) {}

  /** Counts a new connection from `address`, or returns false when it has too many. */
  admit(address: string): boolean {
    const n = this.open.get(address) ?? 0;
    if (n >= this.max) return false;
    this.open.set(address, n + 1);
    return true;
  }

  count(address: string): number {
    return this.open.get(address) ?? 0;
  }

  release(address: string): void {
    const n = (this.open.get(address) ?? 1) - 1;
    if (n <= 0) this.open.delete(address);
    else this.open.set(address, n);
  }
}
