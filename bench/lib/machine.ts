import { readFileSync } from "node:fs";
import os from "node:os";

export interface Machine {
  cpu: string;
  /** Cores Node may use (os.availableParallelism: honours CPU affinity, unlike os.cpus). */
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  loadAverage: number[];
}

export function describeMachine(): Machine {
  return {
    cpu: cpuModel(),
    cores: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** os.cpus() is empty in some containers; /proc/cpuinfo is the fallback on Linux. */
function cpuModel(): string {
  const fromOs = os.cpus()[0]?.model?.trim();
  if (fromOs) return fromOs;
  try {
    return /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}

export function machineLine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.os}, load ${m.loadAverage.join(" ")}`;
}

/** CPU time of the whole machine (all processes, ours and anyone else's), summed over cores. */
export interface MachineCpuSample {
  busy: number;
  /** Kernel time spent on interrupts, mostly loopback network work on a run like this one. */
  softirq: number;
  total: number;
}

/**
 * From /proc/stat where there is one: os.cpus() leaves out softirq, iowait and steal, and softirq
 * is where the kernel moves loopback traffic, a real part of a socket benchmark's cost.
 */
export function sampleMachineCpu(): MachineCpuSample {
  try {
    const fields = /^cpu\s+(.+)$/m.exec(readFileSync("/proc/stat", "utf8"))?.[1]?.split(/\s+/).map(Number) ?? [];
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
    const total = user + nice + system + idle + iowait + irq + softirq + steal;
    return { busy: total - idle - iowait, softirq, total };
  } catch {
    let busy = 0;
    let total = 0;
    for (const { times } of os.cpus()) {
      const sum = times.user + times.nice + times.sys + times.idle + times.irq;
      total += sum;
      busy += sum - times.idle;
    }
    return { busy, softirq: 0, total };
  }
}

/** Busy and softirq time over a window in percent of one core, the unit process figures use. */
export function machineBusyPercent(from: MachineCpuSample, to: MachineCpuSample, cores: number): { busy: number; softirq: number } {
  const total = to.total - from.total;
  const share = (v: number) => (total > 0 ? (v / total) * cores * 100 : 0);
  return { busy: share(to.busy - from.busy), softirq: share(to.softirq - from.softirq) };
}
