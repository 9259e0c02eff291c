/** What a load generator run gives back, whichever driver (wrk or the autocannon child) made it. */

export interface LabLoadResult {
  /** Requests attempted: responses plus errors (refused, reset, timed out). */
  requests: number;
  ok: number;
  failed: number;
  seconds: number;
  rps: number;
  p50Ms: number | null;
  p99Ms: number | null;
  statuses: Record<string, number>;
  error?: string;
}

export interface RunningLoad {
  /** Ends the load early; the result still resolves. */
  stop(): void;
  readonly result: Promise<LabLoadResult>;
}
