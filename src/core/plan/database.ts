/** The database side of a plan: the per-worker SQLAlchemy pool and, on a shared box, PostgreSQL's memory. */
import { MiB } from "../size.js";
import type { PlanPostgres } from "./types.js";
import { POSTGRES_BACKEND_BYTES, POSTGRES_BASE_BYTES, POSTGRES_MIN_CONNECTIONS } from "./defaults.js";

/** PostgreSQL's own superuser_reserved_connections default. */
const SUPERUSER_RESERVED = 3;

export interface PoolPlan {
  poolSize: number;
  maxOverflow: number;
  /** workers × (pool + overflow). */
  totalConnections: number;
  /** max_connections − reserved. */
  budget: number;
}

/** Most workers the connection budget allows (each worker needs at least one connection). */
export function connectionWorkerCap(maxConnections: number, reserved: number): number {
  return Math.max(1, maxConnections - reserved);
}

/**
 * Pool per worker: one connection per thread (a thread holds at most one), overflow for bursts
 * (half the pool, at least 1), both cut so that workers × (pool + overflow) ≤ max_connections − reserved.
 */
export function planPool(
  workers: number,
  threads: number,
  maxConnections: number,
  reserved: number,
): PoolPlan {
  const budget = Math.max(0, maxConnections - reserved);
  const perWorker = Math.floor(budget / Math.max(1, workers));
  // SQLAlchemy reads pool_size=0 as "no limit": never plan 0, even when the budget is exhausted.
  const poolSize = Math.max(1, Math.min(threads, perWorker));
  const maxOverflow = Math.max(0, Math.min(Math.max(1, Math.ceil(poolSize / 2)), perWorker - poolSize));
  return { poolSize, maxOverflow, totalConnections: workers * (poolSize + maxOverflow), budget };
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

function roundMiB(bytes: number): number {
  return Math.max(MiB, Math.round(bytes / MiB) * MiB);
}

export interface PostgresMemorySettings {
  sharedBuffersBytes: number;
  workMemBytes: number;
  maintenanceWorkMemBytes: number;
  effectiveCacheSizeBytes: number;
}

/**
 * Small-host PostgreSQL settings (simplelogin.md §5): shared_buffers 1/16 of the box (16 MiB–1 GiB: the
 * app shares it), work_mem 2 MiB below 1 GiB else 4, maintenance_work_mem 1/16 (16–256 MiB),
 * effective_cache_size half the box (a planner hint, no allocation).
 */
export function postgresMemorySettings(limitBytes: number, lowMemory: boolean): PostgresMemorySettings {
  const sixteenth = limitBytes / 16;
  return {
    sharedBuffersBytes: roundMiB(clamp(sixteenth, 16 * MiB, 1024 * MiB)),
    workMemBytes: limitBytes < 1024 * MiB || lowMemory ? 2 * MiB : 4 * MiB,
    maintenanceWorkMemBytes: roundMiB(clamp(sixteenth, 16 * MiB, 256 * MiB)),
    effectiveCacheSizeBytes: roundMiB(limitBytes / 2),
  };
}

/**
 * Estimated resident cost: shared_buffers + the always-on processes + one backend per connection that
 * may be open (the app's, and the reserved non-superuser ones) + work_mem for each pooled connection +
 * one maintenance_work_mem (autovacuum_max_workers 1).
 */
export function postgresPlan(
  limitBytes: number,
  lowMemory: boolean,
  pool: PoolPlan,
  workers: number,
  reserved: number,
  policyMaxConnections: number,
): PlanPostgres {
  const s = postgresMemorySettings(limitBytes, lowMemory);
  const others = Math.max(0, reserved - SUPERUSER_RESERVED);
  const backends = pool.totalConnections + others;
  const estimatedBytes =
    s.sharedBuffersBytes +
    POSTGRES_BASE_BYTES +
    backends * POSTGRES_BACKEND_BYTES +
    workers * pool.poolSize * s.workMemBytes +
    s.maintenanceWorkMemBytes;
  const maxConnections = Math.min(
    Math.max(policyMaxConnections, reserved + 1),
    Math.max(POSTGRES_MIN_CONNECTIONS, pool.totalConnections + reserved),
  );
  return { ...s, maxConnections, estimatedBytes };
}

/** The backends counted in `postgresPlan`'s estimate, for the arithmetic string. */
export function postgresBackends(pool: PoolPlan, reserved: number): number {
  return pool.totalConnections + Math.max(0, reserved - SUPERUSER_RESERVED);
}
