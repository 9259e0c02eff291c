/**
 * The memory budget: master + workers × per-worker + shared + transient + supervisor + database + margin
 * must fit the limit. Pure arithmetic on one candidate layout (mode, workers, threads).
 */
import type { PlanPostgres } from "./types.js";
import type { ModeCosts } from "./app-costs.js";
import { planPool, postgresPlan, type PoolPlan } from "./database.js";
import {
  LOW_MEMORY_MARGIN_FRACTION,
  LOW_MEMORY_MARGIN_MIN_BYTES,
  MARGIN_FRACTION,
  MARGIN_MIN_BYTES,
  THREAD_BYTES,
} from "./defaults.js";

/** What a layout depends on besides the mode and the worker count. */
export interface BudgetContext {
  limitBytes: number;
  lowMemory: boolean;
  dbOnBox: boolean;
  /** Supervisor bytes counted (0 when gwarden runs outside the app's cgroup). */
  supervisorBytes: number;
  postgresMaxConnections: number;
  postgresReservedConnections: number;
}

export interface Budget {
  masterBytes: number;
  perWorkerBytes: number;
  sharedBytes: number;
  transientBytes: number;
  supervisorBytes: number;
  databaseBytes: number;
  marginBytes: number;
  plannedBytes: number;
  pool: PoolPlan;
  postgres: PlanPostgres | null;
}

/** The safety margin: 10 % of the limit (≥ 24 MiB), 15 % (≥ 32 MiB) in low-memory mode. */
export function safetyMargin(limitBytes: number, lowMemory: boolean): number {
  return lowMemory
    ? Math.max(LOW_MEMORY_MARGIN_MIN_BYTES, Math.round(limitBytes * LOW_MEMORY_MARGIN_FRACTION))
    : Math.max(MARGIN_MIN_BYTES, Math.round(limitBytes * MARGIN_FRACTION));
}

/** Per-worker cost with threads: private memory + (threads − 1) × THREAD_BYTES. */
export function perWorkerBytes(mode: ModeCosts, threads: number): number {
  return mode.workerPrivateBytes + Math.max(0, threads - 1) * THREAD_BYTES;
}

/** The full budget of one candidate layout. */
export function budgetFor(mode: ModeCosts, workers: number, threads: number, ctx: BudgetContext): Budget {
  const pool = planPool(workers, threads, ctx.postgresMaxConnections, ctx.postgresReservedConnections);
  const postgres = ctx.dbOnBox
    ? postgresPlan(
        ctx.limitBytes,
        ctx.lowMemory,
        pool,
        workers,
        ctx.postgresReservedConnections,
        ctx.postgresMaxConnections,
      )
    : null;
  const perWorker = perWorkerBytes(mode, threads);
  const databaseBytes = postgres?.estimatedBytes ?? 0;
  const marginBytes = safetyMargin(ctx.limitBytes, ctx.lowMemory);
  const plannedBytes =
    mode.masterBytes +
    workers * perWorker +
    mode.sharedBytes +
    mode.transientBytes +
    ctx.supervisorBytes +
    databaseBytes +
    marginBytes;
  return {
    masterBytes: mode.masterBytes,
    perWorkerBytes: perWorker,
    sharedBytes: mode.sharedBytes,
    transientBytes: mode.transientBytes,
    supervisorBytes: ctx.supervisorBytes,
    databaseBytes,
    marginBytes,
    plannedBytes,
    pool,
    postgres,
  };
}
