/** One request's outcome: an HTTP status, or null with the error when no response came. */
export interface LoadOutcome {
  status: number | null;
  ms: number;
  error?: string;
}

export interface LoadSummary {
  requests: number;
  /** Responses with a 2xx/3xx status. */
  ok: number;
  /** Non-2xx/3xx responses plus requests that got no response at all. */
  failed: number;
  statuses: Record<string, number>;
  errors: Record<string, number>;
  seconds: number;
  rps: number;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

/** The q-quantile (0..1) of ascending `sorted`, nearest-rank; null for an empty list. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

/** Aggregates outcomes; latencies count successful responses only (a refused connection has none). */
export function summarizeLoad(outcomes: readonly LoadOutcome[], seconds: number): LoadSummary {
  const statuses: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const latencies: number[] = [];
  let ok = 0;
  for (const o of outcomes) {
    if (o.status === null) {
      const key = o.error ?? "error";
      errors[key] = (errors[key] ?? 0) + 1;
      continue;
    }
    statuses[o.status] = (statuses[o.status] ?? 0) + 1;
    if (o.status >= 200 && o.status < 400) {
      ok++;
      latencies.push(o.ms);
    }
  }
  latencies.sort((a, b) => a - b);
  const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
  return {
    requests: outcomes.length,
    ok,
    failed: outcomes.length - ok,
    statuses,
    errors,
    seconds,
    rps: seconds > 0 ? Math.round((ok / seconds) * 10) / 10 : 0,
    p50Ms: round(quantile(latencies, 0.5)),
    p90Ms: round(quantile(latencies, 0.9)),
    p99Ms: round(quantile(latencies, 0.99)),
    maxMs: round(latencies.at(-1) ?? null),
  };
}
