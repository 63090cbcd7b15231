import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU time of process trees from /proc (Linux): a browser is many processes (browser, renderer,
 * GPU, utility), and a server started through a wrapper is a child of it. A tree's time includes
 * its exited children that were waited for (cutime, cstime).
 */

let tickMs: number | undefined;
function msPerTick(): number {
  if (tickMs === undefined) {
    try {
      tickMs = 1000 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
    } catch {
      tickMs = 10;
    }
    if (!Number.isFinite(tickMs) || tickMs <= 0) tickMs = 10;
  }
  return tickMs;
}

interface Proc {
  ppid: number;
  comm: string;
  cpuMs: number;
}

function readProcs(): Map<number, Proc> {
  const procs = new Map<number, Proc>();
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return procs;
  }
  const tick = msPerTick();
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // The command name is in parentheses and may hold spaces: the fields start after its ')'.
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      procs.set(Number(name), { ppid: Number(fields[1]), comm, cpuMs: (utime! + stime! + cutime! + cstime!) * tick });
    } catch {
      // Gone between the listing and the read.
    }
  }
  return procs;
}

/** Children of `ppid` whose command name matches, e.g. the browser a driver launched. */
export function childrenNamed(ppid: number, name: RegExp): number[] {
  return [...readProcs()].filter(([, p]) => p.ppid === ppid && name.test(p.comm)).map(([pid]) => pid);
}

/** CPU ms of each root's tree (the root and all its descendants), at this instant. */
export function treeCpuMs(roots: Record<string, number>): Record<string, number> {
  const procs = readProcs();
  const children = new Map<number, number[]>();
  for (const [pid, p] of procs) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
  const total = (root: number): number => {
    let sum = 0;
    const stack = [root];
    while (stack.length) {
      const pid = stack.pop()!;
      sum += procs.get(pid)?.cpuMs ?? 0;
      stack.push(...(children.get(pid) ?? []));
    }
    return sum;
  };
  return Object.fromEntries(Object.entries(roots).map(([name, pid]) => [name, total(pid)]));
}

/** Starts a window over process trees; the returned function ends it: CPU % of one core per tree. */
export function watchTrees(roots: Record<string, number>): () => Record<string, number> {
  const from = treeCpuMs(roots);
  const started = performance.now();
  return () => {
    const to = treeCpuMs(roots);
    const elapsed = performance.now() - started;
    return Object.fromEntries(Object.keys(roots).map((k) => [k, elapsed > 0 ? ((to[k]! - from[k]!) / elapsed) * 100 : 0]));
  };
}
