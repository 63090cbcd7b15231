/**
 * The line a server process prints once it listens, whatever LOG_LEVEL says: people read its URL
 * from it (PORT=0 picks any free port), and whatever spawns a server (tests, bench) waits for it.
 */
export function readyLine(url: string, detail: string): string {
  return `Scribble ready on ${url} (${detail})`;
}

/** Finds the ready line in a process's output; group 1 is the URL, group 2 the port. */
export const READY_LINE = /Scribble ready on (http:\/\/[^\s/]+:(\d+))/;
