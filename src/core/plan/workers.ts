/**
 * Workers, threads and preload: CPU sets the optimum, memory the ceiling (baseline-lessons 6). Every
 * available mode (plain; preload when a profile proved it safe) is sized, and the one giving more
 * workers (then more headroom) wins.
 */
import type { AppCosts, ModeCosts } from "./app-costs.js";
import { budgetFor, type Budget, type BudgetContext } from "./memory-budget.js";
import { connectionWorkerCap } from "./database.js";
import { IDLE_CPU_TOLERANCE, MAX_THREADS } from "./defaults.js";

/** Hard upper bound of the worker search (a small-box planner; the DB budget usually caps sooner). */
const WORKER_SEARCH_LIMIT = 64;

export interface WorkerPolicy {
  cpus: number;
  /** A busy worker's CPU ÷ (CPU + blocked) from the profile; null: unknown, planned as CPU-bound. */
  cpuShare: number | null;
  lowMemory: boolean;
  allowThreads: boolean;
  /** Why threads are off, when they are (for the reason). */
  noThreadsReason: string;
}

/**
 * The CPUs' expected idle share with `processes` busy workers that each wait (1 − share) of the time,
 * independently: E[max(0, cpus − runnable)] ÷ cpus, runnable ~ Binomial(processes, share).
 */
export function idleCpuShare(cpus: number, processes: number, share: number): number {
  if (share >= 1) return 0;
  let idle = 0;
  let p = (1 - share) ** processes; // P(runnable = 0)
  for (let k = 0; k <= processes && k < cpus; k++) {
    idle += p * (cpus - k);
    p *= ((processes - k) / (k + 1)) * (share / (1 - share));
  }
  return idle / cpus;
}

/**
 * Processes that cover the app's waits, beyond the CPU rule (⌈cpus⌉ + 1, at least 2): the fewest that
 * leave the CPUs idle at most IDLE_CPU_TOLERANCE of the time when each process waits (1 − share) of
 * it, and at most the CPU rule's own count (never more than double it: past that threads are cheaper).
 * 0 for a CPU-bound app or without a measurement.
 */
export function ioProcesses(cpus: number, share: number | null): number {
  if (share === null || share >= 1 || share <= 0) return 0;
  const rule = cpuRule(cpus);
  for (let extra = 0; extra < rule; extra++)
    if (idleCpuShare(cpus, rule + extra, share) <= IDLE_CPU_TOLERANCE) return extra;
  return rule;
}

/** The CPU rule: ⌈cpus⌉ + 1 (at least 2: a fraction of a CPU counts as one). */
function cpuRule(cpus: number): number {
  return Math.max(1, Math.ceil(cpus)) + 1;
}

/**
 * Processes the CPUs can use: ⌈cpus⌉ + 1 (one more for the hand-offs between requests; more hurt a
 * CPU-bound app on 1 CPU: baseline-lessons 6), at least 2, plus the processes that cover measured I/O
 * waits. Low-memory mode: ⌈cpus⌉, concurrency from threads instead.
 */
export function cpuOptimum(cpus: number, lowMemory: boolean, share: number | null = null): number {
  return lowMemory ? Math.max(1, Math.ceil(cpus)) : cpuRule(cpus) + ioProcesses(cpus, share);
}

/** Concurrency wanted when threads stand in for processes: 2 × the CPU optimum (low-memory mode aside). */
export function threadConcurrencyTarget(cpus: number, share: number | null = null): number {
  return 2 * cpuOptimum(cpus, false, share);
}

/**
 * Threads per worker: 1 (sync) when the processes reach the CPU optimum; otherwise gthread with
 * ⌈target ÷ workers⌉ threads, between 2 and MAX_THREADS.
 */
export function threadsFor(workers: number, policy: WorkerPolicy): number {
  if (!policy.allowThreads) return 1;
  const optimum = cpuOptimum(policy.cpus, policy.lowMemory, policy.cpuShare);
  if (workers >= optimum && !policy.lowMemory) return 1;
  const wanted = Math.ceil(threadConcurrencyTarget(policy.cpus, policy.cpuShare) / Math.max(1, workers));
  return Math.min(MAX_THREADS, Math.max(2, wanted));
}

export interface Layout {
  mode: ModeCosts;
  workers: number;
  threads: number;
  budget: Budget;
  /** Most workers of this mode that fit the limit (0: not even one). */
  ceiling: number;
  optimum: number;
  overLimit: boolean;
  /** The other mode's outcome, for the reason (null when only one mode was possible). */
  alternative: { preload: boolean; workers: number; ceiling: number; plannedBytes: number } | null;
}

