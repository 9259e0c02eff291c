/**
 * `/proc/<pid>/schedstat` (CONFIG_SCHED_INFO): three numbers — nanoseconds spent on a CPU, nanoseconds
 * spent runnable but waiting for one (the run queue), and the number of time slices. CPU time here has
 * nanosecond resolution where /proc/<pid>/stat has clock ticks (10 ms), and the run-queue wait tells a
 * busy host apart from an app that waits on I/O.
 */

export interface SchedStat {
  cpuNs: number;
  runqueueNs: number;
}

/** Parses the schedstat line; null when it is not three numbers. Never throws. */
export function parseSchedstat(text: string): SchedStat | null {
  const fields = text.trim().split(/\s+/);
  if (fields.length < 2 || !fields.slice(0, 2).every((f) => /^\d+$/.test(f))) return null;
  return { cpuNs: Number(fields[0]), runqueueNs: Number(fields[1]) };
}
