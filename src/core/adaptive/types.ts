/**
 * Adaptive control inside `gwarden run` (issue 5): the types of the pure policies. One step function,
 * `decide(state, input, config)`, turns what one sampler tick saw (`AdaptiveInput`) into signals to send
 * (`AdaptiveAction`) and the lifecycle events that record them, with their reasons and figures. Time
 * comes in the input (`atMs`, monotonic); nothing here reads a clock or a file.
 */
import type { EventOf } from "../events/types.js";
import type { WorkerClass } from "../plan/types.js";

/** One worker as the policies see it. */
export interface WorkerView {
  pid: number;
  /** Private memory (Private_Clean + Private_Dirty) in bytes; null when not measured yet. */
  uss: number | null;
  /** Busy request slots reported by the hook channel (pre_request/post_request); null when unknown. */
  busy: number | null;
  /** post_worker_init ran (the app is imported): only ready workers are measured as "fresh" or recycled. */
  ready: boolean;
}

/** Pressure stall information (percent of time over the last 10 s). */
export interface PsiFigures {
  someAvg10: number;
  fullAvg10: number | null;
  /** `cgroup`: the group's own memory.pressure; `host`: /proc/pressure/memory (other tenants count too). */
  scope: "cgroup" | "host";
}

/** What one tick saw: built from a `Sample` plus the hook channel (see observe.ts). */
export interface AdaptiveInput {
  /** Monotonic milliseconds. */
  atMs: number;
  /** The cgroup's hard limit, null when unlimited or unknown (the config's limit is used then). */
  limitBytes: number | null;
  /** usage − inactive_file: what the kernel cannot drop without reclaiming anonymous memory. */
  workingSetBytes: number | null;
  swapUsageBytes: number | null;
  psi: PsiFigures | null;
  /** Cumulative cgroup v2 memory.events `high` / `max` counters (null on v1 or when unreadable). */
  highEvents: number | null;
  maxEvents: number | null;
  /** Connections waiting for accept() on gunicorn's listeners; null when unknown. */
  backlogQueued: number | null;
  /** Live workers (zombies excluded), ordered by pid. */
  workers: WorkerView[];
  /** gunicorn's own worker count (num_workers) from the `nworkers_changed` hook; null when unknown. */
  gunicornWorkers: number | null;
  /** HUP reloads seen so far (monotonic): gunicorn resets its count to the configured one on each. */
  reloads: number;
  /** CPUs' worth gunicorn's processes (master and workers) used since the previous tick; null when unknown. */
  cpuUsed: number | null;
}

export type PressureLevel = "normal" | "elevated" | "high" | "critical";

export const PRESSURE_LEVELS: readonly PressureLevel[] = ["normal", "elevated", "high", "critical"];

export interface PressureConfig {
  /** Working set / limit at which each level is entered. */
  elevatedRatio: number;
  highRatio: number;
  criticalRatio: number;
  /** A level is left only below its entry ratio minus this (hysteresis). */
  hysteresisRatio: number;
  /** PSI avg10 (percent): some ≥ this → elevated; full ≥ fullHigh → high; full ≥ fullCritical → critical (cgroup scope only). */
  psiSomeElevated: number;
  psiFullHigh: number;
  psiFullCritical: number;
  /** Swap usage grown by at least this between two ticks → elevated. */
  swapGrowthBytes: number;
  /** A lower level is adopted only after the signals stayed lower this long. */
  dropAfterMs: number;
  /** Shed workers come back (one at a time) only after pressure stayed normal this long. */
  restoreAfterMs: number;
  /** Pause between two pressure steps (after the previous one completed). */
  stepCooldownMs: number;
  /** Still critical this soon after a pressure recycle: escalate to shedding a worker. */
  escalateWithinMs: number;
}

export interface LoadConfig {
  /** Overloaded (backlog, or every slot busy) this long → one TTIN (uWSGI cheaper-overload cycles). */
  overloadMs: number;
  /** Idle this long (× the anti-flap multiplier) → one TTOU, down to the base count. */
  idleMs: number;
  /**
   * gunicorn's processes using at least this share of the CPUs: the CPU is full, and one more worker
   * cannot serve more (it only adds memory and context switches), so overload does not scale up.
   */
  cpuSaturatedShare: number;
  /** A scale-up this soon after a scale-down is a flap: the idle delay multiplier grows by `penalty`. */
  flapWindowMs: number;
  penalty: number;
  maxMultiplier: number;
}

