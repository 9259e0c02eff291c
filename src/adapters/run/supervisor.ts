/**
 * `gwarden run`'s runtime: launches the gunicorn master as a direct child with the generated config,
 * relays its output while parsing it, samples it, serves the live views, forwards signals, restarts a
 * master that dies with backoff and gives up on flapping. Returns the exit code gwarden should use.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { HookRecord } from "../../core/events/hook-record.js";
import type { Plan } from "../../core/plan/types.js";
import type { BootExit } from "../../core/profile/boot-failure.js";
import { explainExit } from "../../core/run/exit-explain.js";
import {
  decideRestart,
  DEFAULT_RESTART_POLICY,
  type MasterRun,
  type RestartPolicy,
} from "../../core/run/restart-policy.js";
import type { EventLog } from "./event-log.js";
import { startGunicorn, type GunicornProcess } from "./gunicorn-process.js";
import { createLineRelay } from "./output-relay.js";
import { MASTER_OOM_SCORE_ADJ, setOomScoreAdj, SUPERVISOR_OOM_SCORE_ADJ } from "./oom-score.js";
import { createSampler, DEFAULT_MEMORY_INTERVAL_MS, type Sampler } from "./sampler.js";
import { handleSignals } from "./signal-forwarding.js";
import { snapshotOf } from "./supervisor-snapshot.js";
import { createWatch, type Watch } from "./supervisor-watch.js";
import { detectResources } from "../resources/resources.js";
import type { AdaptiveConfig } from "../../core/adaptive/types.js";
import { createAdaptiveController } from "./adaptive-controller.js";
import type { MasterLife } from "../../core/snapshot/build.js";

export interface SuperviseOptions {
  launcher: string[];
  /** gunicorn arguments without -c, the spec last. */
  args: string[];
  conf: string;
  cwd?: string;
  /** Environment additions (GUNICORN_CMD_ARGS is dropped unless given here). */
  env: Record<string, string>;
  plan: Plan | null;
  bootDeadlineMs: number;
  gracefulTimeoutMs: number;
  sampleIntervalMs: number;
  restartPolicy?: RestartPolicy;
  eventLog: EventLog | null;
  /** Adaptive control (scale on load and memory pressure, recycle by memory), or null/absent for a fixed plan. */
  adaptive?: { config: AdaptiveConfig; requestHooks: boolean } | null;
  /** The HTTP endpoint, or null for --no-http. Started before gunicorn so a bind error stops everything first. */
  http: { listen: string; token: string | null } | null;
  /** Called once the endpoint listens (its URL). */
  onListening?: (url: string) => void;
  /** Every hook record is passed here too (the lab's channel, when gwarden runs under it). */
  forwardRecord?: ((record: HookRecord) => void) | null;
}

export interface SuperviseEffects {
  say: (text: string) => void;
  writeStdout: (chunk: Buffer) => void;
  writeStderr: (text: string) => void;
  now: () => number;
  wallClock: () => Date;
  kill: (pid: number, signal: NodeJS.Signals) => void;
  readOomKills: () => number | null;
  selfPid: number;
}

const defaults: SuperviseEffects = {
  say: (text) => process.stderr.write(`gwarden: ${text}\n`),
  writeStdout: (chunk) => process.stdout.write(chunk),
  writeStderr: (text) => process.stderr.write(text),
  now: () => performance.now(),
  wallClock: () => new Date(),
  kill: (pid, signal) => process.kill(pid, signal),
  readOomKills: () => detectResources().oom.kills,
  selfPid: process.pid,
};

