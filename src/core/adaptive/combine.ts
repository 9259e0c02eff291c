/**
 * The one step of adaptive control: `decide(state, input, config)`. Order of concerns, first match wins
 * and at most one signal is in flight at a time:
 *   1. wait for the signal in flight to take effect (or time out);
 *   2. re-apply the target when gunicorn's count differs from it (a HUP resets it to the configured one);
 *   3. memory safety, a ladder: elevated → hold scale-ups; high → recycle the most bloated worker
 *      (graceful SIGTERM); critical → the same, and if still critical soon after (or nothing is bloated)
 *      shed one worker (TTOU), down to the minimum;
 *   4. recycle the largest worker over the memory budget;
 *   5. restore shed workers, one at a time, once pressure has stayed normal for the cooldown;
 *   6. load: one TTIN when overloaded and a new worker fits under the elevated band; one TTOU when idle.
 */
import { bloated, median, noteFreshWorkers, overBudget } from "./recycle.js";
import { afterScaleDown, afterScaleUp, readLoad, type LoadVerdict } from "./load.js";
import { readPressure, type PressureReading } from "./pressure.js";
import { reconcileCount } from "./count.js";
import type {
  AdaptiveConfig,
  AdaptiveEvent,
  AdaptiveInput,
  AdaptiveState,
  Decision,
  InFlight,
} from "./types.js";

const mib = (bytes: number): string => `${Math.round(bytes / 1048576)} MiB`;

/** Whether the signal in flight has taken effect (or is given up on). */
function settled(flight: InFlight, input: AdaptiveInput, config: AdaptiveConfig): boolean {
  if (input.atMs - flight.sentAtMs >= config.inFlightTimeoutMs) return true;
  const live = input.workers.length;
  switch (flight.kind) {
    case "ttin":
      return live >= flight.expect;
    case "ttou":
      return live <= flight.expect;
    case "recycle":
      // Gone is enough: the replacement is gunicorn's to fork, and its memory is counted from the next tick.
      return !input.workers.some((w) => w.pid === flight.pid);
  }
}

/** Whether one more worker fits under the elevated band, and the arithmetic either way. */
export function scaleUpFits(
  state: AdaptiveState,
  input: AdaptiveInput,
  config: AdaptiveConfig,
  limitBytes: number,
): { ok: boolean; why: string } {
  const measured = median(input.workers.filter((w) => w.ready && w.uss !== null).map((w) => w.uss as number));
  const perWorker = measured ?? median(state.freshUss) ?? config.perWorkerBytes;
  const ws = input.workingSetBytes;
  if (ws === null) return { ok: true, why: "working set unknown: the plan's maximum bounds it" };
  const ceiling = limitBytes * config.pressure.elevatedRatio;
  const projected = ws + perWorker;
  const why = `working set ${mib(ws)} + one worker ${mib(perWorker)} = ${mib(projected)} ${projected <= ceiling ? "≤" : ">"} ${Math.round(config.pressure.elevatedRatio * 100)} % of ${mib(limitBytes)}`;
  return { ok: projected <= ceiling, why };
}

interface Step {
  state: AdaptiveState;
  decision: Omit<Decision, "state" | "notes"> | null;
}

const none = (state: AdaptiveState): Step => ({ state, decision: null });

function signal(
  state: AdaptiveState,
  input: AdaptiveInput,
  kind: "ttin" | "ttou",
  event: AdaptiveEvent,
): Step {
  const count = state.gunicornWorkers + (kind === "ttin" ? 1 : -1);
  return {
    state: { ...state, gunicornWorkers: count, inFlight: { kind, sentAtMs: input.atMs, expect: count } },
    decision: { actions: [{ kind }], events: [event] },
  };
}

function recycle(
  state: AdaptiveState,
  input: AdaptiveInput,
  pid: number,
  bytes: number,
  reason: "memory" | "pressure",
  why: string,
): Step {
  return {
    state: {
      ...state,
      inFlight: { kind: "recycle", sentAtMs: input.atMs, pid },
      recycles: { ...state.recycles, [reason]: state.recycles[reason] + 1 },
      ...(reason === "pressure" ? { lastStepAtMs: input.atMs } : {}),
    },
    decision: {
      actions: [{ kind: "recycle", pid, reason }],
      events: [{ kind: "recycle", pid, bytes, reason: `${reason}: ${why}` }],
    },
  };
}

function memorySafety(
  state: AdaptiveState,
  input: AdaptiveInput,
  config: AdaptiveConfig,
  reading: PressureReading,
): Step {
  const level = reading.current;
  if (level !== "high" && level !== "critical") return none(state);
  if (state.lastStepAtMs !== null && input.atMs - state.lastStepAtMs < config.pressure.stepCooldownMs)
    return none(state);
  const why = `memory ${level}: ${reading.reason}`;
  const victim = bloated(state, input, config);
  // The ladder: recycle the most bloated worker first (it keeps the capacity); still critical soon after, shed one.
  const escalate =
    state.lastStep === "recycle" &&
    state.lastStepAtMs !== null &&
    input.atMs - state.lastStepAtMs <= config.pressure.escalateWithinMs;
  if (level === "critical" && state.target > config.minWorkers && (victim === null || escalate)) {
    const to = state.target - 1;
    return signal({ ...state, target: to, lastStepAtMs: input.atMs, lastStep: "shed" }, input, "ttou", {
      kind: "scale_down",
      from: state.target,
      to,
      reason: `shed a worker: ${why}`,
    });
  }
  if (victim === null) return none(state);
  const bytes = victim.worker.uss ?? 0;
  return recycle(
    { ...state, lastStep: "recycle" },
    input,
    victim.worker.pid,
    bytes,
    "pressure",
    `${why}; largest worker ${mib(bytes)} private, above a fresh worker's ${mib(victim.threshold)} allowance`,
  );
}

