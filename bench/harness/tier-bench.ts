/**
 * The tier bench of issue 2: for each memory tier (1 CPU by default), run the app twice inside a real
 * memory cgroup — gunicorn's common default (`-w 2×CPU+1`, timeout 30) and gwarden's plan from a real
 * profile — under the same fixed load, and report timeouts, OOM kills, failed requests, time to ready
 * and requests/s side by side. The lab (issue 7) grows this into its full matrix.
 */
import { renderGunicornConf } from "../../src/core/conf/render.js";
import { emitConf } from "../../src/core/emit/emit-conf.js";
import { pythonRuntime } from "../../src/adapters/conf/python-runtime.js";
import { defaultPolicy } from "../../src/core/plan/inputs.js";
import { planGunicorn } from "../../src/core/plan/plan.js";
import type { Plan } from "../../src/core/plan/types.js";
import type { Profile } from "../../src/core/profile/types.js";
import { commonDefaultArgs } from "../../src/core/lab/matrix.js";
import { runTrial, type TrialResult } from "./tier-trial.js";
import { heartbeatDirFacts } from "../../src/adapters/resources/heartbeat-dirs.js";

export interface TierBenchOptions {
  tiers: number[];
  cpus: number;
  /** argv prefix that starts gunicorn. */
  launcher: string[];
  /** The app's gunicorn arguments without sizing flags (`--chdir example app:app`). */
  appArgs: string[];
  env?: Record<string, string>;
  profile: Profile;
  gunicornVersion: string | null;
  path: string;
  requests: number;
  concurrency: number;
  /** Called after each trial, for progress output. */
  onTrial?: (result: TrialResult) => void;
}

export interface TierBenchRow {
  tierBytes: number;
  plan: Plan;
  default: TrialResult;
  planned: TrialResult;
}

const DEFAULT_READY_TIMEOUT_MS = 20_000;

export { commonDefaultArgs };

/** Runs default and planned at every tier, in order; the rows keep the plan that was used. */
export async function runTierBench(options: TierBenchOptions): Promise<TierBenchRow[]> {
  const rows: TierBenchRow[] = [];
  const instrumentOnly = renderGunicornConf({
    settings: {},
    gcFreeze: false,
    userConfig: null,
    comments: ["common default"],
    guard: null,
    runtime: pythonRuntime(),
  });
  for (const tierBytes of options.tiers) {
    const common = commonDefaultArgs(options.cpus);
    const plan = planGunicorn({
      resources: {
        memoryBytes: tierBytes,
        memorySource: "bench tier",
        cpus: options.cpus,
        cpuSource: "bench",
        swapBytes: 0,
        heartbeatDirs: heartbeatDirFacts(),
        warnings: [],
      },
      profile: options.profile,
      policy: defaultPolicy({ gunicornVersion: options.gunicornVersion, appArgv: options.appArgs }),
    });
    const trial = (name: string, args: string[], conf: string, expectedWorkers: number) =>
      runTrial({
        tierBytes,
        cpus: options.cpus,
        path: options.path,
        requests: options.requests,
        concurrency: options.concurrency,
        readyTimeoutMs: DEFAULT_READY_TIMEOUT_MS,
        config: { name, launcher: options.launcher, args, conf, env: options.env, expectedWorkers },
      }).then((result) => {
        options.onTrial?.(result);
        return result;
      });
    const defaultResult = await trial(
      "default",
      [...common.args, ...options.appArgs],
      instrumentOnly,
      common.workers,
    );
    const plannedResult = await trial(
      "planned",
      options.appArgs,
      emitConf(plan, null, pythonRuntime()),
      plan.workers,
    );
    rows.push({ tierBytes, plan, default: defaultResult, planned: plannedResult });
  }
  return rows;
}
