/** Reads the schedstat of processes (every thread of each) from /proc: CPU and run-queue nanoseconds. */
import { readFileSync, readdirSync } from "node:fs";
import { parseSchedstat, type SchedStat } from "../../core/proc/schedstat.js";

/** CPU and run-queue nanoseconds of each of `pids` (every thread summed); a pid already gone is left out. */
export function schedByPid(root: string, pids: readonly number[]): Map<number, SchedStat> {
  const byPid = new Map<number, SchedStat>();
  for (const pid of pids) {
    let tasks: string[];
    try {
      tasks = readdirSync(`${root}/proc/${pid}/task`);
    } catch {
      continue;
    }
    const total = { cpuNs: 0, runqueueNs: 0 };
    for (const task of tasks) {
      try {
        const s = parseSchedstat(readFileSync(`${root}/proc/${pid}/task/${task}/schedstat`, "utf8"));
        if (s === null) continue;
        total.cpuNs += s.cpuNs;
        total.runqueueNs += s.runqueueNs;
      } catch {
        // The thread ended between the listing and the read.
      }
    }
    byPid.set(pid, total);
  }
  return byPid;
}

/** CPU and run-queue nanoseconds summed over every thread of `pids` (profile's CPU timing). */
export function schedOf(root: string, pids: readonly number[]): SchedStat {
  const total = { cpuNs: 0, runqueueNs: 0 };
  for (const s of schedByPid(root, pids).values()) {
    total.cpuNs += s.cpuNs;
    total.runqueueNs += s.runqueueNs;
  }
  return total;
}

/**
 * What `pids` spent between two readings, over the processes alive at both (a worker that died or was
 * born in between would make a plain difference of sums wrong, even negative).
 */
export function schedBetween(before: Map<number, SchedStat>, after: Map<number, SchedStat>): SchedStat {
  const spent = { cpuNs: 0, runqueueNs: 0 };
  for (const [pid, end] of after) {
    const start = before.get(pid);
    if (start === undefined) continue;
    spent.cpuNs += Math.max(0, end.cpuNs - start.cpuNs);
    spent.runqueueNs += Math.max(0, end.runqueueNs - start.runqueueNs);
  }
  return spent;
}