/** Supervises gunicorn until it is stopped or gives up; resolves with gwarden's exit code. */
export async function supervise(
  options: SuperviseOptions,
  overrides: Partial<SuperviseEffects> = {},
): Promise<number> {
  const fx: SuperviseEffects = { ...defaults, ...overrides };
  const live: { sampler: Sampler | null } = { sampler: null };
  let current: GunicornProcess | null = null;
  let master: MasterLife = { state: "starting", pid: null, startedAt: null };
  let stopRequested = false;
  const wake = new AbortController();

  const startSampler = (pid: number, ports: number[]): void => {
    live.sampler?.stop();
    const sampler = createSampler({
      masterPid: pid,
      ports,
      intervalMs: options.sampleIntervalMs,
      configuredBacklog: options.plan?.backlog ?? null,
      // Adaptive control reads each worker's private memory every tick (~0.7 ms per process) only
      // while memory is near one of its thresholds; otherwise the sampler's 5 s refresh.
      ...(adaptive
        ? {
            memoryIntervalMs: () =>
              adaptive.memoryIntervalMs(options.sampleIntervalMs, DEFAULT_MEMORY_INTERVAL_MS),
          }
        : {}),
      onSample: (sample) => {
        watch.onSample(sample);
        adaptive?.onSample(sample);
      },
      onError: (error) => fx.say(`warning: sampling failed: ${(error as Error).message}`),
    });
    live.sampler = sampler;
    sampler.start();
  };

  const watch: Watch = createWatch(
    {
      plan: options.plan,
      bootDeadlineMs: options.bootDeadlineMs,
      eventLog: options.eventLog,
      onPorts: (ports) => current && startSampler(current.pid, ports),
    },
    {
      now: fx.now,
      wallClock: fx.wallClock,
      kill: fx.kill,
      setOomScore: (pid, value) => setOomScoreAdj(pid, value),
      readOomKills: fx.readOomKills,
      say: fx.say,
    },
  );

  const adaptive = options.adaptive
    ? createAdaptiveController(options.adaptive, {
        kill: fx.kill,
        emit: (event) => watch.emit(event),
        say: fx.say,
        wallClock: fx.wallClock,
      })
    : null;

  const masterLife = (): MasterLife => {
    if (master.state !== "starting" || master.pid === null) return master;
    const phase = watch.lifecycle.master.phase;
    return phase === "running" || phase === "reloading"
      ? { state: "running", pid: master.pid, startedAt: master.startedAt }
      : master;
  };

  const http = options.http
    ? await import("../http/http-server.js").then((m) =>
        m.startHttpServer({
          listen: options.http!.listen,
          token: options.http!.token,
          getSnapshot: () => ({
            ...snapshotOf(watch, masterLife(), options.plan, fx.wallClock(), fx.selfPid),
            adaptive: adaptive?.view() ?? null,
          }),
          getEvents: (since) => watch.ring.since(since, 1000),
        }),
      )
    : null;
  if (http) options.onListening?.(http.url);

  const selfScore = setOomScoreAdj(fx.selfPid, SUPERVISOR_OOM_SCORE_ADJ);
  if (selfScore !== null && selfScore !== "EACCES")
    fx.say(`warning: cannot lower gwarden's own oom_score_adj (${selfScore})`);

  const uninstall = handleSignals({
    stop(signal, count) {
      stopRequested = true;
      wake.abort();
      if (!current || current.state().phase !== "running") return;
      if (count === 1) {
        master = { ...master, state: "stopping" };
        fx.say(
          `${signal}: stopping gunicorn gracefully (TERM to the master; up to ${Math.round(options.gracefulTimeoutMs / 1000)} s for in-flight requests; again for a quick stop)`,
        );
        void current.stop(options.gracefulTimeoutMs + 5000);
        const booting = watch.killBooting();
        if (booting.length > 0)
          fx.say(
            `killed ${booting.length} worker(s) still booting (${booting.join(", ")}): they hold no request`,
          );
      } else if (count === 2) {
        fx.say(`${signal} again: quick stop (INT to the master)`);
        send(fx, current.pid, "SIGINT");
      } else {
        fx.say(`${signal} a third time: killing gunicorn`);
        send(fx, -current.pid, "SIGKILL");
      }
    },
    forward(signal) {
      if (!current || current.state().phase !== "running") return;
      if (signal === "SIGHUP")
        fx.say(
          "SIGHUP passed to gunicorn: it reloads, briefly running twice the workers, and resets a TTIN/TTOU-adjusted count to the plan's",
        );
      send(fx, current.pid, signal);
    },
  });

  const history: MasterRun[] = [];
  try {
    for (;;) {
      watch.attach();
      const relay = createLineRelay(fx.writeStderr, (line) => watch.fromLogLine(line));
      const startedAtMs = fx.now();
      current = await startGunicorn({
        launcher: options.launcher,
        args: options.args,
        conf: options.conf,
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        env: options.env,
        onRecord: (r) => {
          watch.fromHook(r);
          adaptive?.onRecord(r);
          options.forwardRecord?.(r);
        },
        onStderr: (text) => relay.push(text),
        onStdout: fx.writeStdout,
        label: "gwarden run",
      });
      master = { state: "starting", pid: current.pid, startedAt: fx.wallClock().toISOString() };
      adaptive?.attach(current.pid);
      const masterScore = setOomScoreAdj(current.pid, MASTER_OOM_SCORE_ADJ);
      if (masterScore !== null && history.length === 0)
        fx.say(
          `note: the master's oom_score_adj stays as is (${masterScore}: lowering it needs CAP_SYS_RESOURCE); workers are raised instead`,
        );
      startSampler(current.pid, []);
      if (stopRequested) void current.stop(options.gracefulTimeoutMs + 5000);

      const exit: BootExit = await current.exited;
      live.sampler?.stop();
      relay.end();
      watch.endLog();
      await current.stop(0);
      const oom = exit.signal === "SIGKILL" ? watch.unexplainedOom() : null;
      if (oom !== null)
        fx.say(
          `the gunicorn master was OOM-killed (cgroup oom_kill ${oom.before} → ${oom.after}): with preload it holds the whole app; protect it (oom_score_adj needs CAP_SYS_RESOURCE) or plan fewer workers`,
        );
      const explanation = explainExit(exit, watch.runEvents(), current.stderrTail());
      master = {
        state: "down",
        pid: current.pid,
        startedAt: master.startedAt,
        reason: explanation.meaning,
        exitCode: explanation.exitCode,
      };
      if (stopRequested) {
        fx.say(`${explanation.meaning}; exiting with ${explanation.exitCode}`);
        return explanation.exitCode;
      }
      history.push({ startedAtMs, endedAtMs: fx.now(), exit });
      const decision = decideRestart(history, options.restartPolicy ?? DEFAULT_RESTART_POLICY);
      const why = explanation.diagnosis === null ? "" : ` — ${explanation.diagnosis}`;
      if (decision.action === "exit") {
        fx.say(`${decision.reason}; exiting with ${explanation.exitCode}`);
        return explanation.exitCode;
      }
      if (decision.action === "give-up") {
        fx.say(`error: giving up: ${decision.reason}${why}`);
        fx.say(`${explanation.meaning}; exiting with ${explanation.exitCode}`);
        return explanation.exitCode === 0 ? 1 : explanation.exitCode;
      }
      watch.emit({
        kind: "restart",
        attempt: decision.attempt,
        delayMs: decision.delayMs,
        reason: `${decision.reason}${why}`,
        source: "supervisor",
        time: fx.wallClock().toISOString(),
      });
      fx.say(
        `${explanation.meaning}${why}; restarting in ${decision.delayMs / 1000} s (attempt ${decision.attempt})`,
      );
      try {
        await sleep(decision.delayMs, undefined, { signal: wake.signal });
      } catch {
        // A stop signal during the backoff.
      }
      if (stopRequested) {
        fx.say(`stopped during the restart backoff; exiting with ${explanation.exitCode}`);
        return explanation.exitCode;
      }
    }
  } finally {
    uninstall();
    live.sampler?.stop();
    await current?.stop(1000);
    await http?.close();
    options.eventLog?.close();
  }
}

function send(fx: SuperviseEffects, target: number, signal: NodeJS.Signals): void {
  try {
    fx.kill(target, signal);
  } catch {
    // Already gone.
  }
}
