/**
 * Adaptive control inside the loop: what the hook channel says (readiness, gunicorn's own worker count,
 * reloads) is kept here, each worker's busy slots come with the sample (its shared-memory counters),
 * every sample goes through the pure `decide`, and
 * its actions become commands — SIGTTIN / SIGTTOU to the master, a graceful SIGTERM to a worker to
 * recycle — and events that record them (scale_up, scale_down, recycle, with reason and figures), which
 * the loop ingests like any other event.
 */
import { decide } from "../adaptive/combine.js";
import { initialAdaptiveState } from "../adaptive/config.js";
import { needsFreshMemory } from "../adaptive/memory-watch.js";
import { adaptiveInput } from "../adaptive/observe.js";
import type { AdaptiveConfig, AdaptiveState } from "../adaptive/types.js";
import type { HookRecord } from "../events/hook-record.js";
import type { GunicornEvent } from "../events/types.js";
import type { Sample } from "../sample/sample.js";
import type { At, LoopCommand } from "./loop-types.js";

export interface AdaptiveLink {
  state: AdaptiveState;
  /** Workers whose post_worker_init ran. */
  ready: ReadonlySet<number>;
  /** Per master pid (a new master's records may come before it is attached): its last count and its reloads. */
  counts: ReadonlyMap<number, number>;
  reloads: ReadonlyMap<number, number>;
  /** Whether the next ticks need every worker's private memory (see core/adaptive/memory-watch). */
  freshMemory: boolean;
}

export function initialAdaptiveLink(config: AdaptiveConfig): AdaptiveLink {
  return {
    state: initialAdaptiveState(config),
    ready: new Set(),
    counts: new Map(),
    reloads: new Map(),
    freshMemory: true,
  };
}

/** A new master: gunicorn runs its configured count again, so control starts over. */
export function attachAdaptive(link: AdaptiveLink, masterPid: number, config: AdaptiveConfig): AdaptiveLink {
  const keep = <V>(map: ReadonlyMap<number, V>) => new Map([...map].filter(([pid]) => pid === masterPid));
  return {
    ...link,
    state: initialAdaptiveState(config),
    counts: keep(link.counts),
    reloads: keep(link.reloads),
  };
}

/** What one hook record tells adaptive control. */
export function adaptiveRecord(link: AdaptiveLink, record: HookRecord): AdaptiveLink {
  switch (record.hook) {
    case "post_worker_init":
      return { ...link, ready: new Set(link.ready).add(record.pid) };
    case "child_exit":
    case "worker_exit": {
      const pid = record.worker ?? record.pid;
      const ready = new Set(link.ready);
      ready.delete(pid);
      return { ...link, ready };
    }
    case "nworkers_changed":
      return record.new === undefined
        ? link
        : { ...link, counts: new Map(link.counts).set(record.pid, record.new) };
    case "on_reload":
      return {
        ...link,
        reloads: new Map(link.reloads).set(record.pid, (link.reloads.get(record.pid) ?? 0) + 1),
      };
    case "on_starting":
    case "when_ready":
    case "post_fork":
    case "worker_int":
    case "worker_abort":
    case "on_exit":
    case "memory_guard":
    case "memory_event":
      return link;
  }
}

/** One tick of adaptive control: decide, and turn the decision into signals, events and lines. */
export function adaptiveSample(
  link: AdaptiveLink,
  sample: Sample,
  at: At,
  masterPid: number,
  config: AdaptiveConfig,
  out: LoopCommand[],
): { link: AdaptiveLink; events: GunicornEvent[] } {
  const alive = new Set(sample.workers.map((w) => w.pid));
  const ready = new Set([...link.ready].filter((pid) => alive.has(pid)));
  // Busy slots are known where the workers keep their counters (gwarden named a stats directory).
  const counted = sample.workers.filter((w) => w.stats);
  const busy = counted.length === 0 ? null : new Map(counted.map((w) => [w.pid, w.stats!.inFlight]));
  const input = adaptiveInput(sample, {
    busy,
    ready,
    gunicornWorkers: link.counts.get(masterPid) ?? null,
    reloads: link.reloads.get(masterPid) ?? 0,
  });
  const decision = decide(link.state, input, config);
  for (const note of decision.notes) out.push({ kind: "say", text: `adaptive: ${note}` });
  for (const action of decision.actions) {
    if (action.kind === "ttin") out.push({ kind: "signal", target: masterPid, signal: "SIGTTIN" });
    else if (action.kind === "ttou") out.push({ kind: "signal", target: masterPid, signal: "SIGTTOU" });
    else out.push({ kind: "signal", target: action.pid, signal: "SIGTERM" });
  }
  const events: GunicornEvent[] = [];
  for (const event of decision.events) {
    events.push({ ...event, source: "supervisor", time: at.time } as GunicornEvent);
    const what = "from" in event ? `${event.from} → ${event.to} worker(s): ` : `worker ${event.pid}: `;
    out.push({ kind: "say", text: `${event.kind}: ${what}${event.reason}` });
  }
  return {
    link: {
      ...link,
      state: decision.state,
      ready,
      freshMemory: needsFreshMemory(decision.state, input, config),
    },
    events,
  };
}