/**
 * The threads `n` workers get: the wanted count (`threadsFor`), or fewer when that does not fit — a
 * thread is cheaper than a process, so shed threads before workers; null when not even 1 thread fits.
 */
function threadsThatFit(mode: ModeCosts, n: number, policy: WorkerPolicy, ctx: BudgetContext): number | null {
  for (let t = threadsFor(n, policy); t >= 1; t--) {
    if (budgetFor(mode, n, t, ctx).plannedBytes <= ctx.limitBytes) return t;
  }
  return null;
}

/** Every worker count whose budget fits the limit with its threads, ascending (up to the search cap). */
function fittingCounts(mode: ModeCosts, policy: WorkerPolicy, ctx: BudgetContext): Map<number, number> {
  const cap = Math.min(
    WORKER_SEARCH_LIMIT,
    connectionWorkerCap(ctx.postgresMaxConnections, ctx.postgresReservedConnections),
  );
  const counts = new Map<number, number>();
  for (let n = 1; n <= cap; n++) {
    const threads = threadsThatFit(mode, n, policy, ctx);
    if (threads !== null) counts.set(n, threads);
  }
  return counts;
}

interface Candidate {
  mode: ModeCosts;
  ceiling: number;
  workers: number;
  threads: number;
  budget: Budget;
}

/**
 * The budget is not monotone in the worker count: fewer workers get more threads, and with PostgreSQL
 * on the box more pooled connections and their backends. So the count is the CPU optimum capped by the
 * ceiling, lowered until it fits, or else the smallest larger count that does (the ceiling always fits).
 */
function workerCount(fitting: readonly number[], optimum: number): number {
  const ceiling = fitting.at(-1);
  if (ceiling === undefined) return 1;
  const start = Math.min(ceiling, optimum);
  return fitting.filter((n) => n <= start).at(-1) ?? fitting.find((n) => n > start) ?? ceiling;
}

function candidate(mode: ModeCosts, optimum: number, policy: WorkerPolicy, ctx: BudgetContext): Candidate {
  const fitting = fittingCounts(mode, policy, ctx);
  const counts = [...fitting.keys()];
  const ceiling = counts.at(-1) ?? 0;
  const workers = workerCount(counts, optimum);
  const threads = fitting.get(workers) ?? threadsFor(workers, policy);
  return { mode, ceiling, workers, threads, budget: budgetFor(mode, workers, threads, ctx) };
}

function better(a: Candidate, b: Candidate): boolean {
  const fitsA = a.ceiling > 0;
  const fitsB = b.ceiling > 0;
  if (fitsA !== fitsB) return fitsA;
  if (a.workers !== b.workers) return a.workers > b.workers;
  return a.budget.plannedBytes < b.budget.plannedBytes;
}

/** The layout the plan uses: the best mode, its worker count (≥ 1) and threads. */
export function chooseLayout(costs: AppCosts, policy: WorkerPolicy, ctx: BudgetContext): Layout {
  const optimum = cpuOptimum(policy.cpus, policy.lowMemory, policy.cpuShare);
  const plain = candidate(costs.plain, optimum, policy, ctx);
  const pre = costs.preload === null ? null : candidate(costs.preload, optimum, policy, ctx);
  const chosen = pre !== null && better(pre, plain) ? pre : plain;
  const other = chosen === plain ? pre : plain;
  return {
    mode: chosen.mode,
    workers: chosen.workers,
    threads: chosen.threads,
    budget: chosen.budget,
    ceiling: chosen.ceiling,
    optimum,
    overLimit: chosen.ceiling === 0,
    alternative:
      other === null
        ? null
        : {
            preload: other.mode.preload,
            workers: other.workers,
            ceiling: other.ceiling,
            plannedBytes: other.budget.plannedBytes,
          },
  };
}

/** Bounds for run's adaptive control: 1 … min(memory ceiling, optimum + ⌈cpus⌉) (optimum in low-memory mode). */
export function workerBounds(layout: Layout, policy: WorkerPolicy): { min: number; max: number } {
  if (layout.overLimit) return { min: 1, max: 1 };
  const cpuMax = policy.lowMemory ? layout.optimum : layout.optimum + Math.max(1, Math.ceil(policy.cpus));
  return { min: 1, max: Math.max(layout.workers, Math.min(layout.ceiling, cpuMax)) };
}
