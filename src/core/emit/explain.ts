/** The plan for people: a short summary, and `--explain` (every value with its reason and arithmetic). */
import type { Plan } from "../plan/types.js";
import { mibText } from "../plan/mib.js";

/** Reason keys in reading order; any others follow alphabetically. */
const ORDER = [
  "profile",
  "workers",
  "cpuShare",
  "threads",
  "workerClass",
  "preload",
  "gcFreeze",
  "timeout",
  "gracefulTimeout",
  "bootDeadline",
  "maxRequests",
  "maxRequestsJitter",
  "recycleBytes",
  "minWorkers",
  "maxWorkers",
  "workerTmpDir",
  "backlog",
  "keepalive",
];

function orderedKeys(plan: Plan): string[] {
  const rest = Object.keys(plan.reasons)
    .filter((k) => !ORDER.includes(k))
    .sort();
  return [...ORDER.filter((k) => k in plan.reasons), ...rest];
}

/** `key = value: reason [arithmetic]`, one or two lines per value (also the conf header). */
export function reasonLines(plan: Plan): string[] {
  const lines: string[] = [];
  for (const key of orderedKeys(plan)) {
    const r = plan.reasons[key]!;
    lines.push(`${key} = ${r.value}: ${r.reason}`);
    if (r.arithmetic) lines.push(`    ${r.arithmetic}`);
  }
  return lines;
}

/** The default output of `gwarden plan`. */
export function renderSummary(plan: Plan): string {
  const i = plan.inputs;
  const m = plan.memory;
  const lines = [
    `gwarden plan: ${mibText(i.memoryBytes)} (${i.memorySource}), ${i.cpus} CPU(s) (${i.cpuSource}), gunicorn ${i.gunicornVersion ?? "unknown"}, profile: ${i.profile}`,
    "",
    `  workers        ${plan.workers} (adaptive ${plan.minWorkers}–${plan.maxWorkers}), ${plan.workerClass}${plan.threads > 1 ? ` × ${plan.threads} threads` : ""}`,
    `  preload        ${plan.preload ? "yes, with gc.freeze()" : "no"}`,
    `  timeout        ${plan.timeout} s (graceful ${plan.gracefulTimeout} s, boot deadline ${plan.bootDeadline} s)`,
    `  max_requests   ${plan.maxRequests} ± ${plan.maxRequestsJitter}; recycle by memory at ${mibText(plan.recycleBytes)} per worker`,
    `  heartbeat      ${plan.workerTmpDir ?? "gunicorn's default (no usable tmpfs)"}; backlog ${plan.backlog}`,
    `  database       pool_size ${plan.database.poolSize}, max_overflow ${plan.database.maxOverflow}: ${plan.database.totalConnections} connections of ${plan.database.postgresMaxConnections}`,
    `  memory         ${plan.reasons["memory.plannedBytes"]?.arithmetic ?? mibText(m.plannedBytes)}`,
  ];
  const pg = plan.database.postgres;
  if (pg) {
    lines.push(
      `  postgres       shared_buffers ${mibText(pg.sharedBuffersBytes)}, work_mem ${mibText(pg.workMemBytes)}, maintenance_work_mem ${mibText(pg.maintenanceWorkMemBytes)}, effective_cache_size ${mibText(pg.effectiveCacheSizeBytes)}, max_connections ${pg.maxConnections} (~${mibText(pg.estimatedBytes)})`,
    );
  }
  if (plan.warnings.length > 0) lines.push("", "Warnings:", ...plan.warnings.map((w) => `  - ${w}`));
  lines.push(
    "",
    "`--explain` gives every value's reason; `--format conf|args|env|json|k8s` prints a config.",
  );
  return `${lines.join("\n")}\n`;
}

/** The output of `gwarden plan --explain`. */
export function renderExplain(plan: Plan): string {
  const lines = [renderSummary(plan).trimEnd().split("\n")[0]!, ""];
  for (const key of orderedKeys(plan)) {
    const r = plan.reasons[key]!;
    lines.push(`${key} = ${r.value}`, `  why: ${r.reason}`);
    if (r.arithmetic) lines.push(`  how: ${r.arithmetic}`);
  }
  if (plan.warnings.length > 0) lines.push("", "Warnings:", ...plan.warnings.map((w) => `  - ${w}`));
  return `${lines.join("\n")}\n`;
}
