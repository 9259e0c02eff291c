/**
 * The watch half of `gwarden run`'s loop: every event (hook channel, gunicorn's log, /proc, the cgroup
 * OOM counter, gwarden's own actions) goes through `ingest` — echoes of the same report dropped,
 * classified, folded into the lifecycle, recorded — and each sample drives the checks: workers gone
 * from the master's children without a word, new workers' oom_score_adj, the boot deadline, and deaths
 * waiting for the OOM counter to confirm them. Pure: commands are pushed to `out`, the clock comes in
 * the input.
 */
import { createClassifier, type Classifier } from "../events/classify.js";
import { foldEvent, initialLifecycle, type LifecycleState } from "../events/lifecycle.js";
import type { EventKind, GunicornEvent } from "../events/types.js";
import type { Plan } from "../plan/types.js";
import type { CgroupFigures, MemoryFigures } from "../sample/figures.js";
import type { Sample } from "../sample/sample.js";
import {
  bootDeadlineEvent,
  EMPTY_BOOT_CLOCK,
  noteBootEvent,
  noteBootSeen,
  overdueBoots,
  type BootClock,
} from "./boot-deadline.js";
import { NO_ECHOES, noteReport, type EchoState } from "./dedupe.js";
import type { At, LoopCommand } from "./loop-types.js";
import { confirmOom, mayBeOom } from "./oom-confirm.js";
import { WORKER_OOM_SCORE_ADJ } from "./oom-scores.js";

/** What the watch remembers about one worker pid. */
export interface PidFacts {
  bootedAt?: string;
  readyAt?: string;
  /** Its oom_score_adj was set (or tried). */
  scored?: boolean;
  /** gwarden killed it at the boot deadline. */
  deadlineKilled?: boolean;
  died?: boolean;
  oomChecked?: boolean;
  /** Its CPU time at the previous sample (seconds), to tell a slow import from a hung one. */
  cpu?: { atMs: number; seconds: number };
  /** Past the deadline but still importing: said once. */
  slowSaid?: boolean;
  /** When it was first missing from the master's children without a death reported. */
  vanishedAtMs?: number;
}

/** A death that may be an OOM kill, with what was known of the group when it was reported. */
export interface PendingDeath {
  event: GunicornEvent;
  oomBefore: number | null;
  atMs: number;
  victim: MemoryFigures | null;
  cgroup: CgroupFigures | null;
  others: { pid: number; memory: MemoryFigures }[];
  /** A sample after the death has been compared already. */
  checked?: boolean;
}

export interface WatchState {
  lifecycle: LifecycleState;
  boot: BootClock;
  echoes: EchoState;
  /** The cause classifier keeps its own bounded context (timeouts, stops, retirements) across events. */
  classifier: Classifier;
  /** The events of the current master's life, for the diagnosis of its end. */
  runEvents: readonly GunicornEvent[];
  lastSample: Sample | null;
  /** The group's OOM counter as far as deaths have explained it. */
  oomSeen: number | null;
  /** The deadline is enforced only once the hook channel spoke: without post_worker_init records every worker would look hung. */
  hooksAlive: boolean;
  pids: ReadonlyMap<number, PidFacts>;
  pending: ReadonlyMap<number, PendingDeath>;
  scoreWarned: boolean;
}

export interface WatchContext {
  config: { plan: Plan | null; bootDeadlineMs: number };
  /** The current master's pid (null between masters). */
  masterPid: number | null;
  out: LoopCommand[];
}

const DEATHS = new Set<EventKind>(["worker_exit", "worker_exit_code", "worker_signal"]);
/** How long a possible OOM death waits for the cgroup's counter to show it. */
export const PENDING_OOM_MS = 5000;
/** How long a worker may be missing from /proc before its silent death is reported. */
const VANISHED_MS = 900;
const RUN_EVENTS = 400;
/** A booting worker using at least this share of a CPU is importing, not hung. */
export const IMPORTING_CPU_SHARE = 0.1;
/** How many times the boot deadline a busy import may take before it is killed all the same. */
export const BOOT_PATIENCE = 10;
const MAX_PIDS = 512;

