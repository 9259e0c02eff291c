/**
 * The lab matrix: tiers × configs × scenarios. Expands the configs for one tier (gunicorn's common
 * default, gwarden's plan, the user's own flags, a grid of workers × threads × preload) and the
 * scenarios each of them runs. Grid cells run startup, lifecycle and heavy load only: they exist to find
 * the best requests/s the box can give with a layout that survives reloads, not to repeat every scenario.
 */
import { GwardenError } from "../error.js";
import { shellSplit } from "../argv/shell-split.js";
import { managedValue, parseGunicornArgv } from "../argv/gunicorn-argv.js";
import type { Plan } from "../plan/types.js";
import { parseSize, MiB } from "../size.js";
import {
  SCENARIOS,
  type AppSizes,
  type ConfigKind,
  type LabConfig,
  type LabInstanceSpec,
  type ScenarioName,
} from "./types.js";
import { tierConnections } from "./scenarios.js";

export const DEFAULT_TIERS = ["256M", "512M", "768M", "1G", "2G", "4G"];
export const QUICK_TIERS = ["256M", "512M"];
export const QUICK_SCENARIOS: ScenarioName[] = ["startup", "health", "light", "heavy"];
const CONFIG_KINDS: ConfigKind[] = ["default", "planned", "custom", "grid"];
/**
 * The grid measures throughput, and a layout only counts when it also survives what production does to
 * it: a reload and a worker's exit (lifecycle), where preload's copy-on-write exit spike shows up.
 */
const GRID_SCENARIOS: ScenarioName[] = ["startup", "lifecycle", "heavy"];

export interface GridSpec {
  workers: number[];
  threads: number[];
  /** Try --preload too (only when the profile found it safe). */
  preload: boolean;
}

export interface MatrixInput {
  tiers: number[];
  cpus: number;
  configs: ConfigKind[];
  scenarios: ScenarioName[];
  /** The user's own flags for `custom` (`-w 2 --timeout 15`). */
  custom: string | null;
  grid: GridSpec;
  /** gwarden's plan at a tier. */
  planFor: (tierBytes: number) => Plan;
  /** The app's measured sizes: grid cells that cannot fit the tier are left out. */
  sizes: AppSizes | null;
  /** Passes of the heavy-load cell (`--repeat`, default 1). */
  repeat?: number;
}

/** gunicorn as commonly run: 2 × CPU + 1 sync workers, timeout 30, nothing else. */
export function commonDefaultArgs(cpus: number): { workers: number; args: string[] } {
  const workers = 2 * Math.max(1, Math.round(cpus)) + 1;
  return { workers, args: ["-w", String(workers), "--timeout", "30"] };
}

/** `256M,512M,1G` → bytes, ascending, without duplicates. */
export function parseTiers(text: string): number[] {
  const tiers = text
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "")
    .map((t) => parseSize(t, "a tier"));
  if (tiers.length === 0)
    throw new GwardenError("E_USAGE", "Expected at least one tier in --tiers (e.g. 256M,512M)");
  return [...new Set(tiers)].sort((a, b) => a - b);
}

/** A comma list checked against the allowed words, in the allowed order. */
export function parseChoices<T extends string>(text: string, allowed: readonly T[], flag: string): T[] {
  const words = text
    .split(",")
    .map((w) => w.trim())
    .filter((w) => w !== "");
  const bad = words.find((w) => !(allowed as readonly string[]).includes(w));
  if (bad !== undefined || words.length === 0) {
    throw new GwardenError(
      "E_USAGE",
      `Expected ${flag} to be a comma list of ${allowed.join(", ")}, got \`${text}\``,
    );
  }
  return allowed.filter((a) => words.includes(a));
}

/** Parses --configs. */
export function parseConfigs(text: string): ConfigKind[] {
  return parseChoices(text, CONFIG_KINDS, "--configs");
}

/** Parses --scenarios. */
export function parseScenarios(text: string): ScenarioName[] {
  return parseChoices(text, SCENARIOS, "--scenarios");
}

/** `1,2,4` → positive integers. */
export function parseIntList(text: string, flag: string): number[] {
  const values = text.split(",").map((v) => Number(v.trim()));
  if (values.length === 0 || values.some((v) => !Number.isInteger(v) || v < 1)) {
    throw new GwardenError(
      "E_USAGE",
      `Expected ${flag} to be a comma list of positive integers, got \`${text}\``,
    );
  }
  return [...new Set(values)].sort((a, b) => a - b);
}

function describe(workers: number, threads: number, preload: boolean): string {
  return `${workers}×${threads} ${threads > 1 ? "gthread" : "sync"}${preload ? " preload" : ""}`;
}

