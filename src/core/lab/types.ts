/**
 * The lab's vocabulary: a matrix of (tier, config, scenario) cells, how each config sizes gunicorn, and
 * what one cell measured. Pure data, shared by the matrix, the CSV, the summary and the report.
 */
import type { GunicornEvent } from "../events/types.js";

export const SCENARIOS = ["startup", "health", "lifecycle", "light", "heavy", "oom", "sustained"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export type ConfigKind = "default" | "planned" | "custom" | "grid";

/** One gunicorn configuration of the matrix, sized for one tier. */
export interface LabConfig {
  /** `default`, `planned`, `custom`, `grid-w2-t4-preload`. */
  name: string;
  kind: ConfigKind;
  workers: number;
  threads: number;
  preload: boolean;
  /** Extra gunicorn flags (sizing for default/custom/grid); the planned config sizes through its conf. */
  flags: string[];
  /** Short description for tables (`3×1 sync`, `2×4 gthread preload`). */
  label: string;
}

/** A (tier, config) pair: one gunicorn instance serves every scenario of it, in order. */
export interface LabInstanceSpec {
  tierBytes: number;
  cpus: number;
  config: LabConfig;
  scenarios: ScenarioName[];
  /** Heavy load's connections: the same for every config of the tier (like-for-like requests/s). */
  connections: number;
  /** 1 for the first pass (every scenario); 2…N repeat the throughput cell (`--repeat N`). */
  round: number;
}

/** A timestamped memory sample of the sandbox (seconds since the instance started, bytes). */
export type MemoryPoint = [number, number];

/** What one (tier, config, scenario) cell measured. */
export interface CellResult {
  tierBytes: number;
  cpus: number;
  config: string;
  configLabel: string;
  scenario: ScenarioName;
  workerTimeouts: number;
  oomKills: number;
  failedRequests: number;
  requests: number;
  /** Spawn to every expected worker ready (startup cell; the instance's figure on the others). */
  startupSeconds: number | null;
  rps: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  peakMemoryBytes: number | null;
  workerDeaths: number;
  expectedWorkers: number;
  /** Concurrency of the load, 0 without load. */
  concurrency: number;
  /** Which pass of `--repeat` (1 when absent). */
  round?: number;
  /**
   * Loads: CPUs the sandbox's processes used, and CPUs' worth of their time spent runnable but waiting
   * for a CPU. Waiting that rivals the use means the host, not the quota, set the pace: such a cell's
   * requests/s measure the machine's other load.
   */
  usedCpus?: number;
  waitCpus?: number;
  /** After merging repeats: every pass's requests/s, in order (absent for a single pass). */
  rpsRuns?: number[];
  passed: boolean;
  /** Skipped cells carry the reason and no figures. */
  skipped: boolean;
  /** What the scenario checked and saw, one sentence (`HUP: 3 workers back in 2.1 s`). */
  note: string;
  /** Seconds since the instance started when the cell began and ended. */
  startedAt: number;
  endedAt: number;
  /** The cell's gunicorn events (parsed from its log). */
  events: GunicornEvent[];
  /** The cell's gunicorn log lines (bounded), for the root cause. */
  log: string[];
}

/** Per (tier, config): the memory series and the boot facts, for the report. */
export interface InstanceTrace {
  tierBytes: number;
  config: string;
  configLabel: string;
  memory: MemoryPoint[];
  /** [seconds, kind, pid] of every event, in order. */
  events: Array<[number, string, number | null]>;
  /** [seconds, scenario] where each scenario began. */
  marks: Array<[number, ScenarioName]>;
}

/** The app's measured sizes, for the arithmetic of root causes (from the profile). */
export interface AppSizes {
  importSeconds: number;
  masterBytes: number;
  workerPrivateBytes: number;
  preloadMasterBytes: number | null;
  preloadWorkerPrivateBytes: number | null;
}

/** One tier's box in a `--sandbox vm` run: what the guest's kernel left, its swap, its vCPU's speed. */
export interface BoxTier {
  tierBytes: number;
  /** MemTotal in the guest: the RAM minus what the kernel keeps for itself. */
  memTotalBytes: number | null;
  swapTotalBytes: number | null;
  /** The app's import time measured by the profile inside this guest. */
  importSeconds: number | null;
  /** Largest swap in use seen while the instances ran. */
  peakSwapUsedBytes: number | null;
  /** Kernel start to the lab's start in the guest. */
  bootSeconds: number | null;
  kernel: string | null;
}

/** The whole box of a `--sandbox vm` run (a VPS plan): RAM per tier, swap, vCPUs, the vCPU's speed. */
export interface LabBox {
  vcpus: number;
  swap: { kind: "disk" | "zram"; bytes: number } | null;
  /** The app's import time on the host that started the lab, against which the vCPU's speed is told. */
  hostImportSeconds: number | null;
  tiers: BoxTier[];
}

/** a ÷ b with the spread of the passes (lowest and highest). */
export interface Ratio {
  value: number;
  spread: [number, number];
}

/**
 * One tier's run-off: the planned config against the best passing grid layout the matrix found, and
 * against gunicorn's default where the default passed every scenario, in fresh heavy-load passes
 * alternating (A B C, C B A, …). One pass of each per round.
 */
export interface RunOff {
  tierBytes: number;
  best: { config: string; label: string };
  /** The default's layout, when it ran in the run-off. */
  default?: { config: string; label: string };
  rounds: RunOffRound[];
}

/** One pass of a run-off: its requests/s (null when it measured none) and whether it passed. */
export interface RunOffPass {
  rps: number | null;
  passed: boolean;
}

/** One round of a run-off: each side's pass. */
export interface RunOffRound {
  planned: RunOffPass;
  best: RunOffPass;
  default?: RunOffPass;
}

/** Everything one lab run produced: what the summary, the report and the CSV are rendered from. */
export interface LabRunData {
  /** The command line that produced it, as a person would type it. */
  command: string;
  startedAt: string;
  cpus: number;
  quick: boolean;
  /** Passes of the throughput cell (`--repeat`, 1 when absent). */
  repeat?: number;
  gunicornVersion: string | null;
  sizes: AppSizes | null;
  /** Every (tier, config) instance, planned or run. */
  instances: Array<{ tierBytes: number; config: LabConfig }>;
  cells: CellResult[];
  traces: InstanceTrace[];
  notes: string[];
  /** `--repeat N` with planned and grid configs: each tier's run-off (src/core/lab/repeats.ts). */
  runOffs?: RunOff[];
  /** `--sandbox vm`: the box each tier ran on (absent for cgroup sandboxes). */
  box?: LabBox | null;
  /** False while running or after an interruption. */
  complete: boolean;
}
