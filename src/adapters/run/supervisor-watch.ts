/**
 * The watch loop's state for `gwarden run`: every event (hook channel, gunicorn's log, /proc, the
 * cgroup OOM counter, gwarden's own actions) goes through one pipeline — de-duplicated (hooks and log
 * lines report the same things), classified, folded into the lifecycle, kept in a bounded ring for the
 * live views, appended to the JSONL event log, counted. Samples drive the checks: workers gone from the
 * master's children without a word, workers past their boot deadline, new workers' oom_score_adj.
 */
import { createClassifier } from "../../core/events/classify.js";
import { eventFromHook } from "../../core/events/from-hook.js";
import type { HookRecord } from "../../core/events/hook-record.js";
import { foldEvent, initialLifecycle, type LifecycleState } from "../../core/events/lifecycle.js";
import type { EventKind, GunicornEvent } from "../../core/events/types.js";
import { createLogParser, type LogParser } from "../../core/log/log-parser.js";
import type { Plan } from "../../core/plan/types.js";
import { RingBuffer } from "../../core/ring-buffer.js";
import {
  bootDeadlineEvent,
  EMPTY_BOOT_CLOCK,
  noteBootEvent,
  noteBootSeen,
  overdueBoots,
  type BootClock,
} from "../../core/run/boot-deadline.js";
import { createDeduper } from "../../core/run/dedupe.js";
import { confirmOom, mayBeOom } from "../../core/run/oom-confirm.js";
import type { Sample } from "../../core/sample/sample.js";
import type { EventLog } from "./event-log.js";
import { WORKER_OOM_SCORE_ADJ } from "./oom-score.js";
import type { CgroupFigures, MemoryFigures } from "../../core/sample/figures.js";

export interface WatchEffects {
  /** Monotonic milliseconds. */
  now: () => number;
  wallClock: () => Date;
  kill: (pid: number, signal: NodeJS.Signals) => void;
  /** Returns null on success, else why it failed. */
  setOomScore: (pid: number, value: number) => string | null;
  /** The cgroup's OOM-kill counter now, null when unknown. */
  readOomKills: () => number | null;
  /** One line of gwarden's own output (the caller prefixes it). */
  say: (text: string) => void;
}

export interface WatchOptions {
  plan: Plan | null;
  bootDeadlineMs: number;
  eventLog: EventLog | null;
  ringSize?: number;
  /** Called with the TCP ports gunicorn listens on, once known. */
  onPorts?: (ports: number[]) => void;
}

const DEATHS = new Set<EventKind>(["worker_exit", "worker_exit_code", "worker_signal"]);
/** How long a possible OOM death waits for the cgroup's counter to show it. */
const PENDING_OOM_MS = 5000;

/** A death that may be an OOM kill, with what was known of the group when it was reported. */
interface PendingDeath {
  event: GunicornEvent;
  oomBefore: number | null;
  atMs: number;
  victim: MemoryFigures | null;
  cgroup: CgroupFigures | null;
  others: { pid: number; memory: MemoryFigures }[];
}
const RUN_EVENTS = 400;

