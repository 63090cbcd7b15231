/**
 * Debian's nginx as a child process of a test, in front of nodes started by the test, running
 * the site configuration docs/DEPLOY.md documents (docs/nginx/scribble.conf) with only its
 * addresses changed: its upstream's servers and its listen address.
 */
import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, watch, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT, supervise, type Spawned } from "@/tools/lib/spawn-server";

export const NGINX_BIN = "/usr/sbin/nginx";
/** The Debian package of NGINX_BIN (nginx-light and nginx-full depend on it): map, upstream hash and proxy are built in. */
export const NGINX_PACKAGE = "nginx";
export const SITE_CONF = join(REPO_ROOT, "docs/nginx/scribble.conf");

const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;

export interface Nginx {
  url: string;
  port: number;
  pid: number;
  /** The site as it runs: the documented file with the test's addresses. */
  site: string;
  /** What nginx wrote to stderr (its error log), for failure messages. */
  output(): string;
  /** SIGTERM (a fast shutdown), SIGKILL after the grace; resolves once it exited and its directory is gone. */
  stop(): Promise<void>;
}

/**
 * The documented site with the upstream's servers replaced by `upstreams` (host:port each) and
 * its `listen` by `listen`: every other line as documented. Throws when the file no longer has
 * the lines it replaces, so that the test cannot quietly run something else than the docs say.
 */
export function siteFor(template: string, upstreams: string[], listen: string): string {
  const upstream = /(upstream scribble \{\n)([\s\S]*?)(\n\})/.exec(template);
  if (!upstream) throw new Error(`${SITE_CONF} has no "upstream scribble { ... }" block`);
  const lines = upstream[2]!.split("\n");
  const kept = lines.filter((line) => !/^\s*server\s+\S+;\s*$/.test(line));
  if (lines.length - kept.length === 0) throw new Error(`the upstream of ${SITE_CONF} lists no "server host:port;" line`);
  const servers = upstreams.map((address) => `    server ${address};`);
  let site = template.replace(upstream[0], `${upstream[1]}${[...kept, ...servers].join("\n")}${upstream[3]}`);
  const listens = site.match(/^\s*listen\s+80;\s*$/gm) ?? [];
  if (listens.length !== 1) throw new Error(`${SITE_CONF} must have one "listen 80;" line, not ${listens.length}`);
  site = site.replace(/^(\s*)listen\s+80;\s*$/m, `$1listen ${listen};`);
  return site;
}

/** A port free on 127.0.0.1 now: bound, read, and let go for nginx to take. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts nginx (not as a daemon) with the documented site in front of `upstreams`; resolves once it answers. */
export async function startNginx(upstreams: string[]): Promise<Nginx> {
  if (!existsSync(NGINX_BIN)) throw new Error(`${NGINX_BIN} is missing: install it with "apt-get install ${NGINX_PACKAGE}"`);
  const dir = mkdtempSync(join(tmpdir(), "scribble-nginx-"));
  // Run as root, nginx's workers run as nobody: they must reach the temporary paths inside.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const site = siteFor(readFileSync(SITE_CONF, "utf8"), upstreams, `127.0.0.1:${port}`);
  writeFileSync(join(dir, "scribble.conf"), site);
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((kind) => `  ${kind}_temp_path ${join(dir, kind)};`).join("\n");
  writeFileSync(
    join(dir, "nginx.conf"),
    `worker_processes 1;
pid ${join(dir, "nginx.pid")};
error_log stderr warn;
events { worker_connections 1024; }
http {
  access_log off;
${temp}
  include ${join(dir, "scribble.conf")};
}
`,
  );

  const child = spawn(NGINX_BIN, ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", "stderr", "-g", "daemon off;"], { stdio: ["ignore", "pipe", "pipe"] });
  const url = `http://127.0.0.1:${port}`;
  const pidFile = join(dir, "nginx.pid");
  let nginx: Spawned<void>;
  // nginx prints nothing once it listens; it writes its pid file right after it opened its
  // sockets, before its worker takes connections (which wait in the backlog meanwhile).
  const watcher = watch(dir);
  watcher.on("error", () => undefined);
  try {
    nginx = await supervise(child, { name: "nginx", readyTimeoutMs: READY_TIMEOUT_MS }, async () => {
      await new Promise<void>((resolve) => {
        watcher.on("change", () => existsSync(pidFile) && resolve());
        if (existsSync(pidFile)) resolve();
      });
      const health = await fetch(`${url}/healthz`);
      if (!health.ok) throw new Error(`nginx answered /healthz with ${health.status}`);
    });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(err as Error).message}\n--- the site it ran:\n${site}`);
  } finally {
    watcher.close();
  }
  const stop = async () => {
    await nginx.stop(STOP_GRACE_MS);
    rmSync(dir, { recursive: true, force: true });
  };
  return { url, port, pid: nginx.pid, site, output: nginx.output, stop };
}
