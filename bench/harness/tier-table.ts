/**
 * The tier bench's table: per tier, default vs planned side by side, with the ratios the benchmark
 * reports (planned ÷ default for requests/s and time to ready). Pure text.
 */
export interface TierTrialFigures {
  config: string;
  workerTimeouts: number;
  oomKills: number;
  failedRequests: number;
  requests: number;
  /** Spawn to the last expected worker ready, seconds; null when they never all came up. */
  startupSeconds: number | null;
  rps: number;
  p99Ms: number | null;
}

export interface TierTableRow {
  tierBytes: number;
  workers: { default: number; planned: string };
  default: TierTrialFigures;
  planned: TierTrialFigures;
}

function cell(value: number | null, digits = 1): string {
  return value === null ? "—" : value.toFixed(digits);
}

function ratio(planned: number | null, base: number | null): string {
  if (planned === null || base === null || base === 0) return "—";
  return `${(planned / base).toFixed(2)}×`;
}

/** A markdown table: one line per (tier, config), then the ratio line. */
export function renderTierTable(rows: readonly TierTableRow[]): string {
  const out = [
    "| tier | config | workers | timeouts | OOM kills | failed / requests | ready (s) | req/s | p99 (ms) |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const row of rows) {
    const tier = `${Math.round(row.tierBytes / 1048576)} MiB`;
    for (const [t, workers] of [
      [row.default, String(row.workers.default)],
      [row.planned, row.workers.planned],
    ] as const) {
      out.push(
        `| ${tier} | ${t.config} | ${workers} | ${t.workerTimeouts} | ${t.oomKills} | ${t.failedRequests} / ${t.requests} | ${cell(t.startupSeconds, 2)} | ${cell(t.rps)} | ${cell(t.p99Ms)} |`,
      );
    }
    out.push(
      `| ${tier} | planned ÷ default | | | | | ${ratio(row.planned.startupSeconds, row.default.startupSeconds)} | ${ratio(row.planned.rps, row.default.rps)} | ${ratio(row.planned.p99Ms, row.default.p99Ms)} |`,
    );
  }
  return out.join("\n");
}