/** The watch, shared by every master gwarden starts (the ring, log and counters span restarts). */
export function createWatch(options: WatchOptions, effects: WatchEffects) {
  const ring = new RingBuffer<GunicornEvent>(options.ringSize ?? 2000);
  const counts: Partial<Record<EventKind, number>> = {};
  const classifier = createClassifier();
  const deduper = createDeduper();
  let lifecycle: LifecycleState = initialLifecycle();
  let clock: BootClock = EMPTY_BOOT_CLOCK;
  let parser: LogParser = createLogParser();
  let runEvents: GunicornEvent[] = [];
  let lastSample: Sample | null = null;
  let oomSeen: number | null = effects.readOomKills();
  let logFailed = false;
  const deadlineKilled = new Set<number>();
  const deathSeen = new Set<number>();
  const oomChecked = new Set<number>();
  const pendingDeaths = new Map<number, PendingDeath>();
  const scored = new Set<number>();
  const vanished = new Map<number, number>();
  const bootedAt = new Map<number, string>();
  const readyAt = new Map<number, string>();
  let scoreWarned = false;
  /** The deadline is enforced only once the hook channel spoke: without post_worker_init records every worker would look hung. */
  let hooksAlive = false;

  const iso = (): string => effects.wallClock().toISOString();

  function record(event: GunicornEvent): void {
    lifecycle = foldEvent(lifecycle, event);
    clock = noteBootEvent(clock, event, effects.now());
    ring.push(event);
    counts[event.kind] = (counts[event.kind] ?? 0) + 1;
    runEvents.push(event);
    if (runEvents.length > RUN_EVENTS) runEvents = runEvents.slice(-RUN_EVENTS / 2);
    if (options.eventLog && !logFailed) {
      try {
        options.eventLog.append(event);
      } catch (error) {
        logFailed = true;
        effects.say(`warning: event log disabled: ${(error as Error).message}`);
      }
    }
  }

  function scoreWorker(pid: number): void {
    if (scored.has(pid)) return;
    scored.add(pid);
    const failed = effects.setOomScore(pid, WORKER_OOM_SCORE_ADJ);
    if (failed !== null && failed !== "ENOENT" && !scoreWarned) {
      scoreWarned = true;
      effects.say(
        `warning: cannot raise worker ${pid}'s oom_score_adj (${failed}): the OOM killer may pick the master`,
      );
    }
  }

  /** Confirms one death against the counter; false when the counter has not risen (yet). */
  function confirmDeath(death: PendingDeath, after: number | null): boolean {
    const confirmed = confirmOom({
      death: death.event,
      oomBefore: death.oomBefore,
      oomAfter: after,
      victim: death.victim,
      cgroup: death.cgroup,
      others: death.others,
      ...(options.plan
        ? { plannedWorkers: options.plan.workers, recycleBytes: options.plan.recycleBytes }
        : {}),
    });
    if (after !== null) oomSeen = Math.max(oomSeen ?? 0, after);
    if (!confirmed) return false;
    record(classifier.classify(confirmed));
    effects.say(`oom-confirmed: ${confirmed.detail ?? ""}`);
    return true;
  }

  function checkOom(event: GunicornEvent): void {
    if (
      event.kind !== "worker_signal" ||
      event.pid === undefined ||
      oomChecked.has(event.pid) ||
      !mayBeOom(event)
    )
      return;
    oomChecked.add(event.pid);
    const pid = event.pid;
    const death: PendingDeath = {
      event,
      oomBefore: oomSeen,
      atMs: effects.now(),
      victim: lastSample?.workers.find((w) => w.pid === pid)?.memory ?? null,
      cgroup: lastSample?.cgroup ?? null,
      others: (lastSample?.workers ?? [])
        .filter((w) => w.pid !== pid && lifecycle.workers.has(w.pid))
        .map((w) => ({ pid: w.pid, memory: w.memory })),
    };
    // The counter may be read a moment before it shows the kill (the death reached us first, on a busy
    // box): keep the death and look again at the next samples.
    if (!confirmDeath(death, effects.readOomKills()) && death.oomBefore !== null)
      pendingDeaths.set(pid, death);
  }

  /** Deaths still waiting for the counter, checked against each sample's figure for a few seconds. */
  function recheckPending(sample: Sample, now: number): void {
    for (const [pid, death] of pendingDeaths) {
      if (now - death.atMs > PENDING_OOM_MS || confirmDeath(death, sample.cgroup?.oomKills ?? null))
        pendingDeaths.delete(pid);
    }
  }

  /** The one entry for every event. */
  function ingest(raw: GunicornEvent): void {
    if (deduper.isEcho(raw, effects.now())) return;
    let event = classifier.classify(raw);
    const pid = event.pid;
    if (
      event.kind === "worker_signal" &&
      pid !== undefined &&
      deadlineKilled.has(pid) &&
      event.cause !== "shutdown"
    ) {
      event = { ...event, cause: "timeout-escalation", detail: "killed by gwarden at the boot deadline" };
    }
    record(event);
    if (pid === undefined) return;
    if (DEATHS.has(event.kind)) {
      deathSeen.add(pid);
      vanished.delete(pid);
      bootedAt.delete(pid);
      readyAt.delete(pid);
      checkOom(event);
    } else if (event.kind === "worker_boot") {
      scoreWorker(pid);
      bootedAt.set(pid, event.time ?? iso());
    } else if (event.kind === "worker_ready") {
      readyAt.set(pid, event.time ?? iso());
    } else if (event.kind === "listening" && options.onPorts) {
      const ports = [...event.address.matchAll(/:(\d+)(?:\b|$)/g)]
        .map((m) => Number(m[1]))
        .filter((p) => p > 0 && p < 65536);
      if (ports.length > 0) options.onPorts([...new Set(ports)]);
    }
  }

  /** Per-sample checks: silent deaths, new workers, the boot deadline. */
  function onSample(sample: Sample): void {
    const previous = lastSample;
    lastSample = sample;
    if (sample.master === null) return;
    const now = effects.now();
    recheckPending(sample, now);
    const current = new Set(sample.workers.map((w) => w.pid));
    for (const pid of previous?.master?.pid === sample.master.pid ? previous.workers.map((w) => w.pid) : []) {
      if (!current.has(pid) && !deathSeen.has(pid) && !vanished.has(pid)) vanished.set(pid, now);
    }
    for (const [pid, since] of vanished) {
      if (now - since < 900) continue;
      vanished.delete(pid);
      if (deathSeen.has(pid) || lifecycle.master.phase === "stopping") continue;
      ingest({
        kind: "worker_signal",
        pid,
        signal: "unknown",
        cause: "unknown",
        source: "proc",
        time: iso(),
        detail: "gone from the master's children with no hook or log record of its death",
      });
      effects.say(`worker ${pid} died without a word from gunicorn (seen in /proc)`);
    }
    for (const pid of current) {
      if (deathSeen.has(pid)) continue;
      scoreWorker(pid);
      if (!lifecycle.workers.has(pid)) clock = noteBootSeen(clock, pid, now, false);
    }
    if (lifecycle.master.phase === "stopping" || !hooksAlive) return;
    for (const pid of overdueBoots(clock, now, options.bootDeadlineMs)) {
      if (deadlineKilled.has(pid)) continue;
      deadlineKilled.add(pid);
      try {
        effects.kill(pid, "SIGKILL");
      } catch {
        // Gone already.
      }
      const seconds = Math.round(options.bootDeadlineMs / 100) / 10;
      ingest(bootDeadlineEvent(pid, seconds, iso()));
      effects.say(
        `boot_deadline_kill: worker ${pid} was not ready ${seconds} s after it booted (a hung import?); killed it, gunicorn starts another`,
      );
    }
  }

  return {
    ring,
    counts,
    get lifecycle() {
      return lifecycle;
    },
    get lastSample() {
      return lastSample;
    },
    bootedAt: bootedAt as ReadonlyMap<number, string>,
    readyAt: readyAt as ReadonlyMap<number, string>,
    /** A new master: fresh log parser and per-run state. */
    attach(): void {
      parser = createLogParser();
      runEvents = [];
      lastSample = null;
      clock = EMPTY_BOOT_CLOCK;
      vanished.clear();
      hooksAlive = false;
      oomSeen = effects.readOomKills() ?? oomSeen;
    },
    fromHook(hookRecord: HookRecord): void {
      hooksAlive = true;
      const event = eventFromHook(hookRecord);
      if (event) ingest(event);
    },
    fromLogLine(line: string): void {
      for (const parsed of parser.feed(line)) ingest(parsed.event);
    },
    endLog(): void {
      for (const parsed of parser.end()) ingest(parsed.event);
    },
    emit: ingest,
    /** The cgroup OOM counter's rise not yet explained by a worker's death (a master OOM kill), or null. */
    unexplainedOom(): { before: number; after: number } | null {
      const after = effects.readOomKills();
      if (after === null || oomSeen === null || after <= oomSeen) return null;
      const rise = { before: oomSeen, after };
      oomSeen = after;
      return rise;
    },
    /** On a stop: kills the workers still booting (they hold no request; a hung import would only stall the stop). */
    killBooting(): number[] {
      if (!hooksAlive) return [];
      const pids = [...clock.keys()];
      for (const pid of pids) {
        try {
          effects.kill(pid, "SIGKILL");
        } catch {
          // Gone already.
        }
      }
      return pids;
    },
    onSample,
    /** The events of the current master's life, for the diagnosis of its end. */
    runEvents: (): readonly GunicornEvent[] => runEvents,
  };
}

export type Watch = ReturnType<typeof createWatch>;
