import type { Server as HttpServer } from "node:http";
import type { Logger } from "./log";

/**
 * On SIGINT or SIGTERM: stop accepting, let `closeApp` tell clients and finish what is in
 * flight, then exit 0. Connections still open after the grace period are cut so that the
 * process always ends within it. A second signal exits at once.
 */
export function handleShutdownSignals(args: {
  httpServer: HttpServer;
  log: Logger;
  graceMs: number;
  closeApp: () => Promise<void>;
}): void {
  const { httpServer, log, graceMs, closeApp } = args;
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    log.info(`${signal}: shutting down`);
    const cut = setTimeout(() => {
      log.warn("grace period over: cutting the remaining connections");
      httpServer.closeAllConnections();
    }, graceMs);
    cut.unref();
    const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    httpServer.closeIdleConnections();
    try {
      await closeApp();
    } catch (err) {
      log.error("shutdown step failed", { error: String(err) });
    }
    await closed;
    clearTimeout(cut);
    log.info("stopped");
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