export function initialWatch(): WatchState {
  return {
    lifecycle: initialLifecycle(),
    boot: EMPTY_BOOT_CLOCK,
    echoes: NO_ECHOES,
    classifier: createClassifier(),
    runEvents: [],
    lastSample: null,
    oomSeen: null,
    hooksAlive: false,
    pids: new Map(),
    pending: new Map(),
    scoreWarned: false,
  };
}

/** A new master: per-run state starts over (the lifecycle, classifier and counters span restarts). */
export function attachWatch(watch: WatchState, oomKills: number | null): WatchState {
  const pids = new Map<number, PidFacts>();
  for (const [pid, facts] of watch.pids) pids.set(pid, { ...facts, vanishedAtMs: undefined });
  return {
    ...watch,
    runEvents: [],
    lastSample: null,
    boot: EMPTY_BOOT_CLOCK,
    hooksAlive: false,
    pids,
    oomSeen: oomKills ?? watch.oomSeen,
  };
}

function without<V>(map: ReadonlyMap<number, V>, pid: number): Map<number, V> {
  const next = new Map(map);
  next.delete(pid);
  return next;
}

function facts(watch: WatchState, pid: number): PidFacts {
  return watch.pids.get(pid) ?? {};
}

function withFacts(watch: WatchState, pid: number, change: Partial<PidFacts>): WatchState {
  const pids = new Map(watch.pids);
  pids.set(pid, { ...facts(watch, pid), ...change });
  if (pids.size > MAX_PIDS) {
    for (const [old, f] of pids) {
      if (pids.size <= (MAX_PIDS * 3) / 4) break;
      if (f.died) pids.delete(old);
    }
  }
  return { ...watch, pids };
}

/** Folds and records one classified event. */
function record(watch: WatchState, event: GunicornEvent, at: At, out: LoopCommand[]): WatchState {
  out.push({ kind: "record", event });
  const runEvents =
    watch.runEvents.length >= RUN_EVENTS
      ? [...watch.runEvents.slice(-RUN_EVENTS / 2), event]
      : [...watch.runEvents, event];
  return {
    ...watch,
    lifecycle: foldEvent(watch.lifecycle, event),
    boot: noteBootEvent(watch.boot, event, at.atMs),
    runEvents,
  };
}

function scoreWorker(watch: WatchState, pid: number, out: LoopCommand[]): WatchState {
  if (facts(watch, pid).scored) return watch;
  out.push({ kind: "set_oom_score", pid, value: WORKER_OOM_SCORE_ADJ });
  return withFacts(watch, pid, { scored: true });
}

/** The one entry for every event: drops echoes, classifies, records, and reacts to deaths, boots, readiness and listeners. */
export function ingest(watch: WatchState, raw: GunicornEvent, at: At, ctx: WatchContext): WatchState {
  const noted = noteReport(watch.echoes, raw, at.atMs);
  watch = { ...watch, echoes: noted.state };
  if (noted.echo) return watch;
  let event = watch.classifier.classify(raw);
  const pid = event.pid;
  if (
    event.kind === "worker_signal" &&
    pid !== undefined &&
    facts(watch, pid).deadlineKilled &&
    event.cause !== "shutdown"
  ) {
    event = { ...event, cause: "timeout-escalation", detail: "killed by gwarden at the boot deadline" };
  }
  watch = record(watch, event, at, ctx.out);
  if (pid === undefined) return watch;
  if (DEATHS.has(event.kind)) {
    watch = withFacts(watch, pid, {
      died: true,
      vanishedAtMs: undefined,
      bootedAt: undefined,
      readyAt: undefined,
    });
    return checkOom(watch, event, at, ctx);
  }
  if (event.kind === "worker_boot")
    return withFacts(scoreWorker(watch, pid, ctx.out), pid, { bootedAt: event.time ?? at.time });
  if (event.kind === "worker_ready") return withFacts(watch, pid, { readyAt: event.time ?? at.time });
  if (event.kind === "listening" && ctx.masterPid !== null) {
    const ports = [...event.address.matchAll(/:(\d+)(?:\b|$)/g)]
      .map((m) => Number(m[1]))
      .filter((p) => p > 0 && p < 65536);
    if (ports.length > 0)
      ctx.out.push({ kind: "watch_master", pid: ctx.masterPid, ports: [...new Set(ports)] });
  }
  return watch;
}