function restore(
  state: AdaptiveState,
  input: AdaptiveInput,
  config: AdaptiveConfig,
  limitBytes: number,
): Step {
  if (state.target >= state.base || state.level !== "normal" || state.calmSinceMs === null)
    return none(state);
  const since = Math.max(state.calmSinceMs, state.lastStepAtMs ?? -Infinity);
  if (input.atMs - since < config.pressure.restoreAfterMs) return none(state);
  const fit = scaleUpFits(state, input, config, limitBytes);
  if (!fit.ok) return none(state);
  const to = state.target + 1;
  return signal({ ...state, target: to, lastStepAtMs: input.atMs, lastStep: "restore" }, input, "ttin", {
    kind: "scale_up",
    from: state.target,
    to,
    reason: `restore after ${Math.round((input.atMs - since) / 1000)} s of normal memory pressure (${fit.why})`,
  });
}

function load(
  state: AdaptiveState,
  input: AdaptiveInput,
  config: AdaptiveConfig,
  verdict: LoadVerdict,
  limitBytes: number,
  notes: string[],
): Step {
  if (verdict.kind === "down") {
    if (state.target <= state.base) return none(state);
    const to = state.target - 1;
    return signal(afterScaleDown({ ...state, target: to }, input.atMs, config), input, "ttou", {
      kind: "scale_down",
      from: state.target,
      to,
      reason: `load: ${verdict.reason}`,
    });
  }
  if (verdict.kind !== "up") return none(state.held === null ? state : { ...state, held: null });
  const fit = scaleUpFits(state, input, config, limitBytes);
  const held =
    state.level !== "normal" || state.target < state.base
      ? "pressure"
      : state.target >= config.maxWorkers
        ? "max"
        : fit.ok
          ? null
          : "memory";
  if (held !== null) {
    if (held !== state.held) {
      const why =
        held === "pressure"
          ? `memory pressure is ${state.level}${state.target < state.base ? " (shed workers not restored yet)" : ""}`
          : held === "max"
            ? `already at the maximum of ${config.maxWorkers}`
            : fit.why;
      notes.push(`load wants more workers (${verdict.reason}) but scale-up is held: ${why}`);
    }
    return none({ ...state, held });
  }
  const to = state.target + 1;
  return signal(afterScaleUp({ ...state, target: to, held: null }, input.atMs, config), input, "ttin", {
    kind: "scale_up",
    from: state.target,
    to,
    reason: `load: ${verdict.reason}; ${fit.why}`,
  });
}

/** One tick of adaptive control: the next state, the signals to send and the events recording them. */
export function decide(previous: AdaptiveState, input: AdaptiveInput, config: AdaptiveConfig): Decision {
  const notes: string[] = [];
  let state = noteFreshWorkers(previous, input);
  const counted = reconcileCount(state, input, notes);
  state = counted.state;
  const pressure = readPressure(state, input, config);
  state = pressure.state;
  const reading = pressure.reading;
  if (state.level !== previous.level)
    notes.push(
      `memory pressure ${previous.level} → ${state.level}${reading.reason ? ` (${reading.reason})` : ""}`,
    );
  const loadRead = readLoad(state, input, config);
  state = loadRead.state;

  if (counted.wait) return { state, actions: [], events: [], notes };
  if (state.inFlight !== null) {
    if (!settled(state.inFlight, input, config)) return { state, actions: [], events: [], notes };
    const pressureStep = state.lastStepAtMs !== null && state.lastStepAtMs >= state.inFlight.sentAtMs;
    state = { ...state, inFlight: null, ...(pressureStep ? { lastStepAtMs: input.atMs } : {}) };
  }

  if (state.gunicornWorkers !== state.target && state.gunicornWorkers >= 1) {
    const kind = state.gunicornWorkers < state.target ? "ttin" : "ttou";
    if (kind === "ttou" && state.gunicornWorkers <= 1) return { state, actions: [], events: [], notes };
    const from = state.gunicornWorkers;
    const to = from + (kind === "ttin" ? 1 : -1);
    const reason = `re-apply the target of ${state.target}: gunicorn runs ${from} (a reload resets it to the configured count)`;
    const step = signal(
      state,
      input,
      kind,
      kind === "ttin" ? { kind: "scale_up", from, to, reason } : { kind: "scale_down", from, to, reason },
    );
    return { state: step.state, ...step.decision!, notes };
  }

  const limitBytes = reading.limitBytes;
  const budget = overBudget(state, input, config);
  const steps: (() => Step)[] = [
    () => memorySafety(state, input, config, reading),
    () =>
      budget === null
        ? none(state)
        : recycle(
            state,
            input,
            budget.worker.pid,
            budget.worker.uss ?? 0,
            "memory",
            `private memory ${mib(budget.worker.uss ?? 0)} > budget ${mib(budget.budget)}`,
          ),
    () => restore(state, input, config, limitBytes),
    () => load(state, input, config, loadRead.verdict, limitBytes, notes),
  ];
  for (const run of steps) {
    const step = run();
    state = step.state;
    if (step.decision) return { state, ...step.decision, notes };
  }
  return { state, actions: [], events: [], notes };
}
