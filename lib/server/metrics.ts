/** Counters of what the server refused, dropped or failed at: the numbers `/healthz` shows. */
export class Metrics {
  readonly counters = {
    /** Payloads refused by their schema. */
    invalidPayloads: 0,
    /** Events refused or dropped for going over their rate. */
    rateLimited: 0,
    /** Events no handler knows (ignored). */
    unknownEvents: 0,
    /** Handlers that threw (answered INTERNAL). */
    handlerErrors: 0,
    /** Connections refused: origin not allowed, or too many from one address. */
    refusedConnections: 0,
    opsCommitted: 0,
  };

  count(name: keyof Metrics["counters"]): void {
    this.counters[name] += 1;
  }
}
