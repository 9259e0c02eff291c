/** Reads the schedstat of processes (every thread of each) from /proc: CPU and run-queue nanoseconds. */
import { readFileSync, readdirSync } from "node:fs";
import { parseSchedstat, type SchedStat } from "../../core/proc/schedstat.js";

/** CPU and run-queue nanoseconds summed over every thread of `pids` (profile's CPU timing, the lab's load cells). */
export function schedOf(root: string, pids: readonly number[]): SchedStat {
  const total = { cpuNs: 0, runqueueNs: 0 };
  for (const pid of pids) {
    let tasks: string[];
    try {
      tasks = readdirSync(`${root}/proc/${pid}/task`);
    } catch {
      continue;
    }
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
  }
  return total;
}
