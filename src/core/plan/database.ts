/** The database side of a plan: the per-worker SQLAlchemy pool and, on a shared box, PostgreSQL's memory. */
import { MiB } from "../size.js";
import type { PlanPostgres } from "./types.js";
import { POSTGRES_BACKEND_BYTES, POSTGRES_BASE_BYTES, POSTGRES_MIN_CONNECTIONS } from "./defaults.js";

/** The plan sets autovacuum_max_workers = 1. */
const AUTOVACUUM_WORKERS = 1;

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
 * What a server of this size keeps resident, not its worst case: shared_buffers in full (they fill as
 * soon as the data outgrows them), the always-on processes, one backend per connection the app's pools
 * may open plus one autovacuum worker, and one work_mem per worker (a sort or hash in flight).
 * Not counted: backends of other clients (cron, email, psql — their processes are not in this budget
 * either) and maintenance_work_mem (allocated as a vacuum finds dead rows, one vacuum at a time: the
 * margin's job). Measured: the example app's PostgreSQL 15 with 4 pooled connections after 2000 /db
 * requests was 27 MiB PSS in all; the lab's 256 MiB group with it inside peaked at 179 MiB.
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
  const backends = postgresBackends(pool);
  const estimatedBytes =
    s.sharedBuffersBytes + POSTGRES_BASE_BYTES + backends * POSTGRES_BACKEND_BYTES + workers * s.workMemBytes;
  const maxConnections = Math.min(
    Math.max(policyMaxConnections, reserved + 1),
    Math.max(POSTGRES_MIN_CONNECTIONS, pool.totalConnections + reserved),
  );
  return { ...s, maxConnections, estimatedBytes };
}

/** The backends counted in `postgresPlan`'s estimate: the app's possible connections + one autovacuum worker. */
export function postgresBackends(pool: PoolPlan): number {
  return pool.totalConnections + AUTOVACUUM_WORKERS;
}
