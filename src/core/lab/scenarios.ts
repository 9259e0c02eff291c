/**
 * The seven scenarios of the write-up as data: what load each sends (which paths, how many connections,
 * for how long or how many requests), and what counts as a failure. The runner (src/adapters/lab/)
 * does the sending; `judge` decides pass or fail from what was measured.
 */
import type { LabConfig, ScenarioName } from "./types.js";
import { getRequest, requestLabel, type RequestSpec } from "../profile/request-spec.js";

export interface LoadShape {
  /** The requests as labels (`/health`, `POST /login`), for notes. */
  paths: string[];
  /** The requests in full (method, headers, body); GETs of `paths` when absent. */
  requests?: RequestSpec[];
  connections: number;
  /** Run for this long (seconds) ... */
  seconds?: number;
  /** ... or send this many requests. */
  amount?: number;
  /** Per-request deadline, seconds. */
  timeoutSeconds: number;
}

export interface ScenarioSettings {
  quick: boolean;
  /** The app's URLs to load (default `/`), as labels. */
  urls: string[];
  /** The requests behind `urls` in full (`--url 'POST /login' --data ...`); GETs of `urls` when absent. */
  requests?: RequestSpec[];
  /** The health-check URL (default the first of `urls`). */
  healthUrl: string;
  /** A request that allocates memory (`{limit_mib}` is replaced by the tier in MiB), or null. */
  hogUrl: string | null;
  /** A request that leaks a little memory, or null. */
  leakUrl: string | null;
  /** How long to wait for every worker to be ready (seconds); default from `timings`. */
  readySeconds?: number;
  /**
   * Loads last this many times longer (default 1). On the VM's slow vCPU a fresh worker's first
   * responses take seconds: a 3 s window could close before any came back, measuring nothing.
   */
  loadScale?: number;
}

/** The wait for every worker to be ready: the scenario default, or 10 × the app's import time for slow apps. */
export function readySeconds(settings: ScenarioSettings, importSeconds: number | null): number {
  const base = settings.readySeconds ?? timings(settings.quick).readySeconds;
  return importSeconds === null ? base : Math.max(base, Math.ceil(10 * importSeconds));
}

/** Durations and sizes of the scenarios (quick: a minutes-long smoke matrix). */
export function timings(quick: boolean): {
  lightSeconds: number;
  heavySeconds: number;
  sustainedSeconds: number;
  healthSeconds: number;
  recoverySeconds: number;
  readySeconds: number;
} {
  return quick
    ? {
        lightSeconds: 4,
        heavySeconds: 5,
        sustainedSeconds: 10,
        healthSeconds: 3,
        recoverySeconds: 30,
        readySeconds: 20,
      }
    : {
        lightSeconds: 6,
        heavySeconds: 8,
        sustainedSeconds: 20,
        healthSeconds: 5,
        recoverySeconds: 30,
        readySeconds: 30,
      };
}

/** Connections for heavy load: above what the config can serve at once (workers × threads). */
export function heavyConnections(config: LabConfig): number {
  return Math.min(64, Math.max(8, 4 * config.workers * config.threads));
}

/**
 * The heavy load of one tier: every config of the tier gets the same offered load, so their requests/s
 * compare like for like — the most any of them needs to be kept busy.
 */
export function tierConnections(configs: readonly LabConfig[]): number {
  return Math.max(8, ...configs.map(heavyConnections));
}

/** The requests a load sends, in full. */
export function loadRequests(shape: LoadShape): RequestSpec[] {
  return shape.requests ?? shape.paths.map(getRequest);
}

/** The app's requests plus extra GETs (the leak URL), as a load's paths and requests. */
function appLoad(settings: ScenarioSettings, extra: string[] = []): Pick<LoadShape, "paths" | "requests"> {
  const requests = [...(settings.requests ?? settings.urls.map(getRequest)), ...extra.map(getRequest)];
  return { paths: requests.map(requestLabel), requests };
}

/** Replaces `{limit_mib}` in a hog URL with the tier in MiB. */
export function hogPath(template: string, tierBytes: number): string {
  return template.replaceAll("{limit_mib}", String(Math.round(tierBytes / 1048576)));
}

/**
 * The load a scenario sends (the background load for lifecycle and OOM), or null for none. `connections`:
 * the tier's offered heavy load (default: what this config alone needs).
 */
export function scenarioLoad(
  scenario: ScenarioName,
  config: LabConfig,
  settings: ScenarioSettings,
  connections = heavyConnections(config),
): LoadShape | null {
  const base = timings(settings.quick);
  const k = settings.loadScale ?? 1;
  const t = {
    ...base,
    lightSeconds: base.lightSeconds * k,
    heavySeconds: base.heavySeconds * k,
    sustainedSeconds: base.sustainedSeconds * k,
    healthSeconds: base.healthSeconds * k,
  };
  switch (scenario) {
    case "startup":
      return null;
    case "health":
      return { paths: [settings.healthUrl], connections: 1, seconds: t.healthSeconds, timeoutSeconds: 10 };
    case "light":
      return { ...appLoad(settings), connections: 1, seconds: t.lightSeconds, timeoutSeconds: 30 };
    case "heavy":
      return {
        ...appLoad(settings),
        connections,
        seconds: t.heavySeconds,
        timeoutSeconds: 30,
      };
    case "lifecycle":
    case "oom":
      // Background load while signals or the hog run; the runner stops it when the scenario is done.
      return {
        paths: [settings.healthUrl],
        connections: 1,
        seconds: t.recoverySeconds * 3,
        timeoutSeconds: 30,
      };
    case "sustained":
      return settings.leakUrl === null
        ? null
        : {
            ...appLoad(settings, [settings.leakUrl]),
            connections: 2,
            seconds: t.sustainedSeconds,
            timeoutSeconds: 30,
          };
  }
}

/** Scenarios whose whole point is a load: they need at least one request to pass. */
const LOAD_SCENARIOS = new Set<ScenarioName>(["health", "light", "heavy", "sustained"]);

/** Why a scenario cannot run for this app, or null when it can. */
export function skipReason(scenario: ScenarioName, settings: ScenarioSettings): string | null {
  if (scenario === "oom" && settings.hogUrl === null)
    return "skipped: no --hog-url (a request that allocates memory) for this app";
  if (scenario === "sustained" && settings.leakUrl === null)
    return "skipped: no --leak-url (a request that leaks memory) for this app";
  return null;
}

export interface Verdict {
  workerTimeouts: number;
  oomKills: number;
  failedRequests: number;
  workerDeaths: number;
  /** Every expected worker was ready (startup), or came back (lifecycle, oom). */
  ready: boolean;
  masterAlive: boolean;
  /** Requests the scenario's load completed or failed (a load scenario where none ran proves nothing). */
  requests?: number;
}

/**
 * Pass or fail. Every scenario fails on a worker timeout, a failed request, a dead master or workers
 * that did not come (back) up; all but OOM fail on an OOM kill (the OOM scenario provokes one: it
 * passes when the master survives and the service recovers). Startup also fails on any worker death.
 */
export function judge(scenario: ScenarioName, v: Verdict): boolean {
  if (!v.masterAlive || !v.ready || v.workerTimeouts > 0 || v.failedRequests > 0) return false;
  if (v.requests === 0 && LOAD_SCENARIOS.has(scenario)) return false;
  if (scenario === "oom") return true;
  if (v.oomKills > 0) return false;
  return scenario !== "startup" || v.workerDeaths === 0;
}
