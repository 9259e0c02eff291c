/**
 * A worker's shared-memory counters (`<GWARDEN_STATS_DIR>/<pid>.stats`), written in-process by the
 * worker around each request (src/python/gwarden_runtime/stats.py documents the layout and the
 * writer's side of the seqlock). 128 bytes, little-endian; a copy is consistent when the sequence
 * number at offset 8 equals the one at offset 120 and is even. Anything else — a torn copy taken while
 * the worker was writing, a short file, another format — parses to null: read again.
 */

export const WORKER_STATS_SIZE = 128;
const MAGIC = "GWS1";
const VERSION = 1;
const FLAG_READY = 1;
const FLAG_RETIRING = 2;
const FLAG_GUARD = 4;

export interface WorkerStats {
  pid: number;
  /** post_worker_init ran: the app is loaded. */
  ready: boolean;
  /** The in-worker memory guard is on for this worker. */
  guard: boolean;
  /** The guard found the worker past its budget: it exits after its current request. */
  retiring: boolean;
  /** Requests completed. */
  requests: number;
  /** Requests in flight (busy slots). */
  inFlight: number;
  /** Requests the worker serves at once (threads for gthread, 1 for sync). */
  slots: number;
  /** Start of the oldest request in flight, unix seconds; null when idle. */
  oldestStart: number | null;
  /** End of the last request, unix seconds; null before the first. */
  lastEnd: number | null;
  /** RSS at the guard's last check (after the last request); null when not measured (no guard). */
  rssBytes: number | null;
  /** Private memory (USS) at the guard's last smaps_rollup read; null before any. */
  privateBytes: number | null;
  /** The guard's budget in force; null when the guard is off. */
  budgetBytes: number | null;
  /** The shared part of RSS the guard subtracts (RSS − private at its last smaps_rollup read). */
  sharedBytes: number | null;
  /** When the worker forked, unix seconds. */
  forkedAt: number;
  /** When the record was last written, unix seconds. */
  updatedAt: number;
  /** smaps_rollup reads by the guard so far. */
  rollups: number;
}

/** A u64 as a number (exact below 2^53: counts and byte sizes). */
const u64 = (view: DataView, at: number): number => Number(view.getBigUint64(at, true));
const orNull = (value: number): number | null => (value === 0 ? null : value);

/** Parses one copy of a stats file; null when it is torn, short, or not a version-1 stats file. */
export function parseWorkerStats(bytes: Uint8Array): WorkerStats | null {
  if (bytes.length < WORKER_STATS_SIZE) return null;
  const view = new DataView(bytes.buffer, bytes.byteOffset, WORKER_STATS_SIZE);
  const magic = String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!);
  if (magic !== MAGIC || view.getUint32(4, true) !== VERSION) return null;
  const head = view.getBigUint64(8, true);
  if (head % 2n !== 0n || head !== view.getBigUint64(120, true)) return null;
  const flags = view.getUint32(20, true);
  const floats = [40, 48, 88, 96].map((at) => view.getFloat64(at, true));
  if (!floats.every((f) => Number.isFinite(f) && f >= 0)) return null;
  const [oldest, lastEnd, forkedAt, updatedAt] = floats as [number, number, number, number];
  const stats: WorkerStats = {
    pid: view.getUint32(16, true),
    ready: (flags & FLAG_READY) !== 0,
    guard: (flags & FLAG_GUARD) !== 0,
    retiring: (flags & FLAG_RETIRING) !== 0,
    requests: u64(view, 24),
    inFlight: view.getUint32(32, true),
    slots: view.getUint32(36, true),
    oldestStart: orNull(oldest),
    lastEnd: orNull(lastEnd),
    rssBytes: orNull(u64(view, 56)),
    privateBytes: orNull(u64(view, 64)),
    budgetBytes: orNull(u64(view, 72)),
    sharedBytes: (flags & FLAG_GUARD) !== 0 ? u64(view, 80) : null,
    forkedAt,
    updatedAt,
    rollups: u64(view, 104),
  };
  return stats.pid > 0 && stats.slots > 0 ? stats : null;
}

/** Busy request slots across workers, and the total (for the load signal and `workers{state="busy"}`). */
export function busySlots(stats: Iterable<WorkerStats>): { busy: number; slots: number } {
  let busy = 0;
  let slots = 0;
  for (const s of stats) {
    busy += Math.min(s.inFlight, s.slots);
    slots += s.slots;
  }
  return { busy, slots };
}
