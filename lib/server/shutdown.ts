import type { Server as HttpServer } from "node:http";
import type { Logger } from "./log";

/**
 * On SIGINT or SIGTERM: stop accepting, let `closeApp` tell clients and finish what is in
 * flight, then exit 0. Connections still open after the grace period are cut so that the
 * process always ends within it. A second signal exits at once.
 *
 * An uncaught exception or unhandled rejection takes the same way out, logged with its stack,
 * exiting 1: after one, the process's state is unknown, and serving on could ack changes it
 * cannot keep. Nothing a client sends may reach here (every packet is handled at the boundary);
 * should a bug let one through, acked changes are already stored and the tabs resume by
 * themselves once a supervisor (systemd, Docker, pm2) has restarted the server. Next.js's own
 * process-wide handler, which logs and carries on, is not relied on.
 */
export function handleShutdownSignals(args: {
  httpServer: HttpServer;
  log: Logger;
  graceMs: number;
  closeApp: () => Promise<void>;
}): void {
  const { httpServer, log, graceMs, closeApp } = args;
  let stopping = false;
  const stop = async (signal: NodeJS.Signals | "fatal", exitCode = 0) => {
    if (stopping) {
      log.warn(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    if (signal !== "fatal") log.info(`${signal}: shutting down`);
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
    process.exit(exitCode);
  };
  const fatal = (kind: string) => (err: unknown) => {
    log.error(`${kind}: shutting down`, { error: String((err as Error)?.stack ?? err) });
    void stop("fatal", 1);
  };
  process.on("SIGINT", (signal) => void stop(signal));
  process.on("SIGTERM", (signal) => void stop(signal));
  process.on("uncaughtException", fatal("uncaught exception"));
  process.on("unhandledRejection", fatal("unhandled rejection"));
}
