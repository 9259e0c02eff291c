/**
 * Adaptive control inside `gwarden run`: feeds each sample (and what the hook channel said: busy
 * slots, readiness, gunicorn's own worker count, reloads) to the pure `decide`, sends the signals it
 * asks for — SIGTTIN / SIGTTOU to the master, a graceful SIGTERM to a worker to recycle — and records
 * the events (scale_up, scale_down, recycle, with reason and figures) through the supervisor's event
 * path. Its state is served by /api/state and /metrics.
 */
import { decide } from "../../core/adaptive/combine.js";
import { initialAdaptiveState } from "../../core/adaptive/config.js";
import { adaptiveInput } from "../../core/adaptive/observe.js";
import type { AdaptiveAction, AdaptiveConfig, AdaptiveState } from "../../core/adaptive/types.js";
import { needsFreshMemory } from "../../core/adaptive/memory-watch.js";
import { adaptiveView, type AdaptiveView } from "../../core/adaptive/view.js";
import type { HookRecord } from "../../core/events/hook-record.js";
import type { GunicornEvent } from "../../core/events/types.js";
import type { Sample } from "../../core/sample/sample.js";

export interface AdaptiveEffects {
  kill: (pid: number, signal: NodeJS.Signals) => void;
  /** Records an event (the supervisor's one event path). */
  emit: (event: GunicornEvent) => void;
  say: (text: string) => void;
  wallClock: () => Date;
}

export interface AdaptiveControllerOptions {
  config: AdaptiveConfig;
  /** The generated config reports pre_request/post_request (busy slots); without it busy is unknown. */
  requestHooks: boolean;
}

/** Creates the controller; `attach` it to each new master. */
export function createAdaptiveController(options: AdaptiveControllerOptions, effects: AdaptiveEffects) {
  const { config } = options;
  let state: AdaptiveState = initialAdaptiveState(config);
  let masterPid: number | null = null;
  const busy = new Map<number, number>();
  const ready = new Set<number>();
  /** Per master pid (records of a new master may arrive before `attach`): its last count and its reloads. */
  const counts = new Map<number, number>();
  const reloads = new Map<number, number>();
  /** Whether the next ticks need every worker's private memory (see core/adaptive/memory-watch). */
  let freshMemory = true;

  function send(pid: number, signal: NodeJS.Signals): boolean {
    try {
      effects.kill(pid, signal);
      return true;
    } catch (error) {
      effects.say(`adaptive: could not send ${signal} to ${pid}: ${(error as Error).message}`);
      return false;
    }
  }

  function apply(action: AdaptiveAction): void {
    if (masterPid === null) return;
    if (action.kind === "ttin") send(masterPid, "SIGTTIN");
    else if (action.kind === "ttou") send(masterPid, "SIGTTOU");
    else send(action.pid, "SIGTERM");
  }

  return {
    /** A new master: gunicorn runs its configured count again, so control starts over (stale worker pids are pruned by the next sample). */
    attach(pid: number): void {
      masterPid = pid;
      state = initialAdaptiveState(config);
      for (const other of [...counts.keys()]) if (other !== pid) counts.delete(other);
      for (const other of [...reloads.keys()]) if (other !== pid) reloads.delete(other);
    },
    /** Every record from the hook channel. */
    onRecord(record: HookRecord): void {
      const hook = record.hook;
      if ((hook === "pre_request" || hook === "post_request") && record.busy !== undefined)
        busy.set(record.pid, record.busy);
      else if (hook === "post_worker_init") ready.add(record.pid);
      else if (hook === "child_exit" || hook === "worker_exit") {
        const pid = record.worker ?? record.pid;
        busy.delete(pid);
        ready.delete(pid);
      } else if (hook === "nworkers_changed" && record.new !== undefined) counts.set(record.pid, record.new);
      else if (hook === "on_reload") reloads.set(record.pid, (reloads.get(record.pid) ?? 0) + 1);
    },
    /** One sampler tick: decide, signal, record. */
    onSample(sample: Sample): void {
      if (masterPid === null || sample.master === null || sample.master.pid !== masterPid) return;
      const alive = new Set(sample.workers.map((w) => w.pid));
      for (const pid of busy.keys()) if (!alive.has(pid)) busy.delete(pid);
      for (const pid of ready) if (!alive.has(pid)) ready.delete(pid);
      const input = adaptiveInput(sample, {
        busy: options.requestHooks ? busy : null,
        ready,
        gunicornWorkers: counts.get(masterPid) ?? null,
        reloads: reloads.get(masterPid) ?? 0,
      });
      const decision = decide(state, input, config);
      state = decision.state;
      freshMemory = needsFreshMemory(state, input, config);
      for (const note of decision.notes) effects.say(`adaptive: ${note}`);
      for (const action of decision.actions) apply(action);
      const time = effects.wallClock().toISOString();
      for (const event of decision.events) {
        effects.emit({ ...event, source: "supervisor", time } as GunicornEvent);
        effects.say(
          `${event.kind}: ${"from" in event ? `${event.from} → ${event.to} worker(s): ` : `worker ${event.pid}: `}${event.reason}`,
        );
      }
    },
    /** How often the sampler should refresh each worker's smaps_rollup: every tick near a threshold, else its default. */
    memoryIntervalMs(tickMs: number, restMs: number): number {
      return freshMemory ? tickMs : restMs;
    },
    /** For /api/state and /metrics. */
    view(): AdaptiveView {
      return adaptiveView(state, config);
    },
  };
}

export type AdaptiveController = ReturnType<typeof createAdaptiveController>;