/** A death that may be the OOM killer's waits for a fresh sample of the group's counter. */
function checkOom(watch: WatchState, event: GunicornEvent, at: At, ctx: WatchContext): WatchState {
  const pid = event.pid;
  if (event.kind !== "worker_signal" || pid === undefined || facts(watch, pid).oomChecked || !mayBeOom(event))
    return watch;
  watch = withFacts(watch, pid, { oomChecked: true });
  if (watch.oomSeen === null) return watch;
  const sample = watch.lastSample;
  const death: PendingDeath = {
    event,
    oomBefore: watch.oomSeen,
    atMs: at.atMs,
    victim: sample?.workers.find((w) => w.pid === pid)?.memory ?? null,
    cgroup: sample?.cgroup ?? null,
    others: (sample?.workers ?? [])
      .filter((w) => w.pid !== pid && watch.lifecycle.workers.has(w.pid))
      .map((w) => ({ pid: w.pid, memory: w.memory })),
  };
  ctx.out.push({ kind: "sample_now" });
  return { ...watch, pending: new Map(watch.pending).set(pid, death) };
}

/**
 * Deaths still waiting for the counter, checked against each sample's figure for a few seconds. A death
 * is always checked against at least one sample (the kernel counts a kill before it delivers it, so the
 * first sample after the death decides, however late a stalled loop takes it); it is dropped unconfirmed
 * once PENDING_OOM_MS have passed.
 */
function recheckPending(watch: WatchState, sample: Sample, at: At, ctx: WatchContext): WatchState {
  const after = sample.cgroup?.oomKills ?? null;
  for (const [pid, death] of watch.pending) {
    if (at.atMs - death.atMs > PENDING_OOM_MS && death.checked) {
      watch = { ...watch, pending: without(watch.pending, pid) };
      continue;
    }
    const plan = ctx.config.plan;
    const confirmed = confirmOom({
      death: death.event,
      oomBefore: death.oomBefore,
      oomAfter: after,
      victim: death.victim,
      cgroup: death.cgroup,
      others: death.others,
      ...(plan ? { plannedWorkers: plan.workers, recycleBytes: plan.recycleBytes } : {}),
    });
    if (after !== null) watch = { ...watch, oomSeen: Math.max(watch.oomSeen ?? 0, after) };
    if (confirmed) {
      watch = record(watch, watch.classifier.classify(confirmed), at, ctx.out);
      ctx.out.push({ kind: "say", text: `oom-confirmed: ${confirmed.detail ?? ""}` });
    }
    watch = {
      ...watch,
      pending: confirmed
        ? without(watch.pending, pid)
        : new Map(watch.pending).set(pid, { ...death, checked: true }),
    };
  }
  return watch;
}

