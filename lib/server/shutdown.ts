import type { Server as HttpServer } from "node:http";
import type { Logger } from "./log";
import { TokenBucket } from "./rate-limit";

/**
 * On SIGINT or SIGTERM: stop accepting, let `closeApp` tell clients and finish what is in
 * flight, then exit 0. Connections still open after the grace period are cut so that the
 * process always ends within it. A second signal exits at once.
 *
 * An uncaught exception takes the same way out, logged with its stack, exiting 1: a throw that
 * unwound through Socket.IO or Node's own code leaves the process's state unknown, and serving
 * on could ack changes it cannot keep. Nothing a client sends may reach here (every packet is
 * handled at the boundary); should a bug let one through, acked changes are already stored and
 * the tabs resume by themselves once a supervisor (systemd, Docker, pm2) has restarted the
 * server. Next.js's own process-wide handler, which logs and carries on, is not relied on. An
 * unhandled rejection unwound nothing (a promise nobody awaited failed): it is logged, a few a
 * minute, and counted by the caller, not fatal, so that no request can restart the server.
 */
export function handleShutdownSignals(args: {
  httpServer: HttpServer;
  log: Logger;
  graceMs: number;
  closeApp: () => Promise<void>;
  /** Told of every unhandled rejection (to count it). */
  onRejection?: () => void;
}): void {
  const { httpServer, log, graceMs, closeApp, onRejection } = args;
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
  process.on("SIGINT", (signal) => void stop(signal));
  process.on("SIGTERM", (signal) => void stop(signal));
  process.on("uncaughtException", (err) => {
    log.error("uncaught exception: shutting down", { error: String(err?.stack ?? err) });
    void stop("fatal", 1);
  });
  const rejections = new TokenBucket(5, 5 / 60, Date.now());
  process.on("unhandledRejection", (reason) => {
    onRejection?.();
    if (rejections.take(Date.now()).ok) log.error("unhandled rejection", { error: String((reason as Error)?.stack ?? reason) });
  });
}
