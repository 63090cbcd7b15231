/**
 * The socket server without Next: server.ts minus the pages, for what needs the real server in a
 * process of its own and no production build (the crash tests' SIGKILL and SIGTERM, load from
 * the bots). Configured from the environment like server.ts, on 127.0.0.1 (it serves no pages,
 * so nobody browses to it); prints the same ready line:
 *   PORT=0 npx tsx tools/socket-server.ts
 */
import { loadConfig } from "../lib/server/config";
import { createLogger } from "../lib/server/log";
import { runAsProcess, startServer } from "../lib/server/start-server";

const config = loadConfig();
const log = createLogger(config.logLevel);
await runAsProcess(startServer({ config, log }), { config, log, host: "127.0.0.1", detail: "socket server only" });
