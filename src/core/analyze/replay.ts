/**
 * Replays kept events in order through the classifier and the lifecycle state machine, one lane per
 * gunicorn instance when several interleave in one stream (docker compose services, syslog tags that
 * each start a gunicorn), and runs the finding rules per lane. Kernel OOM lines are evidence for every
 * lane. Evidence indexes always point into the one merged event list.
 */
import { createClassifier, type Classifier } from "../events/classify.js";
import { foldEvent, initialLifecycle, type LifecycleState } from "../events/lifecycle.js";
import type { GunicornEvent } from "../events/types.js";
import type { ParsedEvent } from "../log/log-parser.js";
import { createAggregates, type Aggregates } from "./aggregates.js";
import type { Finding, FindingInput } from "./finding.js";
import { findFindings } from "./findings.js";
import { markKillsBeforeHalt } from "./shutdown-pass.js";
import { judgeStops } from "./stop-pass.js";

interface Lane {
  classifier: Classifier;
  state: LifecycleState;
  indexes: number[];
  hardDeaths: Array<FindingInput["hardDeaths"][number]>;
  hups: Array<{ index: number; before: number; peak: number }>;
  version?: string;
}

export interface Replay {
  events: GunicornEvent[];
  findings: Finding[];
  aggregates: Aggregates;
  /** The state of the lane that logged last. */
  final: LifecycleState;
  version?: string;
}

function isKernelOom(e: GunicornEvent): boolean {
  return e.kind === "worker_signal" && e.cause === "oom-confirmed" && e.detail === "kernel OOM killer";
}

function newLane(): Lane {
  return { classifier: createClassifier(), state: initialLifecycle(), indexes: [], hardDeaths: [], hups: [] };
}

/** Classifies, folds and judges the kept events. */
export function replay(kept: readonly ParsedEvent[]): Replay {
  const anchors = new Set<string>();
  for (const { event } of kept) if (event.kind === "start") anchors.add(event.service ?? "");
  const split = anchors.size >= 2;
  const laneKey = (e: GunicornEvent): string =>
    split && anchors.has(e.service ?? "") ? (e.service ?? "") : "";
  const lanes = new Map<string, Lane>();
  const laneOf = (key: string): Lane => {
    let lane = lanes.get(key);
    if (!lane) lanes.set(key, (lane = newLane()));
    return lane;
  };
  const aggregates = createAggregates();
  const events: GunicornEvent[] = [];
  let last = laneOf("");
  let version: string | undefined;

  for (const { event, key } of kept) {
    const index = events.length;
    if (isKernelOom(event)) {
      for (const lane of lanes.values()) lane.classifier.classify(event, key);
      events.push(event);
      continue;
    }
    const lane = laneOf(laneKey(event));
    const classified = lane.classifier.classify(event, key);
    events.push(classified);
    lane.indexes.push(index);
    const before = lane.state;
    lane.state = foldEvent(lane.state, classified);
    if (classified.kind === "start" && classified.version) version = lane.version = classified.version;
    if (
      lane.state.hardDeaths > before.hardDeaths &&
      lane.state.lastHardDeath &&
      lane.hardDeaths.length < 1000
    ) {
      lane.hardDeaths.push({ index: lane.indexes.length - 1, death: lane.state.lastHardDeath });
    }
    if (classified.kind === "master_signal" && classified.signal === "hup" && lane.hups.length < 1000) {
      lane.hups.push({
        index: lane.indexes.length - 1,
        before: before.workers.size,
        peak: lane.state.workers.size,
      });
    }
    const hup = lane.hups[lane.hups.length - 1];
    if (hup && lane.state.master.phase === "reloading")
      hup.peak = Math.max(hup.peak, lane.state.workers.size);
    last = lane;
  }

  for (const lane of lanes.values()) {
    markKillsBeforeHalt(events, lane.indexes);
    judgeStops(events, lane.indexes);
  }
  for (const event of events) aggregates.observe(event);
  const findings: Finding[] = [];
  for (const lane of lanes.values()) {
    const sub = lane.indexes.map((i) => events[i]!);
    const input: FindingInput = {
      events: sub,
      hardDeaths: lane.hardDeaths,
      hups: lane.hups,
      ...(lane.version ? { version: lane.version } : {}),
    };
    for (const f of findFindings(input)) {
      findings.push({
        ...f,
        evidence: { ...f.evidence, events: f.evidence.events.map((i) => lane.indexes[i] ?? i) },
      });
    }
  }
  return {
    events,
    findings,
    aggregates: aggregates.result(),
    final: last.state,
    ...(version ? { version } : {}),
  };
}
