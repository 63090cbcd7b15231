import type { IncomingMessage } from "node:http";
import { isIPv6 } from "node:net";
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

/**
 * Who a per-address limit counts: the client's address, but for IPv6 its /64 network, since one
 * subscriber is handed a whole /64 and could otherwise come from a new address for every
 * connection. IPv4 written in IPv6 form (`::ffff:1.2.3.4`) counts as the IPv4 address it is.
 */
export function limitKey(headers: IncomingMessage["headers"], socketAddress: string, trustProxy: boolean): string {
  const address = clientAddress(headers, socketAddress, trustProxy);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (isIPv6(address)) return `${expandIPv6(address).slice(0, 4).join(":")}::/64`;
  return address;
}

/** The eight groups of an IPv6 address, zeros filled in where `::` stood (a zone id dropped). */
function expandIPv6(address: string): string[] {
  const [head = "", tail] = address.split("%")[0]!.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...zeros, ...right].map((group) => group.toLowerCase().replace(/^0+(?=.)/, ""));
}

/** Who a per-address limit counts for a connection, from its handshake (see `limitKey`). */
export function handshakeKey(handshake: { headers: IncomingMessage["headers"]; address: string }, trustProxy: boolean): string {
  return limitKey(handshake.headers, handshake.address, trustProxy);
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