/** Per-sample checks: pending OOM deaths, silent deaths, new workers, the boot deadline. */
export function watchSample(watch: WatchState, sample: Sample, at: At, ctx: WatchContext): WatchState {
  const previous = watch.lastSample;
  watch = { ...watch, lastSample: sample, oomSeen: watch.oomSeen ?? sample.cgroup?.oomKills ?? null };
  if (sample.master === null) return watch;
  watch = recheckPending(watch, sample, at, ctx);
  const current = new Set(sample.workers.map((w) => w.pid));
  const before = previous?.master?.pid === sample.master.pid ? previous.workers.map((w) => w.pid) : [];
  for (const pid of before) {
    const f = facts(watch, pid);
    if (!current.has(pid) && !f.died && f.vanishedAtMs === undefined)
      watch = withFacts(watch, pid, { vanishedAtMs: at.atMs });
  }
  for (const [pid, f] of watch.pids) {
    if (f.vanishedAtMs === undefined || at.atMs - f.vanishedAtMs < VANISHED_MS) continue;
    watch = withFacts(watch, pid, { vanishedAtMs: undefined });
    if (f.died || watch.lifecycle.master.phase === "stopping") continue;
    watch = ingest(
      watch,
      {
        kind: "worker_signal",
        pid,
        signal: "unknown",
        cause: "unknown",
        source: "proc",
        time: at.time,
        detail: "gone from the master's children with no hook or log record of its death",
      },
      at,
      ctx,
    );
    ctx.out.push({ kind: "say", text: `worker ${pid} died without a word from gunicorn (seen in /proc)` });
  }
  const progress = new Map<number, number | null>();
  for (const w of sample.workers) {
    const before = facts(watch, w.pid).cpu;
    const now = w.cpuSeconds;
    progress.set(
      w.pid,
      before === undefined || now === null || at.atMs <= before.atMs
        ? null
        : (now - before.seconds) / ((at.atMs - before.atMs) / 1000),
    );
    if (now !== null) watch = withFacts(watch, w.pid, { cpu: { atMs: at.atMs, seconds: now } });
  }
  for (const pid of current) {
    if (facts(watch, pid).died) continue;
    watch = scoreWorker(watch, pid, ctx.out);
    if (!watch.lifecycle.workers.has(pid))
      watch = { ...watch, boot: noteBootSeen(watch.boot, pid, at.atMs, false) };
  }
  if (watch.lifecycle.master.phase === "stopping" || !watch.hooksAlive) return watch;
  const deadline = ctx.config.bootDeadlineMs;
  for (const pid of overdueBoots(watch.boot, at.atMs, deadline)) {
    const f = facts(watch, pid);
    if (f.deadlineKilled) continue;
    // A worker still burning CPU is importing on a slow core (a starved VPS, a first boot without a
    // profile), not hung: it gets time, up to BOOT_PATIENCE × the deadline. A hung import waits idle.
    const share = progress.get(pid) ?? null;
    const bootedMs = watch.boot.get(pid);
    const patient = bootedMs !== undefined && at.atMs - bootedMs <= BOOT_PATIENCE * deadline;
    if (share !== null && share >= IMPORTING_CPU_SHARE && patient) {
      if (!f.slowSaid) {
        ctx.out.push({
          kind: "say",
          text: `worker ${pid} is still importing after the ${Math.round(deadline / 1000)} s boot deadline but busy (${Math.round(share * 100)} % of a CPU): waiting for it (profile the app so the plan knows its import time)`,
        });
        watch = withFacts(watch, pid, { slowSaid: true });
      }
      continue;
    }
    watch = withFacts(watch, pid, { deadlineKilled: true });
    ctx.out.push({ kind: "signal", target: pid, signal: "SIGKILL" });
    const seconds = Math.round(ctx.config.bootDeadlineMs / 100) / 10;
    watch = ingest(watch, bootDeadlineEvent(pid, seconds, at.time), at, ctx);
    ctx.out.push({
      kind: "say",
      text: `boot_deadline_kill: worker ${pid} was not ready ${seconds} s after it booted (a hung import?); killed it, gunicorn starts another`,
    });
  }
  return watch;
}

/** Workers still booting, to kill on a stop (they hold no request; a hung import would only stall the stop). */
export function bootingWorkers(watch: WatchState): number[] {
  return watch.hooksAlive ? [...watch.boot.keys()] : [];
}

/** The pids the lifecycle believes alive. */
export function liveWorkers(watch: WatchState): number[] {
  return [...watch.lifecycle.workers.keys()];
}

/** A failed oom_score_adj write on a worker, said once (ENOENT: the worker is gone already). */
export function noteWorkerScore(
  watch: WatchState,
  pid: number,
  error: string | null,
  out: LoopCommand[],
): WatchState {
  if (error === null || error === "ENOENT" || watch.scoreWarned) return watch;
  out.push({
    kind: "say",
    text: `warning: cannot raise worker ${pid}'s oom_score_adj (${error}): the OOM killer may pick the master`,
  });
  return { ...watch, scoreWarned: true };
}
