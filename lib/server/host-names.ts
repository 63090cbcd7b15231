import { isIP } from "node:net";
import { hostname } from "node:os";

const NAME = /^(?:\*\.)?[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/;

/**
 * An `ALLOWED_HOSTS` entry as it is matched: a host name or `*.domain`, lowercased, without a
 * trailing dot; undefined when it is neither (a port, a scheme, a path, a stray `*`).
 */
export function hostPattern(entry: string): string | undefined {
  const pattern = entry.trim().toLowerCase().replace(/\.$/, "");
  return NAME.test(pattern) ? pattern : undefined;
}

/**
 * The host a `Host` header names, lowercased, without its port, its trailing dot or the
 * brackets of an IPv6 literal; undefined when the header is malformed.
 */
export function hostOf(header: string): string | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([\w.-]+))(?::\d{1,5})?$/.exec(header);
  if (!m) return undefined;
  if (m[1] !== undefined) return isIP(m[1]) === 6 ? m[1].toLowerCase() : undefined;
  return m[2]!.toLowerCase().replace(/\.$/, "");
}

/**
 * The names a server is reached by, against which a request's `Host` is checked: a page on a
 * rebinding domain (attacker.example resolving to this server) sends `Host: attacker.example`.
 * IP literals pass (rebinding needs a DNS name), and so do `localhost` and `*.localhost`
 * (browsers resolve them to loopback themselves). Ports are not compared.
 */
export class HostNames {
  private readonly names = new Set<string>();
  /** `.example.org` for `*.example.org`: any name under it, not the domain itself. */
  private readonly suffixes: string[] = [];

  constructor(patterns: Iterable<string>) {
    for (const pattern of patterns) {
      if (pattern.startsWith("*.")) this.suffixes.push(pattern.slice(1));
      else this.names.add(pattern);
    }
  }

  /** Whether a request with this `Host` header may be answered; a request without one is not a browser's. */
  allows(header: string | undefined): boolean {
    if (!header) return true;
    const host = hostOf(header);
    if (host === undefined) return false;
    if (isIP(host) || host === "localhost" || host.endsWith(".localhost") || this.names.has(host)) return true;
    return this.suffixes.some((suffix) => host.endsWith(suffix));
  }
}

/**
 * The names this server is reached by: the configured HOST when it is a name; this machine's
 * name, bare and as `<name>.local` (so that HOST=0.0.0.0 on a classroom network works by name);
 * the hosts of ALLOWED_ORIGINS; ALLOWED_HOSTS.
 */
/** The settings that name the server (config.ts reads them, and parses ALLOWED_HOSTS with `hostPattern`). */
interface NamingSettings {
  host: string;
  allowedOrigins: readonly string[];
  allowedHosts: readonly string[];
}

export function reachableNames(config: NamingSettings): HostNames {
  let names = namesFor.get(config);
  if (!names) {
    names = buildNames(config);
    namesFor.set(config, names);
  }
  return names;
}

/** Built once per configuration: every handshake and page request asks. */
const namesFor = new WeakMap<object, HostNames>();

function buildNames(config: NamingSettings): HostNames {
  const machine = hostname().toLowerCase();
  const originHosts = config.allowedOrigins.flatMap((origin) => {
    const host = URL.canParse(origin) ? new URL(origin).hostname : "";
    return host ? [host] : [];
  });
  const names = [config.host, machine, `${machine}.local`, ...originHosts].flatMap((name) => hostPattern(name) ?? []);
  return new HostNames([...names, ...config.allowedHosts]);
}
