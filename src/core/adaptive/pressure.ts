/**
 * Memory pressure, graded: normal → elevated → high → critical, from the working set against the limit,
 * PSI (some/full avg10), swap growth and the cgroup's memory.events high/max counters. The level is the
 * worst signal; a level is left only below its entry threshold minus the hysteresis, and a lower level
 * is adopted only once the signals stayed lower for `dropAfterMs`. Host-wide PSI (cgroup v1, where the
 * group has no memory.pressure) only ever raises the level to elevated: other tenants count in it.
 */
import type { AdaptiveConfig, AdaptiveInput, AdaptiveState, PressureLevel } from "./types.js";
import { PRESSURE_LEVELS } from "./types.js";

/** The rank of a level (normal 0 … critical 3). */
export function levelRank(level: PressureLevel): number {
  return PRESSURE_LEVELS.indexOf(level);
}

interface Signal {
  level: PressureLevel;
  reason: string;
}

export interface PressureReading {
  /** The level after hysteresis and the drop delay (holds scale-ups and restores). */
  level: PressureLevel;
  /** What the signals say this tick (with hysteresis, without the drop delay): steps act on it. */
  current: PressureLevel;
  /** What points at the worst level now, with its figures ("" when nothing does). */
  reason: string;
  /** Working set / limit, null when unknown. */
  ratio: number | null;
  limitBytes: number;
}

const mib = (bytes: number): string => `${Math.round(bytes / 1048576)} MiB`;
const pct = (share: number): string => `${Math.round(share * 1000) / 10} %`;

/** The highest level whose (hysteresis-lowered, when already at or above it) threshold `value` reaches. */
function graded(
  value: number,
  current: PressureLevel,
  enter: [PressureLevel, number][],
  slack: (threshold: number) => number,
): PressureLevel {
  for (const [level, threshold] of enter) {
    const held = levelRank(current) >= levelRank(level);
    if (value >= (held ? slack(threshold) : threshold)) return level;
  }
  return "normal";
}

function signals(
  state: AdaptiveState,
  input: AdaptiveInput,
  config: AdaptiveConfig,
  limitBytes: number,
): Signal[] {
  const p = config.pressure;
  const out: Signal[] = [];
  const ws = input.workingSetBytes;
  if (ws !== null && limitBytes > 0) {
    const ratio = ws / limitBytes;
    const level = graded(
      ratio,
      state.level,
      [
        ["critical", p.criticalRatio],
        ["high", p.highRatio],
        ["elevated", p.elevatedRatio],
      ],
      (t) => t - p.hysteresisRatio,
    );
    out.push({ level, reason: `working set ${mib(ws)} of ${mib(limitBytes)} (${pct(ratio)})` });
  }
  if (input.psi) {
    const { someAvg10, fullAvg10, scope } = input.psi;
    const half = (t: number): number => t / 2;
    const some = graded(someAvg10, state.level, [["elevated", p.psiSomeElevated]], half);
    const full =
      fullAvg10 === null || scope === "host"
        ? "normal"
        : graded(
            fullAvg10,
            state.level,
            [
              ["critical", p.psiFullCritical],
              ["high", p.psiFullHigh],
            ],
            half,
          );
    const level = levelRank(full) > levelRank(some) ? full : some;
    out.push({ level, reason: `${scope} PSI memory some ${someAvg10} % full ${fullAvg10 ?? "?"} % (avg10)` });
  }
  if (input.swapUsageBytes !== null && state.previousSwapBytes !== null) {
    const grown = input.swapUsageBytes - state.previousSwapBytes;
    if (grown >= p.swapGrowthBytes)
      out.push({ level: "elevated", reason: `swap grew ${mib(grown)} in one tick` });
  }
  if (
    input.maxEvents !== null &&
    state.previousMaxEvents !== null &&
    input.maxEvents > state.previousMaxEvents
  ) {
    out.push({
      level: "high",
      reason: `memory.events max +${input.maxEvents - state.previousMaxEvents} (the group hit its limit)`,
    });
  }
  if (
    input.highEvents !== null &&
    state.previousHighEvents !== null &&
    input.highEvents > state.previousHighEvents
  ) {
    out.push({
      level: "elevated",
      reason: `memory.events high +${input.highEvents - state.previousHighEvents} (throttled above memory.high)`,
    });
  }
  return out;
}

/** Reads the pressure level of one tick; returns the reading and the state with its pressure fields advanced. */
export function readPressure(
  state: AdaptiveState,
  input: AdaptiveInput,
  config: AdaptiveConfig,
): { reading: PressureReading; state: AdaptiveState } {
  const limitBytes = input.limitBytes ?? config.limitBytes;
  const found = signals(state, input, config, limitBytes);
  const worst = found.reduce<Signal>((a, b) => (levelRank(b.level) > levelRank(a.level) ? b : a), {
    level: "normal",
    reason: "",
  });
  let level = state.level;
  let lowerSinceMs = state.lowerSinceMs;
  if (levelRank(worst.level) >= levelRank(level)) {
    level = worst.level;
    lowerSinceMs = null;
  } else if (lowerSinceMs === null) {
    lowerSinceMs = input.atMs;
  } else if (input.atMs - lowerSinceMs >= config.pressure.dropAfterMs) {
    level = worst.level;
    lowerSinceMs = null;
  }
  const calmSinceMs = level === "normal" ? (state.calmSinceMs ?? input.atMs) : null;
  const ratio = input.workingSetBytes !== null && limitBytes > 0 ? input.workingSetBytes / limitBytes : null;
  const reason = worst.level === "normal" ? (found[0]?.reason ?? "") : worst.reason;
  return {
    reading: { level, current: worst.level, reason, ratio, limitBytes },
    state: {
      ...state,
      level,
      lowerSinceMs,
      calmSinceMs,
      previousSwapBytes: input.swapUsageBytes ?? state.previousSwapBytes,
      previousHighEvents: input.highEvents ?? state.previousHighEvents,
      previousMaxEvents: input.maxEvents ?? state.previousMaxEvents,
    },
  };
}