/** The user's own flags as a config: its sizing read the way gunicorn reads it. */
export function customConfig(flags: string): LabConfig {
  const words = shellSplit(flags);
  const command = parseGunicornArgv(["gunicorn", ...words]);
  if (command.spec !== null) {
    throw new GwardenError(
      "E_USAGE",
      `--custom takes gunicorn flags only, not the app (\`${command.spec}\`)`,
      { hint: 'e.g. --custom "-w 2 --timeout 15"' },
    );
  }
  const workers = Number(managedValue(command, "workers") ?? "1");
  const threads = Number(managedValue(command, "threads") ?? "1");
  if (!Number.isInteger(workers) || workers < 1 || !Number.isInteger(threads) || threads < 1) {
    throw new GwardenError("E_USAGE", `Cannot read the workers and threads of --custom \`${flags}\``);
  }
  const preload = managedValue(command, "preload_app") !== undefined;
  return {
    name: "custom",
    kind: "custom",
    workers,
    threads,
    preload,
    flags: words,
    label: describe(workers, threads, preload),
  };
}

/** The planned config at one tier (sized by its conf, no flags). */
export function plannedConfig(plan: Plan): LabConfig {
  return {
    name: "planned",
    kind: "planned",
    workers: plan.workers,
    threads: plan.threads,
    preload: plan.preload,
    flags: [],
    label: describe(plan.workers, plan.threads, plan.preload),
  };
}

/** gunicorn's common default as a config. */
export function defaultConfig(cpus: number): LabConfig {
  const common = commonDefaultArgs(cpus);
  return {
    name: "default",
    kind: "default",
    workers: common.workers,
    threads: 1,
    preload: false,
    flags: common.args,
    label: describe(common.workers, 1, false),
  };
}

/** Estimated resident bytes of a layout (master + workers' private memory), or null without sizes. */
export function estimateBytes(sizes: AppSizes | null, workers: number, preload: boolean): number | null {
  if (sizes === null) return null;
  const master = preload ? (sizes.preloadMasterBytes ?? sizes.masterBytes) : sizes.masterBytes;
  const worker = preload
    ? (sizes.preloadWorkerPrivateBytes ?? sizes.workerPrivateBytes)
    : sizes.workerPrivateBytes;
  return master + workers * worker;
}

/** The grid's configs at one tier; layouts estimated well over the tier (> 110 %) are left out. */
export function gridConfigs(grid: GridSpec, tierBytes: number, sizes: AppSizes | null): LabConfig[] {
  const configs: LabConfig[] = [];
  for (const preload of grid.preload ? [false, true] : [false]) {
    for (const workers of grid.workers) {
      for (const threads of grid.threads) {
        const estimate = estimateBytes(sizes, workers, preload);
        // Borderline layouts are tried: the estimate counts shared pages in the master twice.
        if (estimate !== null && estimate > 1.1 * tierBytes) continue;
        const flags = [
          "-w",
          String(workers),
          "--threads",
          String(threads),
          "--timeout",
          "30",
          ...(preload ? ["--preload"] : []),
        ];
        const name = `grid-w${workers}-t${threads}${preload ? "-preload" : ""}`;
        configs.push({
          name,
          kind: "grid",
          workers,
          threads,
          preload,
          flags,
          label: describe(workers, threads, preload),
        });
      }
    }
  }
  return configs;
}

/**
 * Every (tier, config) instance of the matrix, in run order: tier by tier, default first. With
 * `repeat` N, each tier's configs then run N − 1 more passes of heavy load alone (A B C, A B C: a drift of
 * the machine's load hits every config alike), each on a fresh instance. Every config of a tier gets
 * the same heavy load (`tierConnections`).
 */
export function expandMatrix(input: MatrixInput): LabInstanceSpec[] {
  const specs: LabInstanceSpec[] = [];
  for (const tierBytes of input.tiers) {
    const configs: LabConfig[] = [];
    for (const kind of input.configs) {
      if (kind === "default") configs.push(defaultConfig(input.cpus));
      else if (kind === "planned") configs.push(plannedConfig(input.planFor(tierBytes)));
      else if (kind === "custom" && input.custom !== null) configs.push(customConfig(input.custom));
      else if (kind === "grid") configs.push(...gridConfigs(input.grid, tierBytes, input.sizes));
    }
    const connections = tierConnections(configs);
    const base = { tierBytes, cpus: input.cpus, connections };
    for (const config of configs) {
      const scenarios =
        config.kind === "grid"
          ? input.scenarios.filter((s) => GRID_SCENARIOS.includes(s))
          : [...input.scenarios];
      if (scenarios.length > 0) specs.push({ ...base, config, scenarios, round: 1 });
    }
    if (!input.scenarios.includes("heavy")) continue;
    for (let round = 2; round <= (input.repeat ?? 1); round++)
      for (const config of configs) specs.push({ ...base, config, scenarios: ["heavy"], round });
  }
  return specs;
}

/** `256M` style label of a tier. */
export function tierLabel(bytes: number): string {
  return bytes % (1024 * MiB) === 0 ? `${bytes / (1024 * MiB)}G` : `${Math.round(bytes / MiB)}M`;
}
