/** CPU use from two readings of a process's cumulative CPU time (pure arithmetic, no clock). */

/** USER_HZ: the unit of utime/stime in /proc; 100 on every mainstream Linux ABI. */
export const CLOCK_TICKS_PER_SECOND = 100;

export interface CpuReading {
  /** utime + stime, in clock ticks. */
  ticks: number;
  /** When it was read (monotonic milliseconds). */
  atMs: number;
}

/** Total CPU seconds from utime + stime ticks. */
export function cpuSeconds(utimeTicks: number, stimeTicks: number, hz = CLOCK_TICKS_PER_SECOND): number {
  return (utimeTicks + stimeTicks) / hz;
}

/**
 * Percent of one core used between two readings (100 = one full core; 200 = two cores). Null when
 * the interval is not positive or the counter went backwards (a different process reused the pid).
 */
export function cpuPercent(prev: CpuReading, next: CpuReading, hz = CLOCK_TICKS_PER_SECOND): number | null {
  const elapsedMs = next.atMs - prev.atMs;
  const ticks = next.ticks - prev.ticks;
  if (!(elapsedMs > 0) || ticks < 0 || !Number.isFinite(ticks)) return null;
  return ((ticks / hz) * 1000 * 100) / elapsedMs;
}
