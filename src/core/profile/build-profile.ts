/**
 * Folds the three profiling runs into the Profile that `plan` reads: import time and memory from the
 * plain run, preload safety and the shared-memory gain from the two preload runs.
 */
import type { AppIdentity } from "./app-identity.js";
import { requestLabel, type RequestSpec } from "./request-spec.js";
import type { CpuProfile, CpuTiming, Profile, ProfileRunResult } from "./types.js";

export interface ProfileRunSpec {
  mode: ProfileRunResult["mode"];
  workers: number;
  preload: boolean;
  gcFreeze: boolean;
}

/** The runs `profile` makes, in order: the plain run first (it must succeed), then preload. */
export const PROFILE_RUNS: readonly ProfileRunSpec[] = [
  { mode: "single", workers: 1, preload: false, gcFreeze: false },
  { mode: "preload", workers: 1, preload: true, gcFreeze: false },
  { mode: "preload-shared", workers: 3, preload: true, gcFreeze: true },
];

export interface ProfileInputs {
  createdAt: string;
  /** The gunicorn command without gwarden-managed flags. */
  argv: string[];
  identity: AppIdentity;
  /** `--chdir` as given. */
  chdir: string | null;
  gunicorn: Profile["gunicorn"];
  requests: RequestSpec[];
  runs: ProfileRunResult[];
  host: Profile["host"];
}

/** The median of some numbers (0 for none). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function failedUrls(run: ProfileRunResult): string {
  return run.urls
    .filter((u) => !u.ok)
    .map((u) => `${u.path} → ${u.status ?? u.error ?? "no answer"}`)
    .join(", ");
}

/** Whether preload is safe, and why, from the two preload runs. */
export function preloadVerdict(
  preload: ProfileRunResult | undefined,
  shared: ProfileRunResult | undefined,
): { safe: boolean; reason: string } {
  if (!preload || !shared) return { safe: false, reason: "preload was not tried" };
  for (const run of [preload, shared]) {
    const what = `with --preload and ${run.workers} worker${run.workers === 1 ? "" : "s"}`;
    if (run.error !== undefined && run.urls.length === 0)
      return { safe: false, reason: `the app did not boot ${what}: ${run.error}` };
    if (!run.ok)
      return { safe: false, reason: `requests failed ${what}: ${failedUrls(run) || run.error || "unknown"}` };
  }
  const answering = shared.workersAnswering;
  const by =
    answering === null || answering === undefined
      ? `${shared.workers} workers`
      : `${answering} of ${shared.workers} workers`;
  return { safe: true, reason: `booted with --preload, and every warm-up URL answered 2xx from ${by}` };
}

/**
 * The share of a busy worker's time spent on a CPU, each request kind weighted equally:
 * Σ CPU ÷ Σ (CPU + blocked). Waiting in the run queue is the profiling host being busy, not the app,
 * so it counts in neither. Null without timings.
 */
export function cpuShare(timings: readonly CpuTiming[]): number | null {
  const cpu = timings.reduce((sum, t) => sum + t.cpuMs, 0);
  const busy = timings.reduce((sum, t) => sum + t.cpuMs + t.blockedMs, 0);
  if (timings.length === 0 || busy <= 0) return null;
  return round(Math.min(1, cpu / busy));
}

function cpuProfile(single: ProfileRunResult, shared: ProfileRunResult | undefined): CpuProfile | null {
  const timings = single.cpu ?? [];
  const share = cpuShare(timings);
  if (share === null) return null;
  return { single: timings, concurrent: shared?.cpu?.[0] ?? null, share };
}

/** Builds the Profile; the `single` run must be present and ok (profile stops earlier otherwise). */
export function buildProfile(inputs: ProfileInputs): Profile {
  const byMode = (mode: ProfileRunResult["mode"]): ProfileRunResult | undefined =>
    inputs.runs.find((r) => r.mode === mode);
  const single = byMode("single");
  if (!single || !single.master || single.workerMemory.length === 0) {
    throw new Error("buildProfile: the plain run is missing or has no measurements");
  }
  const preload = byMode("preload");
  const shared = byMode("preload-shared");
  const baseline = single.startSeconds;
  const runs = inputs.runs.map((run) =>
    run.mode !== "single" && run.startSeconds !== null && baseline !== null
      ? { ...run, masterImportSeconds: round(Math.max(0, run.startSeconds - baseline)) }
      : run,
  );
  const verdict = preloadVerdict(preload, shared);
  const sharedUss = shared?.workerMemory.map((m) => m.uss) ?? [];
  return {
    schema: 2,
    createdAt: inputs.createdAt,
    app: {
      argv: inputs.argv,
      spec: inputs.identity.spec,
      chdir: inputs.chdir,
      where: inputs.identity.where,
      fingerprint: inputs.identity.fingerprint,
    },
    gunicorn: inputs.gunicorn,
    importSeconds: round(median(single.bootSeconds)),
    master: single.master,
    worker: single.workerMemory[0]!,
    preload: {
      ...verdict,
      masterImportSeconds: runs.find((r) => r.mode === "preload")?.masterImportSeconds ?? null,
      master: shared?.master ?? preload?.master ?? null,
      workerPrivateBytes:
        sharedUss.length === 0 ? null : Math.round(sharedUss.reduce((a, b) => a + b, 0) / sharedUss.length),
      exitSpike: verdict.safe ? (shared?.exitSpike ?? null) : null,
    },
    urls: inputs.requests.map(requestLabel),
    requests: inputs.requests,
    cpu: cpuProfile(single, shared),
    runs,
    host: inputs.host,
  };
}
