/** Counters of what the server refused, dropped or failed at: the numbers `/healthz` shows. */
export class Metrics {
  readonly counters = {
    /** Payloads refused by their schema. */
    invalidPayloads: 0,
    /** Events refused or dropped for going over their rate. */
    rateLimited: 0,
    /** Events no handler knows (ignored). */
    unknownEvents: 0,
    /** Connections cut off for sending invalid payloads again and again, or far past their byte rate. */
    connectionsCutOff: 0,
    /** Connections closed for not reading: too much queued for them, or nothing taken for too long. */
    slowReadersClosed: 0,
    /** Promises nobody awaited that failed (logged, not fatal). */
    unhandledRejections: 0,
    /** Handlers that threw (answered INTERNAL). */
    handlerErrors: 0,
    /** Connections refused: Host or Origin not allowed, or too many from one address. */
    refusedConnections: 0,
    /** Pages, /healthz and upgrades refused for a Host this server is not reached by (DNS rebinding). */
    refusedHosts: 0,
    opsCommitted: 0,
    /** Connections to /admin refused: a wrong token, or too many of them from one address. */
    adminRefusals: 0,
  };

  count(name: keyof Metrics["counters"], n = 1): void {
    this.counters[name] += n;
  }
}
