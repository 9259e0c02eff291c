/**
 * `renderMetrics(snapshot)`: the `/metrics` page. Names follow Prometheus conventions (base units,
 * `_bytes`, `_seconds`, `_total` for counters, `_ratio` for 0..1) and are documented in docs/metrics.md.
 * Per-process memory is one family per kind (rss, pss, uss, swap) so that `sum()` over pids stays
 * meaningful. Unknown figures are left out rather than written as 0.
 */
import type { Plan } from "../plan/types.js";
import { countWorkers, WORKER_STATES, type SupervisorSnapshot } from "../snapshot/snapshot.js";
import { EVENT_KINDS } from "./event-kinds.js";
import { exposition, type MetricFamily, type MetricSample } from "./exposition.js";
import type { MemoryFigures } from "../sample/figures.js";
import type { Pressure } from "../cgroup/psi.js";

/** Renders the snapshot as Prometheus text exposition (format 0.0.4). */
export function renderMetrics(snapshot: SupervisorSnapshot): string {
  return exposition([
    ...healthFamilies(snapshot),
    ...workerFamilies(snapshot),
    ...cgroupFamilies(snapshot),
    ...backlogFamilies(snapshot),
    ...planFamilies(snapshot.plan),
    ...adaptiveFamilies(snapshot),
    ...supervisorFamilies(snapshot),
  ]);
}

function gauge(name: string, help: string, samples: MetricSample[]): MetricFamily {
  return { name, help, type: "gauge", samples };
}

function counter(name: string, help: string, samples: MetricSample[]): MetricFamily {
  return { name, help, type: "counter", samples };
}

function one(value: number | null | undefined): MetricSample[] {
  return [{ value }];
}

function healthFamilies(s: SupervisorSnapshot): MetricFamily[] {
  const counts = countWorkers(s.workers);
  const events = EVENT_KINDS.map((kind) => ({ labels: { kind }, value: s.eventsByKind[kind] ?? 0 }));
  const master = s.master;
  return [
    gauge("gwarden_up", "1 while the gwarden supervisor answers.", one(1)),
    gauge(
      "gwarden_master_up",
      "1 when the gunicorn master is running.",
      one(master.state === "running" ? 1 : 0),
    ),
    gauge("gwarden_master_pid", "Process id of the gunicorn master.", one(master.pid)),
    gauge(
      "gwarden_workers",
      "Gunicorn workers by lifecycle state.",
      WORKER_STATES.map((state) => ({ labels: { state }, value: counts[state] })),
    ),
    counter("gwarden_events_total", "Lifecycle events seen, by kind.", events),
  ];
}

const MEMORY_KINDS = [
  ["rss", "Resident set size"],
  ["pss", "Proportional set size (shared pages divided among sharers)"],
  ["uss", "Unique set size (private pages: what stopping the process frees)"],
  ["swap", "Swapped-out anonymous memory"],
] as const satisfies readonly (readonly [keyof MemoryFigures, string])[];

function workerFamilies(s: SupervisorSnapshot): MetricFamily[] {
  const perWorker = (pick: (w: (typeof s.workers)[number]) => number | null) =>
    s.workers.map((w) => ({ labels: { pid: String(w.pid) }, value: pick(w) }));
  return [
    ...MEMORY_KINDS.map(([kind, what]) =>
      gauge(
        `gwarden_worker_${kind}_bytes`,
        `${what} of each gunicorn worker, in bytes.`,
        perWorker((w) => w.memory[kind]),
      ),
    ),
    counter(
      "gwarden_worker_cpu_seconds_total",
      "CPU time (user + system) of each gunicorn worker.",
      perWorker((w) => w.cpuSeconds),
    ),
    counter(
      "gwarden_worker_requests_total",
      "Requests handled by each gunicorn worker (from hooks).",
      perWorker((w) => w.requests),
    ),
    ...MEMORY_KINDS.map(([kind, what]) =>
      gauge(
        `gwarden_master_${kind}_bytes`,
        `${what} of the gunicorn master, in bytes.`,
        one(s.master.memory[kind]),
      ),
    ),
    counter(
      "gwarden_master_cpu_seconds_total",
      "CPU time (user + system) of the gunicorn master.",
      one(s.master.cpuSeconds),
    ),
  ];
}

function cgroupFamilies(s: SupervisorSnapshot): MetricFamily[] {
  const c = s.cgroup;
  return [
    gauge(
      "gwarden_memory_limit_bytes",
      "Effective memory limit of the cgroup (absent when unlimited).",
      one(c?.limitBytes),
    ),
    gauge(
      "gwarden_memory_usage_bytes",
      "Memory charged to the cgroup, page cache included.",
      one(c?.usageBytes),
    ),
    gauge(
      "gwarden_memory_working_set_bytes",
      "Cgroup usage minus inactive file cache (kubelet's working set).",
      one(c?.workingSetBytes),
    ),
    gauge("gwarden_swap_usage_bytes", "Swap used by the cgroup.", one(c?.swapUsageBytes)),
    gauge(
      "gwarden_memory_pressure_ratio",
      "Share of time tasks stalled on memory (PSI avg over the window, 0..1).",
      pressureRatios(c?.memoryPressure ?? null),
    ),
    counter(
      "gwarden_memory_pressure_stall_seconds_total",
      "Cumulative time tasks stalled on memory (PSI total).",
      pressureTotals(c?.memoryPressure ?? null),
    ),
    counter(
      "gwarden_oom_kills_total",
      "Processes of the cgroup killed by the kernel OOM killer.",
      one(c?.oomKills),
    ),
  ];
}