export interface RecycleConfig {
  /** Private memory above which a worker is recycled (from the plan, or --recycle-at). */
  budgetBytes: number;
  /** The budget was given explicitly: do not raise it above a fresh worker's measured size. */
  explicit: boolean;
  /** Without an explicit budget, it is at least a fresh worker's size plus max(this, share × that size). */
  growthFloorBytes: number;
  growthFloorShare: number;
}

export interface AdaptiveConfig {
  /** The plan's worker count: load adds above it and gives back down to it. */
  baseWorkers: number;
  minWorkers: number;
  maxWorkers: number;
  workerClass: WorkerClass;
  threads: number;
  /** The CPUs the plan sized for (the quota, or the host's). */
  cpus: number;
  /** The limit the plan sized for, used when the cgroup reports none. */
  limitBytes: number;
  /** The plan's per-worker private memory, used until workers are measured. */
  perWorkerBytes: number;
  /** A signal not confirmed within this long is given up on (graceful timeout + boot deadline). */
  inFlightTimeoutMs: number;
  pressure: PressureConfig;
  load: LoadConfig;
  recycle: RecycleConfig;
}

/** A signal gwarden has sent and waits to see take effect (one at a time). */
export type InFlight =
  | { kind: "ttin"; sentAtMs: number; expect: number }
  | { kind: "ttou"; sentAtMs: number; expect: number }
  | { kind: "recycle"; sentAtMs: number; pid: number };

export type RecycleReason = "memory" | "pressure";

export interface AdaptiveState {
  /** The worker count gwarden wants gunicorn to run. */
  target: number;
  /** The configured count: the plan's, or what gunicorn first reported (the user's `-w` with --keep-args), or set by a TTIN/TTOU from outside. */
  base: number;
  /** gunicorn has reported its count at least once. */
  countSeen: boolean;
  /** A count gunicorn reported that gwarden did not cause, waiting one tick to tell it from a reload. */
  external: number | null;
  /** What gunicorn's own count is believed to be (its hook, else gwarden's bookkeeping). */
  gunicornWorkers: number;
  reloads: number;
  level: PressureLevel;
  /** Since when the signals have pointed at a lower level (null: not lower). */
  lowerSinceMs: number | null;
  /** Since when pressure has been normal (null: not normal). */
  calmSinceMs: number | null;
  /** When the last pressure step (shed, pressure recycle, restore) completed or was sent. */
  lastStepAtMs: number | null;
  lastStep: "recycle" | "shed" | "restore" | null;
  previousSwapBytes: number | null;
  previousHighEvents: number | null;
  previousMaxEvents: number | null;
  /** Since when load has been over / under (null: not). */
  overloadSinceMs: number | null;
  idleSinceMs: number | null;
  /** Anti-flap multiplier of the idle delay (1 … maxMultiplier). */
  idleMultiplier: number;
  lastScaleUpAtMs: number | null;
  lastScaleDownAtMs: number | null;
  inFlight: InFlight | null;
  /** Why a wanted scale-up is being held (noted once per change), null when none is held. */
  held: "pressure" | "memory" | "max" | null;
  /** First measured private memory of recent workers (what a fresh worker costs), newest last. */
  freshUss: number[];
  /** Pids whose first private memory has been noted (bounded). */
  measured: number[];
  recycles: Record<RecycleReason, number>;
}

/** A signal for the adapter to send. */
export type AdaptiveAction =
  { kind: "ttin" } | { kind: "ttou" } | { kind: "recycle"; pid: number; reason: RecycleReason };

/** Events the step records (the supervisor adds `source` and `time`). */
export type AdaptiveEvent =
  | Omit<EventOf<"scale_up">, "source">
  | Omit<EventOf<"scale_down">, "source">
  | Omit<EventOf<"recycle">, "source">;

export interface Decision {
  state: AdaptiveState;
  actions: AdaptiveAction[];
  events: AdaptiveEvent[];
  /** One-line notes for gwarden's own output: pressure level changes, held scale-ups. */
  notes: string[];
}
