export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * The processes one cell started, stopped together however the cell ends (done, failed, timed
 * out). Something added after the scope closed is stopped at once: a timed-out cell may still be
 * starting things in the background.
 */
export class Scope {
  private readonly items: Stoppable[] = [];
  private closed = false;

  add<T extends Stoppable>(item: T): T {
    if (this.closed) void item.stop();
    else this.items.push(item);
    return item;
  }

  async close(): Promise<void> {
    this.closed = true;
    // Last started first: clients leave before their server goes.
    const items = this.items.splice(0).reverse();
    for (const item of items) await item.stop().catch(() => undefined);
  }
}

export type CellOutcome<T> = { ok: true; value: T } | { ok: false; error: string };

/** Runs one measurement with a hard time limit; its processes end with it either way. */
export async function runCell<T>(timeoutMs: number, measure: (scope: Scope) => Promise<T>): Promise<CellOutcome<T>> {
  const scope = new Scope();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    return { ok: true, value: await Promise.race([measure(scope), timeout]) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
    await scope.close();
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
