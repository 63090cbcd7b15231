import { machineBusyPercent, sampleMachineCpu } from "./machine";

/**
 * This machine is shared (other people's builds and test runs): a cell measured while they hold
 * the cores measures them too. So cells start on a quiet machine, and one found disturbed
 * afterwards is measured again, both bounded.
 */

/** Machine CPU (% of one core) below which a cell may start. */
const QUIET_PERCENT = 25;
const SAMPLE_MS = 1_000;

export async function waitForQuiet(cores: number, maxWaitMs: number): Promise<{ quiet: boolean; busyPercent: number }> {
  const attempts = Math.max(1, Math.ceil(maxWaitMs / SAMPLE_MS));
  let busyPercent = 0;
  for (let i = 0; i < attempts; i++) {
    const from = sampleMachineCpu();
    await new Promise((resolve) => setTimeout(resolve, SAMPLE_MS));
    busyPercent = machineBusyPercent(from, sampleMachineCpu(), cores).busy;
    if (busyPercent <= QUIET_PERCENT) return { quiet: true, busyPercent };
  }
  return { quiet: false, busyPercent };
}

/**
 * Runs `measure` once the machine is quiet; again (up to `attempts` in all) while `disturbed`
 * says the result was spoiled by other processes and the run's deadline allows. Keeps the last.
 */
export async function measureQuietly<T>(opts: {
  cores: number;
  maxWaitMs: number;
  deadline: number;
  attempts?: number;
  measure: () => Promise<T>;
  disturbed: (result: T) => boolean;
}): Promise<{ result: T; notes: string[] }> {
  const notes: string[] = [];
  const attempts = opts.attempts ?? 2;
  for (let i = 1; ; i++) {
    const idle = await waitForQuiet(opts.cores, opts.maxWaitMs);
    if (!idle.quiet) notes.push(`attempt ${i} started on a busy machine (${idle.busyPercent.toFixed(0)}% of a core in use)`);
    const result = await opts.measure();
    if (!opts.disturbed(result) || i >= attempts || Date.now() > opts.deadline) return { result, notes };
    notes.push(`attempt ${i} was disturbed by other processes; measured again`);
  }
}