function pressureRatios(p: Pressure | null): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const [kind, stat] of [
    ["some", p?.some],
    ["full", p?.full],
  ] as const) {
    if (!stat) continue;
    samples.push(
      { labels: { kind, window: "10" }, value: stat.avg10 / 100 },
      { labels: { kind, window: "60" }, value: stat.avg60 / 100 },
      { labels: { kind, window: "300" }, value: stat.avg300 / 100 },
    );
  }
  return samples;
}

function pressureTotals(p: Pressure | null): MetricSample[] {
  const samples: MetricSample[] = [];
  if (p?.some) samples.push({ labels: { kind: "some" }, value: p.some.total / 1e6 });
  if (p?.full) samples.push({ labels: { kind: "full" }, value: p.full.total / 1e6 });
  return samples;
}

function backlogFamilies(s: SupervisorSnapshot): MetricFamily[] {
  return [
    gauge(
      "gwarden_listen_backlog_requests",
      "Connections waiting in the listen socket's accept queue.",
      one(s.backlog?.queued),
    ),
    gauge("gwarden_listen_backlog_max", "Accept queue limit of the listen socket.", one(s.backlog?.max)),
  ];
}

function planFamilies(plan: Plan | null): MetricFamily[] {
  if (!plan) return [];
  return [
    gauge("gwarden_plan_workers", "Planned number of gunicorn workers.", one(plan.workers)),
    gauge("gwarden_plan_min_workers", "Lower bound for adaptive worker control.", one(plan.minWorkers)),
    gauge("gwarden_plan_max_workers", "Upper bound for adaptive worker control.", one(plan.maxWorkers)),
    gauge("gwarden_plan_threads", "Planned threads per worker.", one(plan.threads)),
    gauge("gwarden_plan_timeout_seconds", "Planned gunicorn worker timeout.", one(plan.timeout)),
    gauge(
      "gwarden_plan_graceful_timeout_seconds",
      "Planned gunicorn graceful timeout.",
      one(plan.gracefulTimeout),
    ),
    gauge(
      "gwarden_plan_boot_deadline_seconds",
      "Boot deadline after which gwarden kills a booting worker.",
      one(plan.bootDeadline),
    ),
    gauge(
      "gwarden_plan_max_requests",
      "Planned max_requests before a worker is recycled (0 = never).",
      one(plan.maxRequests),
    ),
    gauge("gwarden_plan_backlog", "Planned listen backlog.", one(plan.backlog)),
    gauge(
      "gwarden_plan_recycle_bytes",
      "Private memory above which a worker is recycled.",
      one(plan.recycleBytes),
    ),
    gauge(
      "gwarden_plan_memory_bytes",
      "Memory the plan accounts for (master, workers, supervisor, margin).",
      one(plan.memory.plannedBytes),
    ),
  ];
}

const PRESSURE_RANK = { normal: 0, elevated: 1, high: 2, critical: 3 } as const;

function adaptiveFamilies(s: SupervisorSnapshot): MetricFamily[] {
  const a = s.adaptive;
  if (!a) return [];
  return [
    gauge(
      "gwarden_adaptive_target_workers",
      "Worker count adaptive control wants gunicorn to run.",
      one(a.targetWorkers),
    ),
    gauge(
      "gwarden_adaptive_pressure_level",
      "Memory pressure level: 0 normal, 1 elevated (no scale-up), 2 high (recycle), 3 critical (shed).",
      one(PRESSURE_RANK[a.pressure]),
    ),
    gauge(
      "gwarden_adaptive_recycle_bytes",
      "Private memory budget in force above which a worker is recycled.",
      one(a.recycleBytes),
    ),
    counter(
      "gwarden_recycles_total",
      "Workers recycled gracefully by adaptive control, by reason (memory budget, memory pressure).",
      [
        { labels: { reason: "memory" }, value: a.recycles.memory },
        { labels: { reason: "pressure" }, value: a.recycles.pressure },
      ],
    ),
  ];
}

function supervisorFamilies(s: SupervisorSnapshot): MetricFamily[] {
  const own = s.supervisor;
  return [
    gauge(
      "gwarden_supervisor_rss_bytes",
      "Resident set size of the gwarden supervisor.",
      one(own.memory.rss),
    ),
    gauge(
      "gwarden_supervisor_anon_bytes",
      "Anonymous memory of the gwarden supervisor (Private_Dirty + Swap).",
      one(own.memory.anon),
    ),
    counter(
      "gwarden_supervisor_cpu_seconds_total",
      "CPU time (user + system) of the gwarden supervisor.",
      one(own.cpuSeconds),
    ),
    gauge(
      "gwarden_sample_duration_seconds",
      "Time the last /proc and cgroup sample took.",
      one(own.sampleMs === null ? null : own.sampleMs / 1000),
    ),
  ];
}
